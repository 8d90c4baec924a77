import { execFile, execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chownSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import type { PrismaClient } from '@payreq/db';
import { createDb } from '@payreq/db';
import type { TestDb } from '@payreq/db/testing';
import { createTestDb, findPostgresBinDir } from '@payreq/db/testing';
import { createEmulator } from '@payreq/onec-emulator';
import type { Emulator } from '@payreq/onec-emulator';
import { createTRPCClient, httpLink } from '@trpc/client';

import { issuePlatformToken } from '../../src/auth/platform-token';
import type { OutboxWorker } from '../../src/outbox';
import { onecKinds } from '@payreq/contracts';
import type { AppRouter } from '../../src/trpc/router';
import type { World } from '@payreq/testing';
import { createWorld } from '@payreq/testing';
import { afterAll, beforeAll } from 'vitest';
import type { TestApi } from '../../testing/harness';
import {
  TEST_BOT_SERVICE_TOKEN,
  TEST_BOT_TOKEN,
  TEST_TOKEN_SECRET,
  dbKind,
  startTestApi,
} from '../../testing/harness';
import { ONEC_API_KEY, createInHouseDraft, startOnecWorker } from '../../testing/onec';
import type { Figure } from '@payreq/testing/reliability';
import { recordFigure } from '@payreq/testing/reliability';

/**
 * What the fault tests share: counting what 1C received, the worker with short pauses, many
 * in-house requests submitted over real HTTP, a tally of the deliveries as a figure, and the
 * processes a fault needs (a PostgreSQL cluster of its own to restart, the api as a child
 * process to kill).
 */

const apiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------- 1C

/** The 1C emulator on a free port, only receiving (for an api that runs in another process). */
export async function startOnecEmulator(): Promise<Emulator> {
  const emulator = createEmulator({
    username: 'payreq',
    password: 'payreq',
    platform: null,
    timeZone: 'Europe/Moscow',
  });
  await emulator.start(0);
  return emulator;
}

/**
 * Every "create the request" call 1C receives, by our request id (counted before 1C's own
 * idempotency answers a repeat with the document it already has).
 */
export function countCreateCalls(emulator: Emulator): Map<string, number> {
  const calls = new Map<string, number>();
  const operator = emulator.operator;
  const receive = operator.receiveRequest.bind(operator);
  operator.receiveRequest = (body) => {
    const id = body.platformId.toLowerCase();
    calls.set(id, (calls.get(id) ?? 0) + 1);
    return receive(body);
  };
  return calls;
}

// ---------------------------------------------------------------- the worker

export interface FaultWorkerOptions {
  workerId?: string;
  /** The 1C client's timeout per attempt. */
  timeoutMs?: number;
  /** Default 1 s (renewed while a delivery runs, as in the api). */
  leaseMs?: number;
  batchSize?: number;
}

/** The api's ONEC outbox worker against the emulator, with pauses of tens of milliseconds. */
export function startFaultWorker(
  db: PrismaClient,
  emulator: Emulator,
  options: FaultWorkerOptions = {},
): OutboxWorker {
  return startOnecWorker({ prisma: db }, emulator, {
    workerId: options.workerId,
    timeoutMs: options.timeoutMs ?? 2_000,
    leaseMs: options.leaseMs ?? 1_000,
    batchSize: options.batchSize ?? 10,
    // Nothing may die during a fault: a DEAD message counts as lost.
    retry: { baseDelayMs: 50, maxDelayMs: 250 },
    maxAttempts: 1_000,
  });
}

// ---------------------------------------------------------------- submitting

export type PlatformClient = ReturnType<typeof createTRPCClient<AppRouter>>;

/** A platform client of an api anywhere (in this process or a child), as an agent of the world. */
export function agentClient(url: string, agentId: string): PlatformClient {
  const token = issuePlatformToken({ kind: 'agent', id: agentId }, TEST_TOKEN_SECRET, 3600);
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({ url: `${url}/trpc`, headers: () => ({ authorization: `Bearer ${token}` }) }),
    ],
  });
}

/** Runs `task` over `items`, `width` at a time. */
export async function inParallel<T, R>(
  items: readonly T[],
  width: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return results;
}

/**
 * `count` complete in-house drafts of Anna's deal rooms, submitted by Anna over HTTP (the
 * submit writes the `onec.createRequest` outbox row); `urls` are taken in turn. Returns the
 * request ids.
 */
export async function submitInHouse(
  prisma: PrismaClient,
  world: World,
  urls: readonly string[],
  count: number,
): Promise<string[]> {
  const drafts = await inParallel(Array.from({ length: count }), 4, () =>
    createInHouseDraft(prisma, world),
  );
  const clients = urls.map((url) => agentClient(url, world.anna.id));
  await inParallel(drafts, 6, (draft, index) =>
    clients[index % clients.length]!.requests.submit.mutate({
      requestId: draft.id,
      version: draft.version,
    }),
  );
  return drafts.map((draft) => draft.id);
}

// ---------------------------------------------------------------- the tally

export interface DeliveryTally {
  expected: number;
  /** Outbox row DELIVERED, the document in 1C, and 1C's reference stored on the request. */
  delivered: number;
  lost: number;
  /** Documents 1C holds beyond one per request id. */
  duplicated: number;
  /** "Create the request" calls 1C received for these requests. */
  calls: number;
  /** Calls beyond the first per request (retries of a lost answer, a crashed worker's message). */
  repeatedCalls: number;
  dead: number;
  /** Outbox attempts that did not deliver (claims beyond the delivering one). */
  failedAttempts: number;
  /** History rows linking a request to its 1C document (one per request). */
  linkRows: number;
  lastDeliveredAt: Date | null;
}

const requestIdOf = (payload: unknown) =>
  String((payload as { requestId?: unknown } | null)?.requestId ?? '');

async function createRows(prisma: PrismaClient, ids: readonly string[]) {
  const wanted = new Set(ids);
  const rows = await prisma.outboxMessage.findMany({
    where: { target: 'ONEC', kind: onecKinds.createRequest },
    select: { payload: true, state: true, deliveredAt: true, attempts: true },
  });
  return rows.filter((row) => wanted.has(requestIdOf(row.payload)));
}

/** Waits until every request's message is DELIVERED; false when `timeoutMs` runs out first. */
export async function waitForDeliveries(
  prisma: PrismaClient,
  ids: readonly string[],
  timeoutMs = 20_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const rows = await createRows(prisma, ids);
      if (rows.filter((row) => row.state === 'DELIVERED').length === ids.length) return true;
    } catch {
      // the database may be on its way back up
    }
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}

export async function tallyDeliveries(
  prisma: PrismaClient,
  emulator: Emulator,
  calls: Map<string, number>,
  ids: readonly string[],
): Promise<DeliveryTally> {
  const rows = await createRows(prisma, ids);
  const rowOf = new Map(rows.map((row) => [requestIdOf(row.payload), row]));
  const requests = await prisma.paymentRequest.findMany({
    where: { id: { in: [...ids] } },
    select: { id: true, onecRef: true },
  });
  const onecRefOf = new Map(requests.map((request) => [request.id, request.onecRef]));
  let delivered = 0;
  let duplicated = 0;
  let callCount = 0;
  let repeatedCalls = 0;
  for (const id of ids) {
    const documents = emulator.store.requests.filter((r) => r.platformId === id.toLowerCase());
    duplicated += Math.max(0, documents.length - 1);
    const received = calls.get(id.toLowerCase()) ?? 0;
    callCount += received;
    repeatedCalls += Math.max(0, received - 1);
    if (
      rowOf.get(id)?.state === 'DELIVERED' &&
      documents.length > 0 &&
      onecRefOf.get(id) === documents[0]!.ref
    )
      delivered += 1;
  }
  const linkRows = await prisma.requestHistory.count({
    where: { requestId: { in: [...ids] }, field: 'onecRef' },
  });
  const times = rows.flatMap((row) => (row.deliveredAt ? [row.deliveredAt.getTime()] : []));
  return {
    expected: ids.length,
    delivered,
    lost: ids.length - delivered,
    duplicated,
    calls: callCount,
    repeatedCalls,
    dead: rows.filter((row) => row.state === 'DEAD').length,
    failedAttempts: rows.reduce(
      (sum, row) => sum + row.attempts - (row.state === 'DELIVERED' ? 1 : 0),
      0,
    ),
    linkRows,
    lastDeliveredAt: times.length ? new Date(Math.max(...times)) : null,
  };
}

/**
 * Records a delivery figure: passes when nothing is lost or dead, no request exists twice in
 * 1C, and each request was linked to its 1C document exactly once. Recovery time goes in the
 * text only (never asserted).
 */
export function recordDeliveryFigure(input: {
  name: string;
  tally: DeliveryTally;
  /** Where the recovery clock starts, e.g. when the fault ended ("the fault ended"). */
  since: { at: number; label: string };
  /** What else to say, e.g. "fault hit 37 calls". */
  detail?: string;
  extraPass?: boolean;
  extraNote?: string;
  target?: string;
}): Figure {
  const { tally } = input;
  const recovered = tally.lastDeliveredAt
    ? `last delivery ${seconds(Math.max(0, tally.lastDeliveredAt.getTime() - input.since.at))} after ${input.since.label}`
    : 'nothing delivered';
  const pass =
    tally.lost === 0 &&
    tally.duplicated === 0 &&
    tally.dead === 0 &&
    tally.linkRows === tally.expected &&
    (input.extraPass ?? true);
  const notes = [
    tally.lost ? `${tally.lost} lost` : '',
    tally.duplicated ? `${tally.duplicated} duplicated` : '',
    tally.dead ? `${tally.dead} dead` : '',
    tally.linkRows !== tally.expected ? `${tally.linkRows} link rows` : '',
    input.extraPass === false ? (input.extraNote ?? 'precondition not met') : '',
  ].filter(Boolean);
  return recordFigure({
    name: input.name,
    tried: tally.expected,
    outcome:
      `delivered ${tally.delivered}/${tally.expected}, lost ${tally.lost}, ` +
      `duplicated creations ${tally.duplicated}; create calls ${tally.calls} ` +
      `(${tally.repeatedCalls} repeated), failed attempts ${tally.failedAttempts}` +
      `${input.detail ? `; ${input.detail}` : ''}; ${recovered}`,
    rowsWritten: tally.linkRows,
    target: input.target ?? 'lost 0, duplicated 0',
    pass,
    note: notes.length ? notes.join(', ') : undefined,
  });
}

// ---------------------------------------------------------------- the api on a given database

/**
 * The real api, as `startTestApi` builds it, on the database at `url` (migrated here): for a
 * database the test controls, such as a cluster it restarts.
 */
export async function startApiOn(url: string): Promise<TestApi> {
  return startTestApi(dbKind, { database: await createDb({ url, migrate: true }) });
}

// ---------------------------------------------------------------- processes

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** As root, the `postgres` user's uid/gid (PostgreSQL refuses to run as root); otherwise nothing. */
function postgresIdentity(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

export interface PostgresCluster {
  /** Superuser URL of the `postgres` database. */
  url: string;
  /** A database URL on this cluster. */
  urlOf(database: string): string;
  /** Fast shutdown (sessions cut), `downMs` without a server, start again; resolves when it accepts connections. */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL cluster of the test's own (initdb + pg_ctl, trust auth, fsync off), so it can
 * be restarted without disturbing the suite's shared server. Stopped at exit if the test
 * could not stop it.
 */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const binDir = findPostgresBinDir();
  if (!binDir) throw new Error('PostgreSQL server binaries not found');
  const identity = postgresIdentity();
  const root = mkdtempSync(path.join(tmpdir(), 'payreq-pg-restart-'));
  if (identity) chownSync(root, identity.uid, identity.gid);
  const dataDir = path.join(root, 'data');
  const options = { cwd: root, ...identity };
  const pgCtl = (...args: string[]) =>
    execFileAsync(path.join(binDir, 'pg_ctl'), ['-D', dataDir, ...args], options);
  const stopNow = () => {
    try {
      execFileSync(path.join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', 'stop'], {
        ...options,
        stdio: 'ignore',
      });
    } catch {
      // not running
    }
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', stopNow);
  await execFileAsync(
    path.join(binDir, 'initdb'),
    ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
    options,
  );
  const port = await freePort();
  const serverOptions = [
    `-p ${port}`,
    `-k ${root}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=100',
    '-c shared_buffers=32MB',
  ].join(' ');
  const start = () =>
    pgCtl('-o', serverOptions, '-l', path.join(root, 'server.log'), '-w', '-t', '30', 'start');
  await start();
  const urlOf = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  let stopped = false;
  return {
    url: urlOf('postgres'),
    urlOf,
    async restart(downMs) {
      await pgCtl('-m', 'fast', '-w', 'stop');
      await sleep(downMs);
      await start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await pgCtl('-m', 'fast', '-w', 'stop').catch(() => undefined);
      process.removeListener('exit', stopNow);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface ApiProcess {
  url: string;
  port: number;
  logFile: string;
  child: ChildProcess;
  /** SIGKILL: no shutdown, deliveries in flight are cut. */
  kill(): Promise<void>;
  /** SIGTERM (the api stops cleanly), SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/**
 * The api as its own process, started as production starts it (`src/main.ts`: migrate, seed,
 * HTTP server, the 1C outbox worker), configured only through its environment.
 */
export async function startApiProcess(options: {
  databaseUrl: string;
  onecBaseUrl: string;
  logFile: string;
  /** Agents kept on the whitelist by the seed, `Name:telegramId,...`. */
  seedAgents: string;
  port?: number;
  env?: Record<string, string>;
}): Promise<ApiProcess> {
  const port = options.port ?? (await freePort());
  const scratch = mkdtempSync(path.join(tmpdir(), 'payreq-api-'));
  const log = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: apiDir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? scratch,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DATABASE_URL: options.databaseUrl,
      PLATFORM_TOKEN_SECRET: TEST_TOKEN_SECRET,
      SEED_MASTER_TENANT_NAME: 'Банк',
      SEED_AGENTS: options.seedAgents,
      JOBS_ENABLED: 'false',
      FILE_STORAGE_DIR: path.join(scratch, 'files'),
      WEBAPP_DIST_DIR: path.join(scratch, 'no-webapp'),
      TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
      // Nobody listens there: membership comes from the bot's reports only.
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
      BOT_SERVICE_TOKEN: TEST_BOT_SERVICE_TOKEN,
      ONEC_BASE_URL: options.onecBaseUrl,
      ONEC_INBOUND_API_KEY: ONEC_API_KEY,
      ONEC_TIMEOUT_MS: '5000',
      OUTBOX_WORKER_ENABLED: 'true',
      OUTBOX_POLL_MS: '20',
      OUTBOX_LEASE_MS: '2000',
      OUTBOX_MAX_ATTEMPTS: '1000',
      ...options.env,
    },
    // Its own process group: tsx's esbuild service goes with it.
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  const killAtExit = () => signal('SIGKILL');
  process.once('exit', killAtExit);
  const cleanUp = () => {
    process.removeListener('exit', killAtExit);
    rmSync(scratch, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!running()) {
      cleanUp();
      const tail = readFileSync(options.logFile, 'utf8').slice(-2_000);
      throw new Error(`the api stopped while starting:\n${tail}`);
    }
    const up = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      signal('SIGKILL');
      await exited;
      cleanUp();
      throw new Error(`the api did not come up within 60 s: see ${options.logFile}`);
    }
    await sleep(100);
  }
  return {
    url,
    port,
    logFile: options.logFile,
    child,
    async kill() {
      if (running()) signal('SIGKILL');
      await exited;
      cleanUp();
    },
    async stop() {
      if (running()) {
        signal('SIGTERM');
        const timer = setTimeout(() => signal('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      cleanUp();
    },
  };
}

/** Api processes on a PostgreSQL database of their own, beside the 1C emulator. */
export interface ApiProcessesRig {
  db: TestDb;
  world: World;
  emulator: Emulator;
  /** 1C's create calls per platform id (`countCreateCalls`). */
  calls: Map<string, number>;
  /** The processes started, stopped after the suite. */
  apis: ApiProcess[];
  /** Starts an api process on the rig's database and 1C, its log in the rig's folder. */
  startApi(logName: string): Promise<ApiProcess>;
}

/**
 * Registers the suite's hooks for api processes: before it, a fresh PostgreSQL database with
 * the world, the 1C emulator and a folder for the logs; after it, the processes stopped and all
 * of it removed. The fields are set once the suite's `beforeAll` hooks run.
 */
export function apiProcessesRig(): ApiProcessesRig {
  let logDir: string | undefined;
  const rig = {
    apis: [] as ApiProcess[],
    async startApi(logName: string) {
      const api = await startApiProcess({
        databaseUrl: rig.db.url!,
        onecBaseUrl: rig.emulator.baseUrl,
        logFile: path.join(logDir!, logName),
        seedAgents: 'Anna (bank):7000000001,Boris (bank):7000000002',
      });
      rig.apis.push(api);
      return api;
    },
  } as ApiProcessesRig;
  beforeAll(async () => {
    rig.db = await createTestDb('postgres');
    rig.world = await createWorld(rig.db.prisma);
    rig.emulator = await startOnecEmulator();
    rig.calls = countCreateCalls(rig.emulator);
    logDir = mkdtempSync(path.join(tmpdir(), 'payreq-api-logs-'));
  });
  afterAll(async () => {
    for (const api of rig.apis) await api.stop();
    await rig.emulator?.stop();
    await rig.db?.close();
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });
  return rig;
}
