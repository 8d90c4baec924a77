import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';

import type { Telegram } from 'telegraf';
import { TelegramError } from 'telegraf';
import type { Update } from 'telegraf/types';

import type { JournalEntry, UpdateJournal } from './journal';
import type { Logger } from './logger';
import type { BotObserver, BotOps } from './ops';
import { silentObserver } from './ops';
import { ShutdownError, backoffMs, sleep } from './retry';
import { CHAT_UPDATE_TYPES, retryAfterOf } from './telegram';
import { closeServer, listen } from './listen';

/** The update types the bot asks for (`chat_member` must be asked for explicitly). */
export const ALLOWED_UPDATES = [
  'message',
  'edited_message',
  'my_chat_member',
  'chat_member',
  'callback_query',
] as const;

/** Updates of one chat are handled one after another, in Telegram's order; chats run side by side. */
export function chatKeyOf(update: Update): string {
  const u = update as unknown as Record<
    string,
    | { chat?: { id: number }; message?: { chat?: { id: number } }; from?: { id: number } }
    | undefined
  >;
  for (const field of CHAT_UPDATE_TYPES) {
    const chatId = u[field]?.chat?.id;
    if (chatId !== undefined) return `chat:${chatId}`;
  }
  const callback = u.callback_query;
  if (callback?.message?.chat?.id !== undefined) return `chat:${callback.message.chat.id}`;
  if (callback?.from?.id !== undefined) return `user:${callback.from.id}`;
  return 'other';
}

/**
 * Where received updates go before Telegram is told they arrived (the journal): `take` resolves
 * true once they are durable (acknowledge them), false when it can take nothing now (full:
 * leave them with Telegram); `room` resolves when it can take updates again.
 */
export interface UpdateSink {
  /** `raw`: the updates' JSON as received, when at hand (kept as it came). */
  take(updates: readonly Update[], raw?: readonly string[]): Promise<boolean>;
  room(signal: AbortSignal): Promise<void>;
}

/**
 * Handles one chat's updates of a `getUpdates` batch in Telegram's order (so it may save a run
 * of them together), calling `handled` for each one done. It throws only on shutdown; the
 * updates not reported as handled then stay unconfirmed.
 */
export type ChatUpdatesHandler = (
  updates: readonly Update[],
  handled: (update: Update) => void,
) => Promise<void>;

/** A batch's updates per chat (`chatKeyOf`), each chat's in the batch's order. */
export function updatesByChat(updates: readonly Update[]): Update[][] {
  const byChat = new Map<string, Update[]>();
  for (const update of updates) {
    const key = chatKeyOf(update);
    const list = byChat.get(key);
    if (list) list.push(update);
    else byChat.set(key, [update]);
  }
  return [...byChat.values()];
}

/** Runs `loop` in the background: `start` once; `stop` aborts `abort` and waits for the loop. */
abstract class BackgroundLoop {
  protected readonly abort = new AbortController();
  private running: Promise<void> | null = null;

  /** Starts in the background; `done` settles when it stops (rejects on a fatal error). */
  start(): { done: Promise<void> } {
    if (this.running) throw new Error(`${this.constructor.name} already started`);
    this.running = this.loop();
    return { done: this.running };
  }

  /** Stops the loop; resolves when the work in flight was done (or given up). */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running?.catch(() => undefined);
  }

  protected abstract loop(): Promise<void>;
}

/**
 * Long polling that confirms a batch only once the sink (the journal) holds it durably; a
 * full journal leaves the updates with Telegram and stops asking for more until it has room.
 * (telegraf's own polling confirms a fetched batch on stop whatever became of it.)
 */
export class UpdatePoller extends BackgroundLoop {
  private offset = 0;
  private confirmedOffset = 0;

  constructor(
    private readonly telegram: Telegram,
    private readonly sink: UpdateSink,
    private readonly logger: Logger,
    private readonly options: { timeoutSeconds: number } = { timeoutSeconds: 25 },
    private readonly observer: BotObserver = silentObserver,
  ) {
    super();
  }

  protected async loop(): Promise<void> {
    const signal = this.abort.signal;
    let failures = 0;
    let sinkFailures = 0;
    try {
      while (!signal.aborted) {
        await this.sink.room(signal).catch(() => undefined);
        if (signal.aborted) break;
        let updates: Update[];
        try {
          updates = (await this.telegram.callApi(
            'getUpdates',
            {
              offset: this.offset,
              timeout: this.options.timeoutSeconds,
              allowed_updates: [...ALLOWED_UPDATES],
            },
            { signal: signal as never },
          )) as Update[];
          this.confirmedOffset = this.offset;
          failures = 0;
          this.observer.telegramAnswered();
        } catch (error) {
          if (signal.aborted) break;
          // Any failed getUpdates counts: even an answer (409, another poller) means no updates.
          this.observer.telegramFailed(error);
          if (error instanceof TelegramError && (error.code === 401 || error.code === 404)) {
            throw new Error(
              `Telegram refused getUpdates (${error.code}): check TELEGRAM_BOT_TOKEN`,
              {
                cause: error,
              },
            );
          }
          failures += 1;
          const delay = Math.max(retryAfterOf(error) ?? 0, backoffMs(failures, 500, 30_000));
          (failures >= 3
            ? this.logger.warn.bind(this.logger)
            : this.logger.debug.bind(this.logger))(
            { err: error, delayMs: delay },
            'getUpdates failed; retrying',
          );
          await sleep(delay, signal).catch(() => undefined);
          continue;
        }
        if (updates.length === 0) continue;
        let taken: boolean;
        try {
          taken = await this.sink.take(updates);
          sinkFailures = 0;
        } catch (error) {
          if (error instanceof ShutdownError) break;
          // The disk refused: nothing is acknowledged, Telegram keeps the updates.
          sinkFailures += 1;
          this.logger.error({ err: error }, 'could not journal updates; they stay with Telegram');
          await sleep(backoffMs(sinkFailures, 500, 30_000), signal).catch(() => undefined);
          continue;
        }
        if (!taken) {
          this.logger.warn(
            { updates: updates.length },
            'the update journal is full: updates stay with Telegram until it has room',
          );
          continue;
        }
        // Durable: the next getUpdates (or the stop) confirms them to Telegram.
        this.offset = updates[updates.length - 1]!.update_id + 1;
      }
    } finally {
      await this.confirm();
      this.logger.info('polling stopped');
    }
  }

  /** Tells Telegram what was handled since the last getUpdates (the offset confirms on the next call). */
  private async confirm(): Promise<void> {
    if (this.offset <= this.confirmedOffset) return;
    try {
      await this.telegram.callApi(
        'getUpdates',
        { offset: this.offset, limit: 1, timeout: 0 },
        {
          signal: AbortSignal.timeout(5_000) as never,
        },
      );
      this.confirmedOffset = this.offset;
    } catch (error) {
      this.logger.warn({ err: error }, 'could not confirm the last updates; they will come again');
    }
  }
}

/**
 * Webhook mode: an HTTP server for Telegram's POSTs, checking the secret token header on each.
 * An update is answered 200 only once the sink (the journal) holds it durably; a full journal
 * or a stop answers 503, so Telegram delivers the update again later. (telegraf's
 * webhookCallback answers 200 even when the handler failed.)
 */
export class WebhookServer {
  private server: Server | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly options: { path: string; secret: string; host: string; port: number },
    private readonly sink: UpdateSink,
    private readonly logger: Logger,
    /**
     * `ops`: answers GET /healthz (and /metrics when `metrics`); `observer`: told of Telegram's
     * calls. Without `ops`, /healthz answers a bare 200.
     */
    private readonly extras: { ops?: BotOps; metrics?: boolean; observer?: BotObserver } = {},
  ) {}

  async start(): Promise<number> {
    const server = createServer((req, res) => {
      const work = this.onRequest(req, res).catch((error: unknown) => {
        this.logger.error({ err: error }, 'webhook request failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
    });
    const listening = await listen(server, this.options.port, this.options.host);
    this.server = server;
    return listening;
  }

  /** Stops taking requests; resolves when the requests in flight were answered. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await closeServer(server, () => Promise.allSettled([...this.inFlight]));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (
      this.extras.ops &&
      (await this.extras.ops.handle(req, res, { metrics: this.extras.metrics ?? false }))
    )
      return;
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (req.method !== 'POST' || path !== this.options.path) {
      req.resume();
      res.writeHead(404).end();
      return;
    }
    const given = Buffer.from(String(req.headers['x-telegram-bot-api-secret-token'] ?? ''));
    const expected = Buffer.from(this.options.secret);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      req.resume();
      this.logger.warn(
        { remote: req.socket.remoteAddress },
        'webhook call without the right secret token',
      );
      res.writeHead(401).end();
      return;
    }
    this.extras.observer?.telegramAnswered();
    let update: Update;
    let raw: string;
    try {
      raw = (await readBody(req, 1024 * 1024)).toString('utf8');
      update = JSON.parse(raw) as Update;
      if (typeof update?.update_id !== 'number') throw new Error('not an update');
    } catch {
      res.writeHead(400).end();
      return;
    }
    try {
      if (await this.sink.take([update], [raw])) {
        res.writeHead(200).end();
        return;
      }
      this.logger.warn('the update journal is full: answering 503, Telegram will try again');
    } catch (error) {
      if (!(error instanceof ShutdownError))
        this.logger.error(
          { err: error, updateId: update.update_id },
          'could not journal an update',
        );
    }
    // Not kept: Telegram will try again.
    res.writeHead(503).end();
  }
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) throw new Error('body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Handles the journal's updates in order: batches of up to `batchSize` (as a getUpdates batch),
 * handed over per chat in order, chats side by side; handled updates leave the journal. A run
 * given up on shutdown stays for the next start; a bug is logged and its chat's updates moved
 * past (retrying them for ever would stall the chat).
 */
export class JournalReplayer extends BackgroundLoop {
  constructor(
    private readonly journal: UpdateJournal,
    private readonly handleChat: ChatUpdatesHandler,
    private readonly logger: Logger,
    private readonly batchSize = 100,
  ) {
    super();
  }

  /** Batch after batch; `stop` takes no new batch and waits for the one in flight. */
  protected async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      let entries: JournalEntry[];
      try {
        entries = await this.journal.next(this.batchSize, this.abort.signal);
      } catch (error) {
        if (error instanceof ShutdownError) break;
        throw error;
      }
      const seqOf = new Map(entries.map((entry) => [entry.update, entry.seq]));
      const done: number[] = [];
      let gaveUp = false;
      await Promise.all(
        updatesByChat(entries.map((entry) => entry.update)).map((chatUpdates) =>
          this.handleChat(chatUpdates, (update) => done.push(seqOf.get(update)!)).catch(
            (error: unknown) => {
              if (error instanceof ShutdownError) {
                gaveUp = true;
                return;
              }
              for (const update of chatUpdates) done.push(seqOf.get(update)!);
              this.logger.error(
                { err: error, updateIds: chatUpdates.map((update) => update.update_id) },
                'update handler failed',
              );
            },
          ),
        ),
      );
      await this.journal.done([...new Set(done)]);
      if (gaveUp) break;
    }
    this.logger.info('journal replay stopped');
  }
}
