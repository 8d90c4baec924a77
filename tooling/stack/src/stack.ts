import path from 'node:path';

import { repoRoot } from './env';
import {
  DEV_BOT_TOKEN,
  DEV_BOT_USERNAME,
  DEV_MINI_APP,
  DEV_ONEC_KEY,
  DEV_SERVICE_TOKEN,
  seedAgents,
} from './people';
import type { Child } from './processes';
import { killOnExit, startChild, stopAll, waitUntilUp } from './processes';

/**
 * The whole product as child processes: the Telegram Bot API test server and the 1C emulator
 * (unless real ones are given), one or more api instances (each serving the Mini App and the
 * REST shim for 1C, each running the outbox workers), and the bot. `npm start` and the demo
 * both start it from here.
 */
export interface StackOptions {
  /** One log file per part goes here. */
  logDir: string;
  /** The environment every part inherits (settings not named below pass through unchanged). */
  baseEnv: Record<string, string>;
  /** One api instance per port; the bot and 1C talk to the first, all run the outbox workers. */
  apiPorts: number[];
  /** The local test server on this port, or a real Telegram. */
  telegram: { port: number } | { apiRoot: string; botToken: string };
  /** The local 1C emulator on this port (state kept in `dataFile` when given), or a real 1C. */
  onec: { port: number; dataFile?: string } | { baseUrl: string };
  /** `postgresql://…`; unset: whatever `baseEnv` says (PGlite in `PGLITE_DATA_DIR` by default). */
  databaseUrl?: string;
  /** Public https URL of the Mini App; locally the first api serves it over http. */
  webappUrl?: string;
  /** The bot's ops listener (/healthz, /metrics) on this port; unset: none (polling mode). */
  botOpsPort?: number;
  /** Extra settings of the api instances (they override `baseEnv`). */
  apiEnv?: Record<string, string>;
  /** Told as each part is up. */
  onProgress?: (part: string) => void;
  /** Told as each part's process starts (e.g. to write its pid down). */
  onStarted?: (child: Child) => void;
  /** Aborted (Ctrl-C while starting): the parts started so far are stopped, and this throws. */
  signal?: AbortSignal;
}

export interface Stack {
  apiUrls: string[];
  /** The api the bot and 1C talk to. */
  apiUrl: string;
  webappUrl: string;
  telegramRoot: string;
  localTelegram: boolean;
  /** 1C's infobase URL (`…/bank`). */
  onecUrl: string;
  localOnec: boolean;
  /** The bot's /healthz and /metrics live here (null without `botOpsPort`). */
  botOpsUrl: string | null;
  botToken: string;
  botUsername: string;
  serviceToken: string;
  onecKey: string;
  children: Child[];
  /** Resolves with the first part that stopped while the stack was meant to run. */
  firstExit(): Promise<Child>;
  /** Stops every part, the last started first. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const base = options.baseEnv;
  if (options.apiPorts.length === 0) throw new Error('at least one api instance is needed');
  const database = options.databaseUrl ?? base.DATABASE_URL;
  if (options.apiPorts.length > 1 && !database?.startsWith('postgres'))
    throw new Error('several api instances need one PostgreSQL (PGlite is one process only)');

  const localTelegram = 'port' in options.telegram;
  const localOnec = 'port' in options.onec;
  const botToken = 'botToken' in options.telegram ? options.telegram.botToken : DEV_BOT_TOKEN;
  const apiUrls = options.apiPorts.map((port) => `http://127.0.0.1:${port}`);
  const apiUrl = apiUrls[0]!;
  const webappUrl = options.webappUrl ?? `${apiUrl}/`;
  const telegramRoot =
    'port' in options.telegram
      ? `http://127.0.0.1:${options.telegram.port}`
      : options.telegram.apiRoot;
  const onecUrl =
    'port' in options.onec ? `http://127.0.0.1:${options.onec.port}/bank` : options.onec.baseUrl;
  const serviceToken = base.BOT_SERVICE_TOKEN ?? DEV_SERVICE_TOKEN;
  const onecKey = base.ONEC_INBOUND_API_KEY ?? DEV_ONEC_KEY;
  const botUsername = base.BOT_USERNAME ?? DEV_BOT_USERNAME;

  const children: Child[] = [];
  const forget = killOnExit(children);
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= stopAll(children).finally(() => {
      forget();
    }));
  const progress = options.onProgress ?? (() => undefined);
  const started = (child: Child) => {
    children.push(child);
    options.onStarted?.(child);
  };

  try {
    if ('port' in options.telegram) {
      const telegram = startChild(
        'telegram-test-server',
        path.join(repoRoot, 'packages/telegram-testkit/src/cli.ts'),
        base,
        options.logDir,
        [
          '--port',
          String(options.telegram.port),
          '--bot-token',
          botToken,
          '--bot-username',
          botUsername,
          '--mini-app-url',
          webappUrl,
          '--allow-http-webapp',
        ],
      );
      started(telegram);
      await waitUntilUp(telegram, `${telegramRoot}/__control/state`, undefined, options.signal);
      progress(telegram.name);
    }
    if ('port' in options.onec) {
      const onec = startChild(
        'onec-emulator',
        path.join(repoRoot, 'apps/onec-emulator/src/main.ts'),
        {
          ...base,
          ONEC_EMULATOR_PORT: String(options.onec.port),
          ONEC_EMULATOR_PLATFORM_URL: apiUrl,
          ONEC_EMULATOR_PLATFORM_API_KEY: onecKey,
          ...(options.onec.dataFile ? { ONEC_EMULATOR_DATA_FILE: options.onec.dataFile } : {}),
        },
        options.logDir,
      );
      started(onec);
      await waitUntilUp(
        onec,
        `http://127.0.0.1:${options.onec.port}/__emulator/health`,
        undefined,
        options.signal,
      );
      progress(onec.name);
    }
    // One after the other: the first migrates and seeds the database, the others find it ready.
    for (const [index, port] of options.apiPorts.entries()) {
      const name = options.apiPorts.length === 1 ? 'api' : `api-${index + 1}`;
      const api = startChild(
        name,
        path.join(repoRoot, 'apps/api/src/main.ts'),
        {
          SEED_AGENTS: seedAgents,
          ...base,
          ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
          PORT: String(port),
          TELEGRAM_BOT_TOKEN: botToken,
          TELEGRAM_API_ROOT: telegramRoot,
          BOT_SERVICE_TOKEN: serviceToken,
          ONEC_BASE_URL: onecUrl,
          ONEC_INBOUND_API_KEY: onecKey,
          ...options.apiEnv,
        },
        options.logDir,
      );
      started(api);
      await waitUntilUp(api, `${apiUrls[index]}/healthz`, undefined, options.signal);
      progress(api.name);
    }

    const bot = startChild(
      'bot',
      path.join(repoRoot, 'apps/bot/src/main.ts'),
      {
        ...base,
        TELEGRAM_BOT_TOKEN: botToken,
        TELEGRAM_API_ROOT: telegramRoot,
        BOT_USERNAME: botUsername,
        MINI_APP_SHORT_NAME: base.MINI_APP_SHORT_NAME ?? DEV_MINI_APP,
        WEBAPP_URL: webappUrl,
        API_URL: apiUrl,
        BOT_SERVICE_TOKEN: serviceToken,
        DELIVERY_POLL_MS: base.DELIVERY_POLL_MS ?? '500',
        JOURNAL_DIR: base.JOURNAL_DIR ?? path.join(repoRoot, '.data/bot-journal'),
        // A deal's days of announcements come within a minute here: against the local test
        // server (no limits unless told) the bot spaces one chat's messages less (20 per 5 s).
        ...(localTelegram
          ? { SEND_LIMIT_PER_CHAT_WINDOW_MS: base.SEND_LIMIT_PER_CHAT_WINDOW_MS ?? '5000' }
          : {}),
        ...(options.botOpsPort !== undefined
          ? { OPS_PORT: String(options.botOpsPort), HOST: base.HOST ?? '127.0.0.1' }
          : {}),
      },
      options.logDir,
    );
    started(bot);
    progress(bot.name);
    options.signal?.throwIfAborted();
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    apiUrls,
    apiUrl,
    webappUrl,
    telegramRoot,
    localTelegram,
    onecUrl,
    localOnec,
    botOpsUrl: options.botOpsPort !== undefined ? `http://127.0.0.1:${options.botOpsPort}` : null,
    botToken,
    botUsername,
    serviceToken,
    onecKey,
    children,
    firstExit: () => Promise.race(children.map((child) => child.exited.then(() => child))),
    stop,
  };
}
