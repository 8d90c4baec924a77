import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

import { Telegraf, TelegramError } from 'telegraf';
import type { Update } from 'telegraf/types';

import { PlatformApi } from './api';
import { ChatRegistry } from './chats';
import { DeliveryLoop } from './delivery';
import type { BotConfig } from './env';
import { registerHandlers } from './handlers';
import { UpdateJournal } from './journal';
import { handlingUpdate } from './update-scope';
import type { Logger } from './logger';
import { createLogger, redact } from './logger';
import type { PlainMessage } from './mirror';
import { Mirror, plainMessageOf } from './mirror';
import { BotOps, OpsServer } from './ops';
import { SendPacer, paced } from './pacer';
import { ShutdownError, retrying, sleep } from './retry';
import { agentFor, deliveryTelegram, isTransientTelegramError, retryAfterOf } from './telegram';
import { texts } from './texts';
import type { ChatUpdatesHandler, UpdateSink } from './updates';
import { ALLOWED_UPDATES, JournalReplayer, UpdatePoller, WebhookServer } from './updates';

export interface BotApp {
  bot: Telegraf;
  api: PlatformApi;
  /** Null when DELIVERY_ENABLED=false. */
  delivery: DeliveryLoop | null;
  config: BotConfig;
  logger: Logger;
  /** The id this process claims outbox messages under. */
  workerId: string;
  /** The bot's @username (from the configuration, else getMe at start). */
  readonly username: string;
  /** Webhook mode: the port the webhook server listens on, once started. */
  readonly webhookPort: number | null;
  /** Health (`ops.health()`) and metrics (`ops.registry`): what /healthz and /metrics answer. */
  ops: BotOps;
  /** The ops listener's port (OPS_PORT; /healthz, /metrics), once started; null without one. */
  readonly opsPort: number | null;
  /** The update journal while started (JOURNAL_DIR), else null. */
  readonly journal: UpdateJournal | null;
  /** Connects to Telegram, starts receiving updates (polling or webhook) and the delivery loop. */
  start(): Promise<void>;
  /**
   * Stops receiving updates, lets the updates in flight finish (up to SHUTDOWN_GRACE_MS, then
   * they give up and stay in the journal for the next start), then stops the delivery loop
   * after the delivery in flight.
   */
  stop(reason?: string): Promise<void>;
}

export interface CreateBotOptions {
  logger?: Logger;
  workerId?: string;
  /** Called when receiving updates failed for good (e.g. Telegram refused the token). */
  onFatal?: (error: unknown) => void;
}

/** The deal-room bot: mirrors registered groups into the platform and delivers the api's Telegram outbox. */
export function createBot(config: BotConfig, options: CreateBotOptions = {}): BotApp {
  const logger =
    options.logger ??
    createLogger({
      level: config.logLevel,
      secrets: [config.token, config.serviceToken, config.webhook?.secret ?? ''],
    });
  const workerId =
    options.workerId ?? `bot@${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const opsConfig = config.ops ?? { host: '0.0.0.0', port: null, staleMs: 120_000 };
  const secrets = [config.token, config.serviceToken, config.webhook?.secret ?? ''];
  const ops = new BotOps({
    mode: config.mode,
    deliveryEnabled: config.delivery.enabled,
    staleMs: opsConfig.staleMs,
    redact: (text) => redact(text, secrets),
  });
  const bot = new Telegraf(config.token, {
    // A handler retries until the api answers: telegraf must not move on by itself.
    handlerTimeout: Infinity,
    telegram: {
      apiRoot: config.apiRoot,
      agent: agentFor(config.apiRoot, true),
      webhookReply: false,
    },
  });
  // Every message the bot posts (its own and the outbox's) waits for a slot under Telegram's limits.
  const pacer = new SendPacer(config.sendLimits);
  paced(bot.telegram, pacer);
  const api = new PlatformApi({
    url: config.apiUrl,
    serviceToken: config.serviceToken,
    timeoutMs: config.apiTimeoutMs,
    logger,
    observer: ops,
  });
  const chats = new ChatRegistry(api);
  const mirror = new Mirror({ api, chats, logger, downloadTimeoutMs: 120_000, observer: ops });
  let shutdown = new AbortController();
  let username = config.botUsername ?? '';
  let started = false;
  let poller: UpdatePoller | null = null;
  let webhook: WebhookServer | null = null;
  let webhookPort: number | null = null;
  let opsServer: OpsServer | null = null;
  let opsPort: number | null = null;
  let journal: UpdateJournal | null = null;
  let replayer: JournalReplayer | null = null;

  registerHandlers(bot, {
    config,
    api,
    chats,
    mirror,
    logger,
    signal: () => shutdown.signal,
    botUsername: () => username,
    readsAllAtStart: () => bot.botInfo?.can_read_all_group_messages === true,
  });
  bot.catch((error) => {
    // A stop in the middle: the update stays unconfirmed. Anything else is logged and moved past.
    if (error instanceof ShutdownError) throw error;
    ops.mirroringFailed('handler_error');
    logger.error({ err: error }, 'update handler failed');
  });

  const delivery = config.delivery.enabled
    ? new DeliveryLoop(
        {
          api,
          telegram: deliveryTelegram(config.token, config.apiRoot, pacer),
          logger: logger.child({ component: 'delivery' }),
          onMigrated: (fromChatId, toChatId) =>
            mirror.followMigration(fromChatId, toChatId, AbortSignal.timeout(30_000)),
          observer: ops,
          // The journal (open while the bot runs) keeps what was posted and not yet reported.
          sent: {
            sentBefore: (outboxId) => journal?.sentBefore(outboxId) ?? null,
            recordSent: async (outboxId, record) => journal?.recordSent(outboxId, record),
            forgetSent: async (outboxId) => journal?.forgetSent(outboxId),
          },
        },
        {
          workerId,
          pollMs: config.delivery.pollMs,
          leaseMs: config.delivery.leaseMs,
          batchSize: config.delivery.batchSize,
          sendTimeoutMs: config.telegramSendTimeoutMs,
        },
      )
    : null;

  /** Updates from Telegram go to the journal first; Telegram hears they arrived once they are on disk. */
  const sink: UpdateSink = {
    async take(updates, raw) {
      if (!journal) throw new ShutdownError();
      const result = await journal.append(updates, raw);
      if (result === 'full') return false;
      for (const update of updates) ops.updateReceived(update);
      return true;
    },
    async room(signal) {
      while (journal?.stats().full) await sleep(500, signal);
    },
  };
  /**
   * A chat's updates of one journal batch. Runs of plain messages (a burst of chat) are saved
   * with one api call each run; everything else goes through the handlers one by one.
   */
  const handleChat: ChatUpdatesHandler = async (updates, handled) => {
    for (const run of runsOf(updates)) {
      if (run.plain.length > 1) {
        try {
          const outcomes = await mirror.messages(run.plain, shutdown.signal);
          logger.debug(
            { chatId: run.plain[0]!.message.chat.id, messages: run.plain.length, outcomes },
            'chat messages saved as one run',
          );
          for (const update of run.updates) handled(update);
          continue;
        } catch (error) {
          if (error instanceof ShutdownError) throw error;
          logger.warn({ err: error }, 'a run of chat messages failed; handling them one by one');
        }
      }
      for (const update of run.updates) {
        // Updates come from the journal: none is handled once it is closed.
        if (!journal) throw new ShutdownError();
        await handlingUpdate(update.update_id, journal, () => bot.handleUpdate(update));
        handled(update);
      }
    }
  };
  const telegramRetry = {
    isTransient: isTransientTelegramError,
    retryAfterMs: retryAfterOf,
    baseMs: 500,
    maxMs: 30_000,
  };

  async function setCommands(): Promise<void> {
    for (const lang of ['ru', 'en'] as const) {
      await bot.telegram
        .setMyCommands([{ command: 'start', description: texts.startCommand(lang) }], {
          scope: { type: 'all_private_chats' },
          ...(lang === 'en' ? { language_code: 'en' } : {}),
        })
        .catch((error: unknown) => logger.warn({ err: error }, 'could not set the bot commands'));
      // In groups: the deal room's agent asks 1C for a document.
      await bot.telegram
        .setMyCommands([{ command: 'document', description: texts.documentCommand(lang) }], {
          scope: { type: 'all_group_chats' },
          ...(lang === 'en' ? { language_code: 'en' } : {}),
        })
        .catch((error: unknown) => logger.warn({ err: error }, 'could not set the bot commands'));
    }
  }

  return {
    bot,
    api,
    delivery,
    config,
    logger,
    workerId,
    get username() {
      return username;
    },
    get webhookPort() {
      return webhookPort;
    },
    ops,
    get opsPort() {
      return opsPort;
    },
    get journal() {
      return journal;
    },

    async start() {
      if (started) throw new Error('the bot is already started');
      started = true;
      shutdown = new AbortController();
      ops.state = 'starting';
      try {
        await startReceiving();
        ops.state = 'running';
      } catch (error) {
        if (ops.state === 'starting') ops.state = 'failed';
        throw error;
      }
    },

    async stop(reason = 'stop') {
      if (!started) return;
      started = false;
      ops.state = 'stopping';
      logger.info({ reason }, 'bot stopping');
      const grace = setTimeout(() => shutdown.abort(), config.shutdownGraceMs);
      try {
        await Promise.all([poller?.stop(), webhook?.stop()]);
        // What is journaled and not handled yet stays there for the next start.
        await replayer?.stop();
      } finally {
        clearTimeout(grace);
        shutdown.abort();
      }
      poller = null;
      webhook = null;
      replayer = null;
      ops.receiving = false;
      // The delivery in flight notes what it posted in the journal: it stops first.
      await delivery?.stop();
      ops.deliveryRunning = false;
      ops.journal = null;
      await journal?.close();
      journal = null;
      await opsServer?.stop();
      opsServer = null;
      opsPort = null;
      ops.state = 'stopped';
      logger.info('bot stopped');
    },
  };

  /** start(): the journal, the ops listener (so a bot stuck reaching Telegram says so), then the rest. */
  async function startReceiving(): Promise<void> {
    journal = await UpdateJournal.open({
      ...config.journal,
      onUnreadable: (seq, error) => {
        ops.mirroringFailed('handler_error');
        logger.error({ err: error, seq }, 'a journaled update cannot be read back; dropped');
      },
    });
    ops.journal = journal;
    const backlog = journal.stats();
    if (backlog.pending > 0)
      logger.info({ pending: backlog.pending }, 'journaled updates from before: handling them');
    replayer = new JournalReplayer(journal, handleChat, logger);
    replayer.start().done.catch((error: unknown) => {
      ops.state = 'failed';
      logger.fatal({ err: error }, 'the update journal failed');
      options.onFatal?.(error);
    });
    if (opsConfig.port !== null) {
      opsServer = new OpsServer(ops, logger);
      opsPort = await opsServer.start(opsConfig.host, opsConfig.port);
      logger.info(
        { host: opsConfig.host, port: opsPort },
        'ops listener: GET /healthz, GET /metrics',
      );
    } else if (config.mode === 'polling') {
      logger.info('no /healthz or /metrics listener in polling mode: set OPS_PORT for one');
    }
    const me = await retrying(() => bot.telegram.getMe(), {
      ...telegramRetry,
      signal: shutdown.signal,
      onRetry: (error, attempt, delayMs) => {
        ops.telegramFailed(error);
        logger.warn({ err: error, attempt, delayMs }, 'Telegram unreachable (getMe); retrying');
      },
    }).catch((error: unknown) => {
      // Telegram answers 401 (404 at some Bot API servers) for a token it does not know.
      if (error instanceof TelegramError && (error.code === 401 || error.code === 404))
        throw new Error(
          `Telegram refused TELEGRAM_BOT_TOKEN (${error.code} ${error.description}): set the token BotFather gave this bot`,
          { cause: error },
        );
      throw error;
    });
    ops.telegramAnswered();
    bot.botInfo = me;
    username = config.botUsername ?? me.username;
    if (config.botUsername && config.botUsername.toLowerCase() !== me.username.toLowerCase()) {
      logger.warn(
        { configured: config.botUsername, telegram: me.username },
        'BOT_USERNAME is not the username Telegram reports: Mini App links will point elsewhere',
      );
    }
    if (!me.can_read_all_group_messages) {
      logger.warn(
        'privacy mode is on: the bot sees a group’s messages only where it is an administrator (it says so in the group and to the agent); BotFather /setprivacy → Disable before adding it to groups',
      );
    }
    await setCommands();

    if (config.mode === 'webhook' && config.webhook) {
      const hook = config.webhook;
      webhook = new WebhookServer(
        { path: hook.path, secret: hook.secret, host: hook.host, port: hook.port },
        sink,
        logger,
        // Without a listener of their own, /healthz and /metrics are served here.
        { ops, metrics: opsConfig.port === null, observer: ops },
      );
      webhookPort = await webhook.start();
      ops.receiving = true;
      await retrying(
        () =>
          bot.telegram.setWebhook(`${hook.url}${hook.path}`, {
            secret_token: hook.secret,
            allowed_updates: [...ALLOWED_UPDATES],
            max_connections: hook.maxConnections,
            drop_pending_updates: false,
          }),
        { ...telegramRetry, signal: shutdown.signal, maxAttempts: 10 },
      );
    } else {
      // Updates waiting from before (or from a webhook period) are kept, not dropped.
      await retrying(() => bot.telegram.deleteWebhook({ drop_pending_updates: false }), {
        ...telegramRetry,
        signal: shutdown.signal,
        maxAttempts: 10,
      });
      poller = new UpdatePoller(bot.telegram, sink, logger, undefined, ops);
      ops.receiving = true;
      poller.start().done.then(
        () => {
          ops.receiving = false;
        },
        (error: unknown) => {
          ops.receiving = false;
          ops.state = 'failed';
          logger.fatal({ err: error }, 'receiving updates failed');
          options.onFatal?.(error);
        },
      );
    }
    delivery?.start();
    ops.deliveryRunning = Boolean(delivery);
    logger.info(
      {
        username,
        mode: config.mode,
        apiRoot: config.apiRoot,
        api: config.apiUrl,
        delivery: Boolean(delivery),
        workerId,
        opsPort,
      },
      'bot started',
    );
  }
}

/**
 * A chat's updates cut where plain messages start and stop: each run is either plain messages
 * (`plain` holds them) or a single other update (`plain` empty), in the updates' order.
 */
export function runsOf(
  updates: readonly Update[],
): Array<{ updates: Update[]; plain: PlainMessage[] }> {
  const runs: Array<{ updates: Update[]; plain: PlainMessage[] }> = [];
  let current: { updates: Update[]; plain: PlainMessage[] } | null = null;
  for (const update of updates) {
    const plain = plainMessageOf(update);
    if (!plain) {
      current = null;
      runs.push({ updates: [update], plain: [] });
      continue;
    }
    if (!current) {
      current = { updates: [], plain: [] };
      runs.push(current);
    }
    current.updates.push(update);
    current.plain.push(plain);
  }
  return runs;
}
