import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Update } from 'telegraf/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { JournalStats } from '../src/journal';
import { JournalUnavailableError, UpdateJournal } from '../src/journal';
import { BotOps } from '../src/ops';
import { SendPacer, spacingMs } from '../src/pacer';
import { ShutdownError } from '../src/retry';

const update = (id: number, text = `message ${id}`) =>
  ({
    update_id: id,
    message: {
      message_id: id,
      date: 1_700_000_000,
      chat: { id: -100, type: 'group', title: 'Сделка' },
      text,
    },
  }) as unknown as Update;

const idsOf = (entries: Array<{ update: Update }>) => entries.map((e) => e.update.update_id);

describe('the update journal (LevelDB on disk)', () => {
  let dir: string;
  const open = (maxBytes = 1024 * 1024) => UpdateJournal.open({ dir, maxBytes });
  const signal = () => AbortSignal.timeout(2_000);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'payreq-journal-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands out updates in order; what is not done is there again after a reopen, done is gone', async () => {
    const journal = await open();
    expect(await journal.append([update(10), update(11), update(12)])).toEqual({
      written: 3,
      duplicates: 0,
    });
    const first = await journal.next(2, signal());
    expect(idsOf(first)).toEqual([10, 11]);
    expect(idsOf(await journal.next(10, signal()))).toEqual([12]);
    await journal.done([first[0]!.seq]);
    expect(journal.stats()).toMatchObject({ pending: 2, full: false });
    await journal.close();

    const again = await open();
    expect(again.stats().pending).toBe(2);
    const replayed = await again.next(10, signal());
    expect(idsOf(replayed)).toEqual([11, 12]);
    expect(replayed[0]!.update).toEqual(update(11));
    await again.done(replayed.map((e) => e.seq));
    expect(again.stats()).toMatchObject({ pending: 0, bytes: 0, oldestAt: null });
    // Later appends continue the order after what was there.
    await again.append([update(13)]);
    expect(idsOf(await again.next(10, signal()))).toEqual([13]);
    await again.close();
  });

  it('keeps what handling an update posted until the update is done, across a crash', async () => {
    const journal = await open();
    await journal.append([update(20), update(21)]);
    const [first, second] = await journal.next(10, signal());
    await journal.recordEffect(20, 'post1', '{"messageId":5}');
    expect(journal.effectOf(20, 'post1')).toBe('{"messageId":5}');
    expect(journal.effectOf(20, 'post2')).toBeNull();
    expect(journal.effectOf(21, 'post1')).toBeNull();
    // The process dies before the journal hears the update was handled.
    await journal.close();

    const again = await open();
    expect(again.effectOf(20, 'post1')).toBe('{"messageId":5}');
    await again.done([first!.seq]);
    expect(again.effectOf(20, 'post1')).toBeNull();
    await again.recordEffect(21, 'post1', 'null');
    await again.done([second!.seq]);
    await again.close();

    // Done means gone on disk too: nothing is left to skip a later update of the same id.
    const last = await open();
    expect(last.effectOf(20, 'post1')).toBeNull();
    expect(last.effectOf(21, 'post1')).toBeNull();
    await last.close();
  });

  it('remembers a posted outbox message until the api heard of it, across a crash', async () => {
    const journal = await open();
    const record = {
      telegramMessageId: 7,
      chatId: -100,
      message: { messageId: 7, authorTelegramId: 1, text: 'Статус: принята', date: 1_800_000_000 },
    };
    await journal.recordSent('42', record);
    expect(journal.sentBefore('42')).toEqual(record);
    expect(journal.sentBefore('43')).toBeNull();
    await journal.close();

    const again = await open();
    expect(again.sentBefore('42')).toEqual(record);
    await again.forgetSent('42');
    expect(again.sentBefore('42')).toBeNull();
    await again.close();
    const last = await open();
    expect(last.sentBefore('42')).toBeNull();
    await last.close();
  });

  it('drops what Telegram sends again (same id, same content), even after a restart; keeps a different update', async () => {
    const journal = await open();
    await journal.append([update(1), update(2)]);
    const handed = await journal.next(10, signal());
    await journal.done(handed.map((e) => e.seq));
    await journal.close();

    // Killed after the write, before the acknowledgement: Telegram sends both again, and more.
    const again = await open();
    expect(await again.append([update(1), update(2), update(3), update(3)])).toEqual({
      written: 1,
      duplicates: 3,
    });
    // An id reused with other content (Telegram restarts its numbering after a week of silence).
    expect(await again.append([update(1, 'another message')])).toEqual({
      written: 1,
      duplicates: 0,
    });
    expect((await again.next(10, signal())).map((e) => e.update)).toEqual([
      update(3),
      update(1, 'another message'),
    ]);
    await again.close();
  });

  it('at its limit takes nothing more until handled updates make room', async () => {
    const journal = await open(400);
    expect(await journal.append([update(1), update(2), update(3)])).toMatchObject({ written: 3 });
    expect(journal.stats().full).toBe(true);
    expect(await journal.append([update(4)])).toBe('full');
    const handed = await journal.next(10, signal());
    await journal.done(handed.map((e) => e.seq));
    expect(journal.stats().full).toBe(false);
    expect(await journal.append([update(4)])).toMatchObject({ written: 1 });
    await journal.close();
  });

  it('appends made together are written in call order, as one synced batch', async () => {
    const journal = await open();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => journal.append([update(100 + i)])),
    );
    expect(results.every((r) => r !== 'full' && r.written === 1)).toBe(true);
    expect(idsOf(await journal.next(100, signal()))).toEqual(
      Array.from({ length: 50 }, (_, i) => 100 + i),
    );
    await journal.close();
  });

  it('a write torn by a crash is dropped on the next open; everything synced before it is kept', async () => {
    const journal = await open();
    await journal.append([update(1), update(2)]);
    await journal.append([update(3)]);
    await journal.close();
    // What a kill in the middle of the next write leaves: a partial record at the log's end.
    const log = readdirSync(dir).find((name) => name.endsWith('.log') && name !== 'LOG');
    expect(log).toBeDefined();
    appendFileSync(join(dir, log!), Buffer.from([0x12, 0x9a, 0x00, 0x7f, 0x01, 0x41, 0x42]));

    const again = await open();
    expect(idsOf(await again.next(10, signal()))).toEqual([1, 2, 3]);
    await again.append([update(4)]);
    expect(idsOf(await again.next(10, signal()))).toEqual([4]);
    await again.close();
  });

  it('one bot process per folder: a second open says so', async () => {
    const journal = await open();
    await expect(open()).rejects.toBeInstanceOf(JournalUnavailableError);
    await journal.close();
  });

  it('an append that lands while next is reading the store is handed out, not left waiting', async () => {
    const journal = await open();
    // Each round appends and reads at once: the write often completes while the read of the
    // store (which began before it) is still going, before next has begun to wait for one.
    for (let id = 1; id <= 300; id += 1) {
      const appended = journal.append([update(id)]);
      const taken = journal.next(10, signal());
      await appended;
      const entries = await taken;
      expect(idsOf(entries)).toEqual([id]);
      await journal.done(entries.map((entry) => entry.seq));
    }
    await journal.close();
  });

  it('next waits for an append, and gives up on abort or close', async () => {
    const journal = await open();
    const waiting = journal.next(10, signal());
    setTimeout(() => void journal.append([update(7)]), 50);
    expect(idsOf(await waiting)).toEqual([7]);
    const aborted = new AbortController();
    const stopped = journal.next(10, aborted.signal);
    aborted.abort();
    await expect(stopped).rejects.toBeInstanceOf(ShutdownError);
    const closing = expect(journal.next(10, AbortSignal.timeout(5_000))).rejects.toBeInstanceOf(
      ShutdownError,
    );
    await journal.close();
    await closing;
    await expect(journal.append([update(8)])).rejects.toBeInstanceOf(ShutdownError);
  });
});

describe('the send pacer', () => {
  /**
   * When each of `chats`' slots is granted, in ms from now, on the test's own clock (run until
   * all are): the spacing is exact, whatever else the machine is doing.
   */
  const slotTimes = async (pacer: SendPacer, chats: number[]): Promise<number[]> => {
    const started = Date.now();
    const granted = Promise.all(
      chats.map(async (chat) => {
        await pacer.slot(chat);
        return Date.now() - started;
      }),
    );
    await vi.advanceTimersByTimeAsync(5_000);
    return granted;
  };

  it('spaces one chat’s sends to keep max per window, and all sends to keep the overall limit', async () => {
    expect(spacingMs({ max: 20, windowMs: 60_000 })).toBe(3_300);
    expect(spacingMs({ max: 30, windowMs: 1_000 })).toBe(37);
    const pacer = new SendPacer({
      perChat: { max: 2, windowMs: 200 },
      overall: { max: 10, windowMs: 200 },
    });
    vi.useFakeTimers();
    try {
      // About 110 ms apart: never more than 2 in any 200 ms.
      const one = await slotTimes(pacer, [-1, -1, -1, -1, -1]);
      for (let i = 2; i < one.length; i += 1)
        expect(one[i]! - one[i - 2]!).toBeGreaterThanOrEqual(200);
      expect(one[4]!).toBeGreaterThanOrEqual(4 * 105);

      // Other chats are not held by this one's spacing, only by the overall one (about 22 ms):
      // never more than 10 in any 200 ms.
      const others = await slotTimes(pacer, [-2, -3, -4, -5]);
      for (let i = 1; i < others.length; i += 1)
        expect(others[i]! - others[i - 1]!).toBeGreaterThanOrEqual(20);
      expect(Math.max(...others)).toBeLessThan(100);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a wait given up on shutdown', async () => {
    const pacer = new SendPacer({
      perChat: { max: 1, windowMs: 10_000 },
      overall: { max: 30, windowMs: 1_000 },
    });
    await pacer.slot(-1);
    const stop = new AbortController();
    const waiting = pacer.slot(-1, stop.signal);
    stop.abort();
    await expect(waiting).rejects.toBeInstanceOf(ShutdownError);
  });
});

describe('the journal in /healthz and /metrics', () => {
  it('degraded while it grows, unhealthy when full; its size, count and age as metrics', async () => {
    let now = 1_800_000_000_000;
    const ops = new BotOps({
      mode: 'polling',
      deliveryEnabled: false,
      staleMs: 60_000,
      redact: (text) => text,
      now: () => now,
    });
    ops.state = 'running';
    ops.receiving = true;
    ops.telegramAnswered();
    let stats: JournalStats = {
      pending: 0,
      bytes: 0,
      maxBytes: 1_000,
      oldestAt: null,
      full: false,
    };
    ops.journal = { stats: () => stats };
    expect(ops.health().body).toMatchObject({ status: 'ok', warnings: [] });

    stats = { pending: 3, bytes: 300, maxBytes: 1_000, oldestAt: now - 61_000, full: false };
    const degraded = ops.health();
    expect(degraded.healthy).toBe(true); // nothing is lost: a warning, not a failure
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.warnings[0]).toMatch(/journal is growing: 3 updates/);
    const metrics = await ops.registry.metrics();
    expect(metrics).toMatch(/payreq_bot_journal_updates\{service="payreq-bot"\} 3/);
    expect(metrics).toMatch(/payreq_bot_journal_bytes\{service="payreq-bot"\} 300/);
    expect(metrics).toMatch(/payreq_bot_journal_oldest_age_seconds\{service="payreq-bot"\} 61/);

    // Full: the poller stops asking Telegram on purpose, which is not "Telegram silent".
    now += 600_000;
    stats = { ...stats, bytes: 1_000, full: true };
    const full = ops.health();
    expect(full.healthy).toBe(false);
    expect(full.body.problems).toEqual([expect.stringMatching(/journal is full/)]);
  });
});
