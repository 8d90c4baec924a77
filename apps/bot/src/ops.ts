import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Update } from 'telegraf/types';

import type { JournalStats } from './journal';
import type { Logger } from './logger';
import { closeServer, listen } from './listen';
import { CHAT_UPDATE_TYPES } from './telegram';

/**
 * What the bot's parts report as they work, for `/healthz` and `/metrics`. Every part takes
 * one (optional: `silentObserver` when none is given), so each stays usable on its own.
 */
export interface BotObserver {
  /** An update came in (polling or webhook), before it is handled. */
  updateReceived(update: Update): void;
  /** Telegram answered (any answer: a 4xx is an answer). */
  telegramAnswered(): void;
  /** Telegram did not answer, or answered 5xx. */
  telegramFailed(error: unknown): void;
  /** The api answered (anything but 5xx, 401 and 403). */
  apiAnswered(): void;
  /**
   * The api did not answer, answered 5xx, or refused the service token (401/403: `refused`, a
   * setting to fix, unhealthy at once rather than after HEALTH_STALE_MS).
   */
  apiFailed(error: unknown, how?: { refused: boolean }): void;
  /** A group message (or its edit) is held by the platform. */
  messageMirrored(kind: string, edited: boolean): void;
  /** A message that will not be mirrored (`rejected`: the api refused it), or a handler that failed. */
  mirroringFailed(reason: 'rejected' | 'handler_error'): void;
  /** One outbox message went through the delivery loop. */
  deliveryOutcome(kind: string, outcome: 'delivered' | 'retry' | 'dead' | 'unknown'): void;
  /** The delivery loop finished a claim round (even an empty one). */
  deliveryRound(): void;
}

export const silentObserver: BotObserver = {
  updateReceived: () => undefined,
  telegramAnswered: () => undefined,
  telegramFailed: () => undefined,
  apiAnswered: () => undefined,
  apiFailed: () => undefined,
  messageMirrored: () => undefined,
  mirroringFailed: () => undefined,
  deliveryOutcome: () => undefined,
  deliveryRound: () => undefined,
};

/** The last exchanges with one party (Telegram or the api). */
class Contact {
  lastOkAt: number | null = null;
  lastFailureAt: number | null = null;
  /** Set on the first failure after a success; cleared by the next success. */
  failingSince: number | null = null;
  lastError: string | null = null;
  /** The last failure was a refusal of our credentials: no wait will mend it. */
  refused = false;

  ok(now: number): void {
    this.lastOkAt = now;
    this.failingSince = null;
    this.refused = false;
  }

  failed(now: number, message: string, refused = false): void {
    this.lastFailureAt = now;
    this.failingSince ??= now;
    this.lastError = message;
    this.refused = refused;
  }

  view(now: number) {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      lastOkAt: iso(this.lastOkAt),
      secondsSinceOk: this.lastOkAt === null ? null : Math.round((now - this.lastOkAt) / 1000),
      failingSince: iso(this.failingSince),
      lastFailureAt: iso(this.lastFailureAt),
      lastError: this.failingSince === null ? null : this.lastError,
    };
  }
}

export type BotState = 'stopped' | 'starting' | 'running' | 'stopping' | 'failed';

export interface BotOpsOptions {
  mode: 'polling' | 'webhook';
  deliveryEnabled: boolean;
  /** Failing (or, polling, silent) for longer than this makes /healthz answer 503. */
  staleMs: number;
  /** Polling: how long a getUpdates may rightly wait for updates (UpdatePoller's 25 s). */
  longPollMs?: number;
  /** Scrubs tokens and secrets from error texts shown on /healthz. */
  redact: (text: string) => string;
  now?: () => number;
}

const KNOWN_UPDATE_TYPES = new Set<string>([
  ...CHAT_UPDATE_TYPES,
  'callback_query',
  'inline_query',
]);

const describe = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * The bot's health and metrics. Health: is the bot started and receiving updates, and when did
 * it last hear from Telegram and from the api. Metrics (prom-client, `service="payreq-bot"`):
 * the process's own, plus updates, mirroring and deliveries.
 */
export class BotOps implements BotObserver {
  readonly registry = new Registry();
  state: BotState = 'stopped';
  /** Polling: the poller runs. Webhook: the webhook server listens. */
  receiving = false;
  deliveryRunning = false;
  lastDeliveryRoundAt: number | null = null;
  /** The update journal while the bot runs: its backlog shows in /metrics and /healthz. */
  journal: { stats(): JournalStats } | null = null;
  readonly telegram = new Contact();
  readonly api = new Contact();
  private readonly now: () => number;
  private readonly updates: Counter<'type'>;
  private readonly mirrored: Counter<'kind' | 'edit'>;
  private readonly mirrorFailures: Counter<'reason'>;
  private readonly sent: Counter<'kind'>;
  private readonly failed: Counter<'kind' | 'outcome'>;
  private readonly dependencyErrors: Counter<'dependency'>;

  constructor(private readonly options: BotOpsOptions) {
    this.now = options.now ?? Date.now;
    this.registry.setDefaultLabels({ service: 'payreq-bot' });
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    const counter = <Label extends string>(name: string, help: string, labelNames: Label[]) =>
      new Counter<Label>({ name: `payreq_bot_${name}`, help, labelNames, registers });
    /** A gauge read when Prometheus scrapes: `read` sets it then. */
    const gauge = <Label extends string>(
      name: string,
      help: string,
      read: (gauge: Gauge<Label>) => void,
      labelNames: Label[] = [],
    ): void => {
      const metric: Gauge<Label> = new Gauge<Label>({
        name: `payreq_bot_${name}`,
        help,
        labelNames,
        registers,
        collect: () => read(metric),
      });
    };
    this.updates = counter('updates_received_total', 'Telegram updates received, by type.', [
      'type',
    ]);
    this.mirrored = counter(
      'messages_mirrored_total',
      'Group messages (edit="true": their edits) saved in the platform, by message kind.',
      ['kind', 'edit'],
    );
    this.mirrorFailures = counter(
      'mirroring_failures_total',
      'Messages not mirrored: reason="rejected" (the api refused the message), "handler_error" (a failed update handler).',
      ['reason'],
    );
    this.sent = counter(
      'deliveries_sent_total',
      'Outbox messages posted to Telegram, by outbox kind.',
      ['kind'],
    );
    this.failed = counter(
      'deliveries_failed_total',
      'Outbox deliveries that failed: outcome="retry" (to be tried again), "dead" (parked for an operator), "unknown" (the answer was lost; parked).',
      ['kind', 'outcome'],
    );
    this.dependencyErrors = counter(
      'dependency_errors_total',
      'Calls that got no usable answer, by party (telegram, api).',
      ['dependency'],
    );
    for (const dependency of ['telegram', 'api'] as const)
      this.dependencyErrors.inc({ dependency }, 0);
    for (const reason of ['rejected', 'handler_error'] as const)
      this.mirrorFailures.inc({ reason }, 0);
    gauge('up', '1 when /healthz answers 200, else 0.', (up) =>
      up.set(this.health().healthy ? 1 : 0),
    );
    gauge(
      'journal_updates',
      'Updates in the journal (acknowledged to Telegram, not handled yet).',
      (updates) => updates.set(this.journal?.stats().pending ?? 0),
    );
    gauge(
      'journal_bytes',
      'Size of the journal’s pending updates (JSON bytes); at JOURNAL_MAX_BYTES the bot acknowledges nothing more.',
      (bytes) => bytes.set(this.journal?.stats().bytes ?? 0),
    );
    gauge(
      'journal_oldest_age_seconds',
      'How long the oldest update has waited in the journal (0 when empty).',
      (age) => {
        const oldest = this.journal?.stats().oldestAt ?? null;
        age.set(oldest === null ? 0 : Math.max(0, (this.now() - oldest) / 1000));
      },
    );
    gauge(
      'last_contact_timestamp_seconds',
      'When Telegram / the api last answered (Unix time).',
      (lastContact) => {
        lastContact.reset();
        for (const [dependency, contact] of [
          ['telegram', this.telegram],
          ['api', this.api],
        ] as const) {
          if (contact.lastOkAt !== null) lastContact.set({ dependency }, contact.lastOkAt / 1000);
        }
      },
      ['dependency'],
    );
  }

  // ----- BotObserver -----

  updateReceived(update: Update): void {
    const type = Object.keys(update).find((key) => key !== 'update_id') ?? 'other';
    this.updates.inc({ type: KNOWN_UPDATE_TYPES.has(type) ? type : 'other' });
  }

  telegramAnswered(): void {
    this.telegram.ok(this.now());
  }

  telegramFailed(error: unknown): void {
    this.dependencyErrors.inc({ dependency: 'telegram' });
    this.telegram.failed(this.now(), this.options.redact(describe(error)));
  }

  apiAnswered(): void {
    this.api.ok(this.now());
  }

  apiFailed(error: unknown, how?: { refused: boolean }): void {
    this.dependencyErrors.inc({ dependency: 'api' });
    this.api.failed(this.now(), this.options.redact(describe(error)), how?.refused ?? false);
  }

  messageMirrored(kind: string, edited: boolean): void {
    this.mirrored.inc({ kind, edit: String(edited) });
  }

  mirroringFailed(reason: 'rejected' | 'handler_error'): void {
    this.mirrorFailures.inc({ reason });
  }

  deliveryOutcome(kind: string, outcome: 'delivered' | 'retry' | 'dead' | 'unknown'): void {
    const label = kind.startsWith('telegram.') ? kind : 'other';
    if (outcome === 'delivered') this.sent.inc({ kind: label });
    else this.failed.inc({ kind: label, outcome });
  }

  deliveryRound(): void {
    this.lastDeliveryRoundAt = this.now();
  }

  // ----- what /healthz says -----

  health() {
    const now = this.now();
    const { staleMs, mode } = this.options;
    const seconds = (ms: number) => Math.round(ms / 1000);
    const problems: string[] = [];
    if (this.state !== 'running') problems.push(`the bot is ${this.state}`);
    else if (!this.receiving)
      problems.push(
        mode === 'polling' ? 'polling has stopped' : 'the webhook server is not listening',
      );
    const journal = this.journal?.stats() ?? null;
    const warnings: string[] = [];
    if (journal?.full)
      problems.push(
        `the update journal is full (${journal.pending} updates, ${journal.bytes} bytes): Telegram keeps the rest`,
      );
    else if (journal && journal.pending > 0) {
      const age = journal.oldestAt === null ? 0 : now - journal.oldestAt;
      if (age > staleMs || journal.bytes > journal.maxBytes / 2)
        warnings.push(
          `the update journal is growing: ${journal.pending} updates (${journal.bytes} of ${journal.maxBytes} bytes), the oldest ${seconds(age)} s old`,
        );
    }
    const last = this.telegram.lastOkAt;
    const silentFor = last === null ? Infinity : now - last;
    if (
      this.state === 'running' &&
      mode === 'polling' &&
      !journal?.full && // a full journal stops the polling on purpose
      silentFor > staleMs + (this.options.longPollMs ?? 25_000)
    ) {
      // A long poll answers at least every 25 s: longer silence means Telegram is out of reach.
      problems.push(
        `no answer from Telegram for ${last === null ? 'ever' : `${seconds(silentFor)} s`}` +
          (this.telegram.failingSince !== null ? ` (${this.telegram.lastError})` : ''),
      );
    } else if (this.telegram.failingSince !== null && now - this.telegram.failingSince > staleMs) {
      problems.push(
        `Telegram failing for ${seconds(now - this.telegram.failingSince)} s (${this.telegram.lastError})`,
      );
    }
    if (this.api.failingSince !== null && this.api.refused)
      problems.push(`the api refuses the bot (${this.api.lastError})`);
    else if (this.api.failingSince !== null && now - this.api.failingSince > staleMs)
      problems.push(
        `the api failing for ${seconds(now - this.api.failingSince)} s (${this.api.lastError})`,
      );
    const healthy = problems.length === 0;
    return {
      healthy,
      body: {
        // Degraded: working, nothing lost, but the journal grows (the api is not taking updates).
        status: !healthy ? 'unhealthy' : warnings.length > 0 ? 'degraded' : 'ok',
        service: 'payreq-bot',
        mode,
        state: this.state,
        receiving: this.receiving,
        delivery: {
          state: !this.options.deliveryEnabled
            ? 'disabled'
            : this.deliveryRunning
              ? 'running'
              : 'stopped',
          lastRoundAt:
            this.lastDeliveryRoundAt === null
              ? null
              : new Date(this.lastDeliveryRoundAt).toISOString(),
        },
        telegram: this.telegram.view(now),
        api: this.api.view(now),
        journal:
          journal === null
            ? null
            : {
                updates: journal.pending,
                bytes: journal.bytes,
                maxBytes: journal.maxBytes,
                oldestAt:
                  journal.oldestAt === null ? null : new Date(journal.oldestAt).toISOString(),
              },
        staleAfterSeconds: seconds(staleMs),
        problems,
        warnings,
      },
    };
  }

  /**
   * Answers `GET /healthz` (and `GET /metrics` when `metrics`); returns false for any other
   * request, which the caller then answers itself.
   */
  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    options: { metrics: boolean },
  ): Promise<boolean> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (path === '/healthz') {
      const { healthy, body } = this.health();
      res
        .writeHead(healthy ? 200 : 503, {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
        })
        .end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
      return true;
    }
    if (path === '/metrics' && options.metrics) {
      const text = await this.registry.metrics();
      res
        .writeHead(200, { 'content-type': this.registry.contentType })
        .end(req.method === 'HEAD' ? undefined : text);
      return true;
    }
    return false;
  }
}

/** The ops listener: `GET /healthz` and `GET /metrics` on their own port (OPS_PORT). */
export class OpsServer {
  private server: Server | null = null;

  constructor(
    private readonly ops: BotOps,
    private readonly logger: Logger,
  ) {}

  async start(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => {
      this.ops
        .handle(req, res, { metrics: true })
        .then((handled) => {
          if (handled) return;
          req.resume();
          res.writeHead(404).end();
        })
        .catch((error: unknown) => {
          this.logger.error({ err: error }, 'ops request failed');
          if (!res.headersSent) res.writeHead(500).end();
        });
    });
    const listening = await listen(server, port, host);
    this.server = server;
    return listening;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await closeServer(server);
  }
}
