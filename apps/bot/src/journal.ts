import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';

import type { ChatMessageInputRaw } from '@payreq/contracts';
import { ClassicLevel } from 'classic-level';
import type { Update } from 'telegraf/types';

import { ShutdownError } from './retry';

/**
 * The bot's journal of Telegram updates, on local disk: every update is written (and synced)
 * here before it is acknowledged to Telegram, and handled from here, in order, once the api
 * can take it. Local disk, because the case to survive is the api (and its database) being
 * down: Telegram keeps unconfirmed updates for at most 24 hours and gives up on a webhook.
 *
 * The store is LevelDB (`classic-level`): a synced batch is on disk when the call returns, a
 * batch torn by a crash is dropped whole on the next open (its updates were not acknowledged,
 * so Telegram sends them again), keys are ordered (the journal's own sequence numbers, so the
 * replay is in the order Telegram gave), and LevelDB's lock keeps a second bot process off the
 * same folder. Keys: `u!<seq>` → the update, `r!<seq>` → its update_id and a digest of it (the
 * recent ones, to drop what Telegram sends again after a crash between the write and the
 * acknowledgement: the same id with the same content), `p!<update_id>!<effect>` → what handling
 * an update has already done outside (a message posted, with what is to be known of it), so a
 * replay after a crash between the post and `done` does not post it again; removed with the update; `o!<outbox id>` → an outbox
 * message posted whose delivery the api has not heard of yet (`recordSent`).
 */

export interface JournalOptions {
  dir: string;
  /** The pending updates' size (their JSON) at which the journal takes no more. */
  maxBytes: number;
  /** How many update ids to remember for dropping redeliveries. */
  recentIds?: number;
  /** Told of an entry that cannot be read back (it is removed: nothing could handle it). */
  onUnreadable?: (seq: number, error: unknown) => void;
}

export interface JournalEntry {
  seq: number;
  update: Update;
  /** When it was journaled (ms since the epoch). */
  at: number;
}

export interface JournalStats {
  /** Updates journaled and not handled yet. */
  pending: number;
  /** Their size (JSON bytes). */
  bytes: number;
  maxBytes: number;
  /** When the oldest pending update was journaled (ms), or null. */
  oldestAt: number | null;
  /** At the limit: the bot acknowledges nothing more until the backlog shrinks. */
  full: boolean;
}

/** Where a posted outbox message went (what the api is told when it is completed). */
export interface SentRecord {
  telegramMessageId: number;
  chatId: number;
  /** The message as the deal room's archive keeps it (a group's only). */
  message?: ChatMessageInputRaw;
}

export type AppendResult = { written: number; duplicates: number } | 'full';

const SEQ_DIGITS = 15;
const key = (prefix: 'u' | 'r', seq: number) =>
  `${prefix}!${String(seq).padStart(SEQ_DIGITS, '0')}`;
const effectKey = (updateId: number, effect: string) =>
  `p!${String(updateId).padStart(SEQ_DIGITS, '0')}!${effect}`;
const seqOf = (k: string) => Number(k.slice(2));
/** An update as it was sent: its id and a digest of its JSON (a redelivery is the same). */
const identityOf = (update: Update, json: string) =>
  `${update.update_id}:${createHash('sha256').update(json).digest('base64url').slice(0, 22)}`;

/** The journal refused to open: the folder is another process's, or not a journal. */
export class JournalUnavailableError extends Error {
  override readonly name = 'JournalUnavailableError';
}

export class UpdateJournal {
  /** Pending entries' size and time by seq, in seq order (a Map keeps insertion order). */
  private readonly pending = new Map<number, { bytes: number; at: number; updateId: number }>();
  /** Effects recorded for updates still pending, by update id (`recordEffect`): effect → record. */
  private readonly effects = new Map<number, Map<string, string>>();
  /** Outbox messages posted and not yet reported to the api (`recordSent`), by outbox id. */
  private readonly sent = new Map<string, SentRecord>();
  private pendingBytes = 0;
  /** identity (update_id and digest) → seq of the most recent journaled updates; `recentOrder` oldest first. */
  private readonly recent = new Map<string, number>();
  private readonly recentOrder: Array<{ seq: number; identity: string }> = [];
  private nextSeq = 1;
  /** The last seq handed out by `next` (entries after it are still to be handed out). */
  private handedOut = 0;
  /** Appends waiting for the next synced batch, and the batch on its way. */
  private readonly queued: Array<{
    updates: readonly Update[];
    json: string[];
    resolve: (result: AppendResult) => void;
    reject: (error: unknown) => void;
  }> = [];
  private flushing: Promise<void> | null = null;
  /** Removals of handled entries, one after another. */
  private removing: Promise<unknown> = Promise.resolve();
  private readonly waiters = new Set<() => void>();
  /** Counts the writes that added entries: a read that began before one must look again. */
  private appendsWritten = 0;
  private closed = false;

  private constructor(
    private readonly db: ClassicLevel<string, string>,
    private readonly options: Required<JournalOptions>,
  ) {}

  /** Opens (or creates) the journal in `dir`; what was pending before is pending again. */
  static async open(options: JournalOptions): Promise<UpdateJournal> {
    await mkdir(options.dir, { recursive: true });
    const db = new ClassicLevel<string, string>(options.dir, {
      keyEncoding: 'utf8',
      valueEncoding: 'utf8',
    });
    try {
      await db.open();
    } catch (error) {
      throw new JournalUnavailableError(
        `the update journal at ${options.dir} cannot be opened (another bot process using it?): ${
          (error as { cause?: Error }).cause?.message ?? (error as Error).message
        }`,
        { cause: error },
      );
    }
    const journal = new UpdateJournal(db, {
      recentIds: 10_000,
      onUnreadable: () => undefined,
      ...options,
    });
    await journal.load();
    return journal;
  }

  private async load(): Promise<void> {
    let last = 0;
    for await (const [k, value] of this.db.iterator({ gte: 'u!', lt: 'u~' })) {
      const seq = seqOf(k);
      const { at, update } = JSON.parse(value) as { at: number; update?: Update };
      const bytes = Buffer.byteLength(value);
      this.pending.set(seq, { bytes, at, updateId: update?.update_id ?? -1 });
      this.pendingBytes += bytes;
      last = Math.max(last, seq);
    }
    for await (const [k, value] of this.db.iterator({ gte: 'r!', lt: 'r~' })) {
      const seq = seqOf(k);
      this.recent.set(value, seq);
      this.recentOrder.push({ seq, identity: value });
      last = Math.max(last, seq);
    }
    for await (const [k, value] of this.db.iterator({ gte: 'o!', lt: 'o~' }))
      this.sent.set(k.slice(2), JSON.parse(value) as SentRecord);
    for await (const [k, value] of this.db.iterator({ gte: 'p!', lt: 'p~' })) {
      const [, id, effect] = k.split('!');
      const updateId = Number(id);
      this.effects.set(
        updateId,
        (this.effects.get(updateId) ?? new Map()).set(effect ?? '', value),
      );
    }
    this.nextSeq = last + 1;
  }

  stats(): JournalStats {
    const oldest = this.pending.values().next();
    return {
      pending: this.pending.size,
      bytes: this.pendingBytes,
      maxBytes: this.options.maxBytes,
      oldestAt: oldest.done ? null : oldest.value.at,
      full: this.pendingBytes >= this.options.maxBytes,
    };
  }

  /**
   * Writes the updates durably, in their order, skipping those already journaled (Telegram
   * sends again what was not acknowledged). When it resolves they survive a crash: acknowledge
   * them then. 'full': nothing was written (the backlog is at its limit; the limit may be
   * passed by the last batch taken). Appends made while a write is on its way go together in
   * the next synced batch (a group commit: one fsync for many webhook calls). `raw`: the
   * updates' JSON as received (a webhook's body), stored as it came; else they are serialized.
   */
  append(updates: readonly Update[], raw?: readonly string[]): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new ShutdownError());
    let json: string[];
    try {
      json = updates.map((update, index) => raw?.[index] ?? JSON.stringify(update));
    } catch (error) {
      // Not serializable (nothing Telegram sends): refused here, before any batch is built.
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise((resolve, reject) => {
      this.queued.push({ updates, json, resolve, reject });
      this.flushSoon();
    });
  }

  private flushSoon(): void {
    if (this.flushing) return;
    const items = this.queued.splice(0);
    this.flushing = this.flush(items)
      // Whatever fails (a settled promise ignores a second answer) fails the batch's appends.
      .catch((error: unknown) => {
        for (const item of items) item.reject(error);
      })
      .finally(() => {
        this.flushing = null;
        if (this.queued.length > 0) this.flushSoon();
      });
  }

  private async flush(items: UpdateJournal['queued']): Promise<void> {
    const at = Date.now();
    const ops: Array<{ type: 'put' | 'del'; key: string; value?: string }> = [];
    const added: Array<{ seq: number; identity: string; bytes: number }> = [];
    const inBatch = new Set<string>();
    const results: AppendResult[] = [];
    let bytes = this.pendingBytes;
    for (const item of items) {
      if (bytes >= this.options.maxBytes) {
        results.push('full');
        continue;
      }
      let written = 0;
      let duplicates = 0;
      for (const [index, update] of item.updates.entries()) {
        const json = item.json[index]!;
        const identity = identityOf(update, json);
        if (this.recent.has(identity) || inBatch.has(identity)) {
          duplicates += 1;
          continue;
        }
        inBatch.add(identity);
        const seq = this.nextSeq + added.length;
        const value = `{"at":${at},"update":${json}}`;
        ops.push({ type: 'put', key: key('u', seq), value });
        ops.push({ type: 'put', key: key('r', seq), value: identity });
        added.push({ seq, identity, bytes: Buffer.byteLength(value) });
        bytes += Buffer.byteLength(value);
        written += 1;
      }
      results.push({ written, duplicates });
    }
    const forget = Math.max(0, this.recentOrder.length + added.length - this.options.recentIds);
    const forgotten = this.recentOrder.slice(0, forget);
    for (const { seq } of forgotten) ops.push({ type: 'del', key: key('r', seq) });
    try {
      if (ops.length > 0) await this.db.batch(ops as never, { sync: true });
    } catch (error) {
      for (const item of items) item.reject(error);
      return;
    }
    // Written: now it counts.
    this.nextSeq += added.length;
    this.recentOrder.splice(0, forget);
    for (const { seq, identity } of forgotten)
      if (this.recent.get(identity) === seq) this.recent.delete(identity);
    for (const { seq, identity, bytes: size } of added) {
      this.pending.set(seq, { bytes: size, at, updateId: Number(identity.split(':')[0]) });
      this.pendingBytes += size;
      this.recent.set(identity, seq);
      this.recentOrder.push({ seq, identity });
    }
    if (added.length > 0) {
      this.appendsWritten += 1;
      for (const wake of this.waiters) wake();
    }
    items.forEach((item, index) => item.resolve(results[index]!));
  }

  /**
   * Up to `limit` pending entries not handed out yet, in order; waits for some when there are
   * none. Throws ShutdownError when `signal` aborts or the journal closes.
   */
  async next(limit: number, signal: AbortSignal): Promise<JournalEntry[]> {
    for (;;) {
      if (signal.aborted || this.closed) throw new ShutdownError();
      const appendsBefore = this.appendsWritten;
      const entries: JournalEntry[] = [];
      const unreadable: number[] = [];
      let last = this.handedOut;
      for await (const [k, value] of this.db.iterator({
        gt: key('u', this.handedOut),
        lt: 'u~',
        limit,
      })) {
        last = seqOf(k);
        try {
          const { at, update } = JSON.parse(value) as { at: number; update: Update };
          entries.push({ seq: last, update, at });
        } catch (error) {
          this.options.onUnreadable(last, error);
          unreadable.push(last);
        }
      }
      this.handedOut = last;
      if (unreadable.length > 0) await this.done(unreadable);
      if (entries.length > 0) return entries;
      if (unreadable.length > 0) continue;
      // Written while the store was being read (the read saw the store as it was before): its
      // wake-up came before anyone waited, so read again rather than wait for the next one.
      if (this.appendsWritten !== appendsBefore) continue;
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          signal.removeEventListener('abort', wake);
          resolve();
        };
        this.waiters.add(wake);
        signal.addEventListener('abort', wake, { once: true });
        // Aborted or closed while the store was being read: no event will come for it.
        if (signal.aborted || this.closed) wake();
      });
    }
  }

  /**
   * What was recorded of `effect` when handling this update did it (before a crash, in an earlier
   * process), or null when it has not done it.
   */
  effectOf(updateId: number, effect: string): string | null {
    return this.effects.get(updateId)?.get(effect) ?? null;
  }

  /**
   * Handling this update did `effect` (posted a message), with `record` of it: written at once,
   * synced, so that a replay of the update after a crash before `done` skips it. Removed with
   * the update.
   */
  async recordEffect(updateId: number, effect: string, record: string): Promise<void> {
    if (this.closed) throw new ShutdownError();
    await this.db.put(effectKey(updateId, effect), record, { sync: true });
    this.effects.set(updateId, (this.effects.get(updateId) ?? new Map()).set(effect, record));
  }

  /** The outbox message was posted by this bot before (a crash before the api heard of it). */
  sentBefore(outboxId: string): SentRecord | null {
    return this.sent.get(outboxId) ?? null;
  }

  /**
   * An outbox message was posted: written at once, synced, before the api hears of it, so that a
   * crash in between does not post it again when the message is claimed the next time.
   */
  async recordSent(outboxId: string, record: SentRecord): Promise<void> {
    if (this.closed) throw new ShutdownError();
    await this.db.put(`o!${outboxId}`, JSON.stringify(record), { sync: true });
    this.sent.set(outboxId, record);
  }

  /** The api heard of the delivery: nothing to remember. */
  async forgetSent(outboxId: string): Promise<void> {
    if (!this.sent.has(outboxId) || this.closed) return;
    await this.db.del(`o!${outboxId}`);
    this.sent.delete(outboxId);
  }

  /** Handled: removed for good (synced, so a restart does not handle them again). */
  done(seqs: readonly number[]): Promise<void> {
    const run = this.removing.then(async () => {
      const known = seqs.filter((seq) => this.pending.has(seq));
      if (known.length === 0) return;
      const updateIds = known.map((seq) => this.pending.get(seq)!.updateId);
      await this.db.batch(
        [
          ...known.map((seq) => ({ type: 'del' as const, key: key('u', seq) })),
          ...updateIds.flatMap((updateId) =>
            [...(this.effects.get(updateId)?.keys() ?? [])].map((effect) => ({
              type: 'del' as const,
              key: effectKey(updateId, effect),
            })),
          ),
        ],
        { sync: true },
      );
      for (const seq of known) {
        this.pendingBytes -= this.pending.get(seq)!.bytes;
        this.pending.delete(seq);
      }
      for (const updateId of updateIds) this.effects.delete(updateId);
    });
    this.removing = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing) await this.flushing;
    await this.removing;
    for (const wake of this.waiters) wake();
    await this.db.close();
  }
}
