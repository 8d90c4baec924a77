/**
 * `pnpm --filter @payreq/bench bench`: every benchmark on PostgreSQL (TEST_POSTGRES_URL, or a
 * temporary server started here), one table: benchmark | figure | value | floor | ratio | target.
 * See README.md. Nothing is asserted: this prints figures.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { benchDir } from './lib/child.ts';
import { cleanupAll, track } from './lib/cleanup.ts';
import { config } from './lib/config.ts';
import { acquirePostgres } from './lib/postgres.ts';
import { table } from './lib/report.ts';
import type { BenchContext, BenchModule, Row } from './lib/report.ts';
import { apiCompare } from './modules/api-compare.ts';
import { botMirror } from './modules/bot-mirror.ts';
import { chatImport } from './modules/chat-import.ts';
import { miniAppLoad } from './modules/mini-app-load.ts';
import { onecLoop } from './modules/onec-loop.ts';
import { scale } from './modules/scale.ts';
import { webappWeight } from './modules/webapp-weight.ts';

/** In the order they run (the parts 1–5). */
const modules: BenchModule[] = [
  miniAppLoad,
  scale,
  chatImport,
  botMirror,
  onecLoop,
  webappWeight,
  apiCompare,
];

const log = (message: string) => process.stderr.write(`[bench ${elapsed()}] ${message}\n`);
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s`;

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping everything this run started`);
    void cleanupAll().then(() => process.exit(130));
  });
}
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => {
    if (interrupted) return; // e.g. a connection cut by the interrupt itself
    console.error(error);
    interrupted = true;
    void cleanupAll().then(() => process.exit(1));
  });
}

function machine(postgresVersion: string): string[] {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(
    safe(() => execFileSync('cat', ['/proc/cpuinfo'], { encoding: 'utf8' })),
  )?.[1];
  return [
    `CPUs: ${os.availableParallelism()} × ${cpu ?? os.cpus()[0]?.model ?? 'unknown'}`,
    `memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `Node ${process.version}, ${os.type()} ${os.release()}`,
    `PostgreSQL: ${postgresVersion}`,
  ];
}

function safe(read: () => string): string {
  try {
    return read();
  } catch {
    return '';
  }
}

const loadAverage = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
const loadAtStart = loadAverage();

async function main(): Promise<void> {
  const selected = config.only.length
    ? modules.filter((m) => config.only.includes(m.name))
    : modules.filter((m) => !m.onlyWhenNamed);
  if (selected.length === 0)
    throw new Error(`BENCH_ONLY names no module (have: ${modules.map((m) => m.name).join(', ')})`);

  const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'payreq-bench-'));
  track('temp folder', () => rmSync(tmpDir, { recursive: true, force: true }));
  log(
    'PostgreSQL: ' +
      (process.env.TEST_POSTGRES_URL ? 'TEST_POSTGRES_URL' : 'starting a temporary server'),
  );
  const postgres = await acquirePostgres();
  const ctx: BenchContext = {
    postgres,
    tmpDir,
    log,
    profileFile(name) {
      if (!config.cpuProfile) return undefined;
      const dir = path.join(benchDir, '.cache', 'profiles');
      mkdirSync(dir, { recursive: true });
      return path.join(dir, `${name}.cpuprofile`);
    },
  };

  const rows: Row[] = [];
  for (const module of selected) {
    log(`${module.name}: ${module.title}`);
    rows.push(...(await module.run(ctx)));
  }

  const header = [
    `PayReq benchmarks, ${new Date().toISOString()} (${elapsed().trim()})`,
    ...machine(postgres.version),
    `load average at start ${loadAtStart}, at end ${loadAverage()} (other processes on the machine move the figures)`,
    `PostgreSQL from ${postgres.origin}; load: ${config.connections} connections, ${config.warmupSeconds} s warm-up + ${config.durationSeconds} s per run; export: ${config.exportMessages} messages`,
    `bot: ${config.botMessages} messages (${config.botModes.join(' and ')}); 1C: ${config.onecRequests} submits by ${config.onecConcurrency} agents, backlog ${config.onecBacklog}; Mini App: ${config.webappLoads} cold loads per CPU setting`,
  ];
  const output = `${header.join('\n')}\n\n${table(rows)}\n`;
  process.stdout.write(`\n${output}`);
  mkdirSync(path.join(benchDir, '.cache'), { recursive: true });
  writeFileSync(path.join(benchDir, '.cache', 'last-run.md'), output);
  const missed = rows.filter((row) => row.met === false);
  if (missed.length > 0)
    log(
      `${missed.length} figure(s) missed their target (see README.md: this is a report, not a test)`,
    );
}

main()
  .catch((error: unknown) => {
    // After Ctrl-C, what fails is what the interrupt cut short: not worth a stack trace.
    if (!interrupted) console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanupAll();
    if (!interrupted) process.exit();
  });
