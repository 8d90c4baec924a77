import path from 'node:path';

import { repoRoot } from './env';
import {
  DEV_BOT_TOKEN,
  DEV_BOT_NAME,
  DEV_BOT_USERNAME,
  DEV_MINI_APP,
  DEV_ONEC_KEY,
  DEV_SERVICE_TOKEN,
  seedAgents,
} from './people';
import type { Child } from './processes';
import { killOnExit, startChild, stopAll, waitUntilUp } from './processes';

/**
 * Each part's entry: its TypeScript source (development), or what its build writes to `dist/`
 * (`pnpm build`; the container images run the same files with the same `node`).
 */
export const partEntries = {
  'telegram-test-server': {
    source: 'packages/telegram-testkit/src/cli.ts',
    built: 'packages/telegram-testkit/dist/cli.js',
  },
  'onec-emulator': {
    source: 'apps/onec-emulator/src/main.ts',
    built: 'apps/onec-emulator/dist/main.js',
  },
  api: { source: 'apps/api/src/main.ts', built: 'apps/api/dist/main.js' },
  bot: { source: 'apps/bot/src/main.ts', built: 'apps/bot/dist/main.js' },
  /** The migration step: `migrate:deploy` of packages/db, bundled into the api's build. */
  migrate: { source: 'packages/db/scripts/migrate.ts', built: 'apps/api/dist/migrate.js' },
} as const;
export type PartName = keyof typeof partEntries;

/** What a restarted part reports (see `StackOptions.restart`). */
export interface RestartNotice {
  name: string;
  /** How it ended: `exit code 1`, `signal SIGKILL`. */
  reason: string;
  delayMs: number;
  /** Restarts in a row, this one included (reset once it has run for a minute). */
  attempt: number;
  logFile: string;
}

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
  /** The local test server on this port (its world kept in `dataFile` when given), or a real Telegram. */
  telegram: { port: number; dataFile?: string } | { apiRoot: string; botToken: string };
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
  /** Run every part from its build (`dist/`, plain `node`) instead of its TypeScript source. */
  built?: boolean;
  /**
   * PostgreSQL: apply the migrations as a step of their own (`migrate deploy`, as the
   * deployment's migration job does) before any api starts; the apis then only check them
   * (`MIGRATE_ON_START=false`). Otherwise the first api migrates as it starts.
   */
  migrationStep?: boolean;
  /**
   * A stand-in or the bot that stops is started again, with backoff, and reported through
   * `onRestart`; only an api stopping ends the stack (`firstExit`). Off: any part stopping does.
   */
  restart?: boolean;
  onRestart?: (notice: RestartNotice) => void;
}

export interface Stack {
  apiUrls: string[];
  /** The api the bot and 1C talk to. */
  apiUrl: string;
  webappUrl: string;
  telegramRoot: string;
  localTelegram: boolean;
  /** The test server's Telegram Web look-alike (`…/web/`); null with a real Telegram. */
  standinUrl: string | null;
  /** 1C's infobase URL (`…/bank`). */
  onecUrl: string;
  localOnec: boolean;
  /** The bot's /healthz and /metrics live here (null without `botOpsPort`). */
  botOpsUrl: string | null;
  botToken: string;
  botUsername: string;
  /** The bot's Mini App short name (`t.me/<bot>/<short name>`). */
  miniAppShortName: string;
  serviceToken: string;
  onecKey: string;
  /** The parts' current processes (a restarted part's new process replaces its old one). */
  children: Child[];
  /** Resolves with the first part that stopped for good while the stack was meant to run. */
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
  const miniAppShortName = base.MINI_APP_SHORT_NAME ?? DEV_MINI_APP;

  const children: Child[] = [];
  const forget = killOnExit(children);
  const restartTimers = new Set<NodeJS.Timeout>();
  let stopping = false;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopping = true;
    for (const timer of restartTimers) clearTimeout(timer);
    return (stopped ??= stopAll(children).finally(() => {
      forget();
    }));
  };
  let reportFatal: (child: Child) => void = () => undefined;
  const fatal = new Promise<Child>((resolve) => {
    reportFatal = resolve;
  });
  const progress = options.onProgress ?? (() => undefined);
  const entry = (part: PartName) =>
    path.join(repoRoot, options.built ? partEntries[part].built : partEntries[part].source);

  /**
   * Starts a part and watches it: a part that stops while the stack runs is fatal, unless it
   * may be restarted (a stand-in or the bot, with `options.restart`): then it is started again
   * after 1, 2, 4 … 30 s, the count starting over once it has run for a minute.
   */
  const launch = (start: () => Child, restartable: boolean): Child => {
    let attempt = 0;
    let slot = -1;
    const run = (): Child => {
      const child = start();
      if (slot < 0) slot = children.push(child) - 1;
      else children[slot] = child;
      options.onStarted?.(child);
      const startedAt = Date.now();
      void child.exited.then((code) => {
        if (stopping) return;
        if (!restartable || !options.restart) {
          reportFatal(child);
          return;
        }
        if (Date.now() - startedAt > 60_000) attempt = 0;
        attempt += 1;
        const delayMs = Math.min(30_000, 1_000 * 2 ** (attempt - 1));
        const signal = child.process.signalCode;
        options.onRestart?.({
          name: child.name,
          reason: signal ? `signal ${signal}` : `exit code ${code}`,
          delayMs,
          attempt,
          logFile: child.logFile,
        });
        const timer = setTimeout(() => {
          restartTimers.delete(timer);
          if (!stopping) run();
        }, delayMs);
        restartTimers.add(timer);
      });
      return child;
    };
    return run();
  };

  try {
    if ('port' in options.telegram) {
      const args = [
        '--port',
        String(options.telegram.port),
        '--bot-token',
        botToken,
        '--bot-username',
        botUsername,
        '--bot-name',
        DEV_BOT_NAME,
        '--mini-app-url',
        webappUrl,
        // The bot's group button opens t.me/<bot>/<short name>: the test server must know it.
        '--mini-app',
        `${miniAppShortName}=${webappUrl}`,
        '--allow-http-webapp',
        ...(options.telegram.dataFile ? ['--data-file', options.telegram.dataFile] : []),
      ];
      const telegram = launch(
        () =>
          startChild(
            'telegram-test-server',
            entry('telegram-test-server'),
            base,
            options.logDir,
            args,
          ),
        true,
      );
      await waitUntilUp(telegram, `${telegramRoot}/__control/state`, undefined, options.signal);
      progress(telegram.name);
    }
    if ('port' in options.onec) {
      const onecEnv = {
        ...base,
        ONEC_EMULATOR_PORT: String(options.onec.port),
        ONEC_EMULATOR_PLATFORM_URL: apiUrl,
        ONEC_EMULATOR_PLATFORM_API_KEY: onecKey,
        ...(options.onec.dataFile ? { ONEC_EMULATOR_DATA_FILE: options.onec.dataFile } : {}),
      };
      const onec = launch(
        () => startChild('onec-emulator', entry('onec-emulator'), onecEnv, options.logDir),
        true,
      );
      await waitUntilUp(
        onec,
        `http://127.0.0.1:${options.onec.port}/__emulator/health`,
        undefined,
        options.signal,
      );
      progress(onec.name);
    }
    const migrationStep = Boolean(options.migrationStep && database?.startsWith('postgres'));
    if (migrationStep) {
      const migrate = startChild(
        'migrate',
        entry('migrate'),
        { ...base, DATABASE_URL: database! },
        options.logDir,
        ['deploy'],
      );
      children.push(migrate);
      options.onStarted?.(migrate);
      const code = await migrate.exited;
      if (code !== 0)
        throw new Error(`the migration step failed (${code}): see ${migrate.logFile}`);
      progress(migrate.name);
    }
    // One after the other: the first migrates (unless the step did) and seeds the database, the
    // others find it ready.
    for (const [index, port] of options.apiPorts.entries()) {
      const name = options.apiPorts.length === 1 ? 'api' : `api-${index + 1}`;
      const apiEnv = {
        SEED_AGENTS: seedAgents,
        ...base,
        ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
        PORT: String(port),
        TELEGRAM_BOT_TOKEN: botToken,
        TELEGRAM_API_ROOT: telegramRoot,
        BOT_SERVICE_TOKEN: serviceToken,
        ONEC_BASE_URL: onecUrl,
        ONEC_INBOUND_API_KEY: onecKey,
        ...(migrationStep ? { MIGRATE_ON_START: 'false' } : {}),
        // The portal's sign-in: the test server's login page, or Telegram's widget for the real bot.
        ...(localTelegram
          ? { PORTAL_LOGIN_TEST_SERVER_URL: telegramRoot }
          : { PORTAL_LOGIN: 'telegram', TELEGRAM_BOT_USERNAME: botUsername }),
        ...options.apiEnv,
      };
      const api = launch(() => startChild(name, entry('api'), apiEnv, options.logDir), false);
      await waitUntilUp(api, `${apiUrls[index]}/healthz`, undefined, options.signal);
      progress(api.name);
    }

    const botEnv = {
      ...base,
      TELEGRAM_BOT_TOKEN: botToken,
      TELEGRAM_API_ROOT: telegramRoot,
      BOT_USERNAME: botUsername,
      MINI_APP_SHORT_NAME: miniAppShortName,
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
    };
    const bot = launch(() => startChild('bot', entry('bot'), botEnv, options.logDir), true);
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
    standinUrl: localTelegram ? `${telegramRoot}/web/` : null,
    onecUrl,
    localOnec,
    botOpsUrl: options.botOpsPort !== undefined ? `http://127.0.0.1:${options.botOpsPort}` : null,
    botToken,
    botUsername,
    miniAppShortName,
    serviceToken,
    onecKey,
    children,
    firstExit: () => fatal,
    stop,
  };
}
