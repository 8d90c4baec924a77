import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Db } from '@payreq/db';
import { createDb } from '@payreq/db';
import type { TemporaryPostgres, TestDb } from '@payreq/db/testing';
import { createTestDb, startTemporaryPostgres } from '@payreq/db/testing';
import type { Browser } from 'playwright-core';

import { exportEnv, inheritedEnv, loadEnv, repoRoot } from '../env';
import { people } from '../people';
import { freePorts } from '../processes';
import type { Child } from '../processes';
import type { Stack } from '../stack';
import { partEntries, startStack } from '../stack';
import { standinLink } from '../telegram-control';
import type { EpicResult } from './epic';
import { StepFailure, botMessagesNotArchived, playEpic } from './epic';
import { launchChromium } from './miniapp';
import type { Lang } from './narrator';
import { Narrator, num, t } from './narrator';
import { buildIsStale, buildStalePages, newestMtime } from './webapp';

export interface DemoOptions {
  lang: Lang;
  /** api instances (several need PostgreSQL). */
  apis: number;
  /** PostgreSQL (`TEST_POSTGRES_URL`'s server, or a throwaway one) instead of PGlite. */
  postgres: boolean;
  /** After success, keep everything running until Ctrl-C / SIGTERM (tests look at it meanwhile). */
  hold: boolean;
  /** Keep the data and logs here (default: a temporary folder, removed after a success). */
  dataDir?: string;
  /**
   * Run the built output (`pnpm build`: `node dist/….js`, no TypeScript loader), with the
   * migrations applied as a step of their own before the apis start (PostgreSQL).
   */
  built?: boolean;
}

/** Printed on one line in `--hold` mode: where everything is, for a test to look. */
export const STATE_MARKER = 'DEMO_STATE ';

export interface DemoState {
  apiUrls: string[];
  telegramRoot: string;
  onecUrl: string;
  botToken: string;
  serviceToken: string;
  /** The fresh database (PostgreSQL only). */
  databaseUrl: string | null;
  dataDir: string;
  pids: { name: string; pid: number }[];
  epic: Omit<EpicResult, 'botMessages'> & { botMessageCount: number };
}

/** Parts of the environment that would point the demo somewhere else: the demo sets its own. */
const ownedSettings =
  /^(DATABASE_URL|PGLITE_DATA_DIR|FILE_STORAGE_DIR|PORT|HOST|TELEGRAM_.*|ONEC_.*|BOT_.*|WEBAPP_.*|WEBHOOK_.*|API_URL|MINI_APP_SHORT_NAME|SEED_.*|DELIVERY_.*|JOURNAL_.*|SEND_LIMIT_.*|OUTBOX_.*|JOBS_.*|LOG_LEVEL|NODE_ENV|PLATFORM_TOKEN_SECRET)$/;

/**
 * The stack as the demo runs it, on free ports with its own data under `root` (logs, files,
 * PGlite unless `databaseUrl`), whatever the environment points at: the demo and the browser
 * tests of tooling/stack start it from here.
 */
export async function startLocalStack(options: {
  root: string;
  apis?: number;
  databaseUrl?: string;
  onStarted?: (child: Child) => void;
  signal?: AbortSignal;
  /** Run each part from its build (`node dist/…`), the migrations as a step of their own. */
  built?: boolean;
  migrationStep?: boolean;
}): Promise<Stack> {
  const apis = options.apis ?? 1;
  const ports = await freePorts(2 + apis);
  const [telegramPort, onecPort, ...apiPorts] = ports as [number, number, ...number[]];
  const baseEnv = Object.fromEntries(
    Object.entries(inheritedEnv()).filter(([key]) => !ownedSettings.test(key)),
  );
  Object.assign(baseEnv, {
    NODE_ENV: 'development',
    FILE_STORAGE_DIR: path.join(options.root, 'files'),
    JOURNAL_DIR: path.join(options.root, 'bot-journal'),
    ...(options.databaseUrl ? {} : { PGLITE_DATA_DIR: path.join(options.root, 'pglite') }),
  });
  return startStack({
    logDir: path.join(options.root, 'logs'),
    ...(options.onStarted ? { onStarted: options.onStarted } : {}),
    baseEnv,
    apiPorts,
    telegram: { port: telegramPort },
    onec: { port: onecPort },
    databaseUrl: options.databaseUrl,
    apiEnv: { OUTBOX_POLL_MS: '300' },
    ...(options.signal ? { signal: options.signal } : {}),
    built: options.built,
    migrationStep: options.migrationStep,
  });
}

/**
 * Runs the whole demo: builds the Mini App if needed, starts its own stack on free ports with
 * its own data (PGlite in a temporary folder, or a fresh PostgreSQL database), plays the epic
 * with narration, prints the summary, checks what only the stopped database can tell, and
 * stops every process — also on Ctrl-C. Resolves with the exit code.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const narrator = new Narrator(options.lang);
  const started = Date.now();
  if (options.dataDir && existsSync(options.dataDir) && readdirSync(options.dataDir).length > 0)
    throw new Error(`--data-dir ${options.dataDir} is not empty: the demo starts from nothing`);
  const root = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'payreq-demo-'));
  mkdirSync(root, { recursive: true });
  const logDir = path.join(root, 'logs');
  const filesDir = path.join(root, 'files');
  const pgliteDir = path.join(root, 'pglite');
  const postgres = options.postgres || options.apis > 1;

  const abort = new AbortController();
  let starting: Promise<Stack> | null = null;
  let browser: Browser | null = null;
  let testDb: TestDb | null = null;
  let temporaryPostgres: TemporaryPostgres | null = null;
  let phase: 'running' | 'holding' | 'stopping' = 'running';
  let interrupted = false;
  let releaseHold: () => void = () => undefined;

  let released: Promise<void> | null = null;
  const release = () =>
    (released ??= (async () => {
      abort.abort();
      await browser?.close().catch(() => undefined);
      const stack = await starting?.catch(() => null);
      await stack?.stop();
    })());
  const cleanup = async (keepData: boolean) => {
    await testDb?.close().catch(() => undefined);
    await temporaryPostgres?.stop().catch(() => undefined);
    if (!keepData && !options.dataDir) rmSync(root, { recursive: true, force: true });
  };

  const onSignal = () => {
    if (phase === 'holding') {
      releaseHold();
      return;
    }
    if (interrupted) process.exit(130); // a second Ctrl-C: the exit hook kills what is left
    interrupted = true;
    narrator.info(t('Прервано: останавливаю всё…', 'Interrupted: stopping everything…'), 0);
    void release()
      .then(() => cleanup(false))
      .finally(() => {
        narrator.info(t('Остановлено.', 'Stopped.'), 0);
        process.exit(130);
      });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  narrator.title(
    t(
      'PayReq: сделка в Telegram от начала до конца — демонстрация',
      'PayReq: the Telegram deal room, end to end — a demo',
    ),
  );
  try {
    if (buildIsStale('webapp') || buildIsStale('standin')) {
      narrator.info(t('Собираю Mini App (vite build)…', 'Building the Mini App (vite build)…'));
      await buildStalePages();
    }
    if (options.built) {
      const stale = staleBuilds();
      if (stale.length > 0)
        throw new Error(
          `--built: ${stale.join(', ')} missing or older than the sources: run \`pnpm build\` first`,
        );
    }

    let databaseUrl: string | undefined;
    if (postgres) {
      if (!loadEnv().TEST_POSTGRES_URL) {
        narrator.info(t('Запускаю временный PostgreSQL…', 'Starting a temporary PostgreSQL…'));
        temporaryPostgres = await startTemporaryPostgres();
        exportEnv('TEST_POSTGRES_URL', temporaryPostgres.url);
      }
      testDb = await createTestDb('postgres');
      databaseUrl = testDb.url;
    }

    narrator.info(
      t(
        `Запускаю платформу: тестовый сервер Telegram, эмулятор 1С, api ×${options.apis} (${postgres ? 'PostgreSQL' : 'PGlite'}), бот…`,
        `Starting the platform: Telegram test server, 1C emulator, api ×${options.apis} (${postgres ? 'PostgreSQL' : 'PGlite'}), bot…`,
      ),
    );
    if (options.built)
      narrator.detail(
        t(
          `из сборки (node dist/…, без загрузчика TypeScript)${postgres ? '; миграции — отдельным шагом до запуска api' : ''}`,
          `from the build (node dist/…, no TypeScript loader)${postgres ? '; the migrations as a step of their own before the apis start' : ''}`,
        ),
      );
    const pids: { name: string; pid: number }[] = [];
    starting = startLocalStack({
      root,
      apis: options.apis,
      databaseUrl,
      onStarted: (child) => {
        // Written down as they start: whoever looks after this run can tell what it started.
        pids.push({ name: child.name, pid: child.process.pid! });
        writeFileSync(path.join(root, 'pids.json'), JSON.stringify(pids));
      },
      signal: abort.signal,
      built: options.built,
      migrationStep: options.built,
    });
    const stack = await starting;
    browser = await launchChromium();
    narrator.detail(
      t(
        `готово за ${((Date.now() - started) / 1000).toFixed(1).replace('.', ',')} с; api: ${stack.apiUrls.join(', ')}; журналы: ${logDir}`,
        `ready in ${((Date.now() - started) / 1000).toFixed(1)} s; api: ${stack.apiUrls.join(', ')}; logs: ${logDir}`,
      ),
    );
    narrator.blank();

    // Any part that stops on its own ends the demo with its name.
    const died = stack.firstExit().then((child) => {
      throw new Error(`${child.name} stopped unexpectedly: see ${child.logFile}`);
    });
    died.catch(() => undefined); // the stop at the end ends every part: not a failure then
    const epic = await Promise.race([
      playEpic({ stack, browser, narrator, filesDir, db: testDb?.prisma, signal: abort.signal }),
      died,
    ]);
    await browser.close();
    browser = null;

    printSummary(narrator, stack, epic, { postgres, started });

    if (options.hold) {
      const state: DemoState = {
        apiUrls: stack.apiUrls,
        telegramRoot: stack.telegramRoot,
        onecUrl: stack.onecUrl,
        botToken: stack.botToken,
        serviceToken: stack.serviceToken,
        databaseUrl: databaseUrl ?? null,
        dataDir: root,
        pids: stack.children.map((child) => ({ name: child.name, pid: child.process.pid! })),
        epic: { ...withoutBotMessages(epic), botMessageCount: epic.botMessages.length },
      };
      phase = 'holding';
      narrator.blank();
      narrator.info(
        t(
          'Всё работает дальше; Ctrl-C — остановить.',
          'Everything keeps running; Ctrl-C stops it.',
        ),
        0,
      );
      // Through the stand-in, from the bot's button: Telegram's side of the Mini App is there.
      const open = (user: number) =>
        standinLink(stack.standinUrl!, { as: user, chat: epic.chatId, open: epic.welcomeLink });
      const ivanUrl = open(people.ivan.id);
      const annaUrl = open(people.anna.id);
      for (const line of [
        t(
          `консоль 1С: ${stack.onecUrl}/operator (payreq / payreq)`,
          `1C console: ${stack.onecUrl}/operator (payreq / payreq)`,
        ),
        t(
          `Telegram (тест): ${stack.standinUrl} (управление: ${stack.telegramRoot}/__control)`,
          `Telegram (test): ${stack.standinUrl} (control API: ${stack.telegramRoot}/__control)`,
        ),
        t(`Mini App Ивана: ${ivanUrl}`, `Иван's Mini App: ${ivanUrl}`),
        t(`Mini App Анны: ${annaUrl}`, `Анна's Mini App: ${annaUrl}`),
      ])
        narrator.detail(line);
      process.stdout.write(`${STATE_MARKER}${JSON.stringify(state)}\n`);
      await new Promise<void>((resolve) => {
        releaseHold = resolve;
      });
    }
    phase = 'stopping';
    narrator.blank();
    narrator.info(t('Останавливаю все процессы…', 'Stopping every process…'), 0);
    await release();
    if (!postgres) await checkStoppedPglite(narrator, pgliteDir, epic);
    await cleanup(false);
    narrator.info(
      t(
        `Готово: демонстрация прошла, всё остановлено (${((Date.now() - started) / 1000).toFixed(0)} с).`,
        `Done: the demo passed, everything is stopped (${((Date.now() - started) / 1000).toFixed(0)} s).`,
      ),
      0,
    );
    return 0;
  } catch (error) {
    if (interrupted) return new Promise<number>(() => undefined); // the signal handler exits
    phase = 'stopping';
    narrator.blank();
    if (error instanceof StepFailure) {
      narrator.info(
        t(
          `✗ Шаг ${error.step} не прошёл: ${error.title.ru}`,
          `✗ Step ${error.step} failed: ${error.title.en}`,
        ),
        0,
      );
    } else {
      narrator.info(
        t(
          `✗ Демонстрация не прошла: ${messageOf(error)}`,
          `✗ The demo failed: ${messageOf(error)}`,
        ),
        0,
      );
    }
    await release();
    await cleanup(true);
    narrator.info(t(`Журналы и данные сохранены: ${root}`, `Logs and data kept in: ${root}`), 0);
    return 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGHUP', onSignal);
  }
}

/** Built entries missing, or older than their app's or a workspace package's sources. */
function staleBuilds(): string[] {
  const packagesSources = Math.max(
    ...readdirSync(path.join(repoRoot, 'packages')).map((name) => {
      const dir = path.join(repoRoot, 'packages', name, 'src');
      return existsSync(dir) ? newestMtime(dir) : 0;
    }),
  );
  return Object.values(partEntries)
    .map((entry) => entry.built)
    .filter((built) => {
      const file = path.join(repoRoot, built);
      if (!existsSync(file)) return true;
      const sources = newestMtime(path.join(repoRoot, path.dirname(path.dirname(built)), 'src'));
      return statSync(file).mtimeMs < Math.max(sources, packagesSources);
    });
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function withoutBotMessages(epic: EpicResult): Omit<EpicResult, 'botMessages'> {
  const { botMessages: _omitted, ...rest } = epic;
  return rest;
}

function printSummary(
  narrator: Narrator,
  stack: Stack,
  epic: EpicResult,
  context: { postgres: boolean; started: number },
): void {
  const documents = epic.documents.map((document) => document.fileName).join(', ');
  narrator.title(t('Итог', 'Summary'));
  const lines = [
    t(
      `Заявка ${epic.displayNumber}: «Исполнена», выплата произведена; в 1С — ${epic.onecNumber}`,
      `Request ${epic.displayNumber}: COMPLETED, payout done; in 1C — ${epic.onecNumber}`,
    ),
    t(`Ссылка в 1С: ${decodeURI(epic.onecUrl)}`, `1C link: ${decodeURI(epic.onecUrl)}`),
    t(
      `Условия 1С: курс ${num(epic.offer.rate).ru}, комиссия ${num(epic.offer.feePercent).ru} %, итого ${num(epic.offer.totalToPay, 2).ru} RUB — приняты автоматически`,
      `1C's terms: rate ${num(epic.offer.rate).en}, fee ${num(epic.offer.feePercent).en} %, total ${num(epic.offer.totalToPay, 2).en} RUB — accepted automatically`,
    ),
    t(
      `Группа «${epic.chatTitle}»: ${epic.botMessages.length} сообщений бота (каждое один раз), документы: ${documents}`,
      `Group “${epic.chatTitle}”: ${epic.botMessages.length} bot messages (each once), documents: ${documents}`,
    ),
    t(
      `Зеркало чата: ${epic.chatMessages.length} сообщения (одно из них — фото) и ${epic.botMessages.length} сообщений бота — на платформе`,
      `Chat mirror: ${epic.chatMessages.length} messages (a photo among them) and the bot's ${epic.botMessages.length} — on the platform`,
    ),
    t(
      stack.apiUrls.length > 1
        ? `${stack.apiUrls.length} экземпляра api на одной PostgreSQL: Иван работал через ${epic.clientApiUrl}, Анна — через ${epic.agentApiUrl}, бот и 1С — через ${stack.apiUrl}`
        : `api на ${context.postgres ? 'PostgreSQL' : 'PGlite'}: ${stack.apiUrl}`,
      stack.apiUrls.length > 1
        ? `${stack.apiUrls.length} api instances on one PostgreSQL: Иван worked through ${epic.clientApiUrl}, Анна through ${epic.agentApiUrl}, the bot and 1C through ${stack.apiUrl}`
        : `api on ${context.postgres ? 'PostgreSQL' : 'PGlite'}: ${stack.apiUrl}`,
    ),
    t(
      `Время: ${((Date.now() - context.started) / 1000).toFixed(0)} с`,
      `Time: ${((Date.now() - context.started) / 1000).toFixed(0)} s`,
    ),
  ];
  for (const line of lines) narrator.detail(line);
}

/**
 * What only the database can tell, read once the api has closed its PGlite: each chat message
 * mirrored once, the photo's row pointing at its bytes, the bot's messages in the archive, and
 * the outbox fully delivered.
 */
async function checkStoppedPglite(
  narrator: Narrator,
  pgliteDir: string,
  epic: EpicResult,
): Promise<void> {
  let db: Db | null = null;
  try {
    db = await createDb({ pgliteDataDir: pgliteDir, migrate: false });
    const rows = await db.prisma.chatMessage.findMany({
      where: {
        chatId: BigInt(epic.chatId),
        messageId: { in: epic.chatMessages.map((message) => message.messageId) },
      },
      include: { asset: true },
    });
    const photo = rows.find((row) => row.kind === 'photo');
    if (rows.length !== epic.chatMessages.length || photo?.asset?.sha256 !== epic.photoSha256)
      throw new Error(
        `the database holds ${rows.length} of ${epic.chatMessages.length} chat messages${photo?.asset ? '' : ', the photo without its file'}`,
      );
    const lacking = await botMessagesNotArchived(db.prisma, epic.chatId, epic.botMessages);
    if (lacking) throw new Error(lacking);
    const outbox = await db.prisma.outboxMessage.groupBy({
      by: ['state'],
      _count: { _all: true },
    });
    const notDelivered = outbox.filter((row) => row.state !== 'DELIVERED');
    if (notDelivered.length > 0)
      throw new Error(
        `outbox rows not delivered: ${notDelivered.map((row) => `${row.state} ${row._count._all}`).join(', ')}`,
      );
    const delivered = outbox.reduce((sum, row) => sum + row._count._all, 0);
    narrator.detail(
      t(
        `✓ база после остановки: ${rows.length} строки ChatMessage (фото — с тем же файлом) и все ${epic.botMessages.length} сообщений бота в архиве, все ${delivered} сообщений outbox доставлены`,
        `✓ the database after the stop: ${rows.length} ChatMessage rows (the photo with its file) and all ${epic.botMessages.length} bot messages in the archive, all ${delivered} outbox messages delivered`,
      ),
    );
  } finally {
    await db?.close();
  }
}
