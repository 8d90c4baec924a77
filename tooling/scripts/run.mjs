#!/usr/bin/env node
/**
 * The README's two commands, `npm start` and `npm test`, on a machine that has only
 * Node.js: they bring pnpm (the version in package.json) and the dependencies, then run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { packageManager } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

function run(cmd, args, options = {}) {
  const env = { TURBO_TELEMETRY_DISABLED: '1', ...process.env };
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, ...options });
  if (result.error) return { ok: false, status: 1, error: result.error };
  return { ok: result.status === 0, status: result.status ?? 1 };
}

function pnpmCommand() {
  const probe = spawnSync('pnpm', ['--version'], { cwd: root, encoding: 'utf8' });
  if (probe.status === 0) return ['pnpm'];
  console.log(`pnpm not found: using ${packageManager} through npx`);
  return ['npx', '--yes', packageManager];
}

const [command, ...rest] = process.argv.slice(2);
const pnpm = pnpmCommand();
const exec = (args) => run(pnpm[0], [...pnpm.slice(1), ...args]);

// The dependencies as the lockfile says, unless they already are (pnpm keeps a copy of the
// lockfile it installed): an install also regenerates the Prisma client, which must not
// happen under the feet of a running stack or test.
const installedLock = path.join(root, 'node_modules/.pnpm/lock.yaml');
const installed =
  existsSync(installedLock) &&
  readFileSync(installedLock, 'utf8') === readFileSync(path.join(root, 'pnpm-lock.yaml'), 'utf8');
if (!installed) {
  const install = exec(['install', '--frozen-lockfile', '--prefer-offline']);
  if (!install.ok) process.exit(install.status);
}

let result;
switch (command) {
  case 'test': {
    for (const report of testReports()) rmSync(report, { force: true });
    result = exec([
      'turbo',
      'run',
      'test',
      // Two suites at a time: on 2 cores, more only makes every suite's timeouts flaky.
      '--concurrency=2',
      '--output-logs=errors-only',
      '--log-order=grouped',
      ...rest,
    ]);
    printTotals(testReports());
    if (!result.ok) break;
    // The reliability suite is part of "every test" (issue #9): it runs after the others, alone,
    // because it loads the machine on purpose.
    result = reliability(false);
    break;
  }
  case 'reliability': {
    result = reliability(rest.includes('--readme'));
    break;
  }
  case 'start': {
    // Settings from .env (see .env.example); the environment wins over the file.
    if (existsSync(path.join(root, '.env'))) process.loadEnvFile(path.join(root, '.env'));
    // tsx as a loader in this node, not its CLI (a parent that SIGKILLs a child slow to
    // acknowledge Ctrl-C, before the stack has stopped its parts).
    const stack = spawn(
      process.execPath,
      [
        '--import',
        pathToFileURL(createRequire(path.join(root, 'tooling/stack/package.json')).resolve('tsx'))
          .href,
        path.join(root, 'tooling/stack/src/start.ts'),
        ...rest,
      ],
      { cwd: root, stdio: 'inherit', env: { TURBO_TELEMETRY_DISABLED: '1', ...process.env } },
    );
    // The stack stops its parts on a signal; this runner passes it on (npm passes SIGINT and
    // SIGTERM to it; a terminal's Ctrl-C or hang-up reaches both) and waits for the stack,
    // instead of dying first and leaving it running.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
      process.on(signal, () => {
        if (stack.exitCode === null && stack.signalCode === null) stack.kill(signal);
      });
    stack.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
    // `npm start` itself killed (SIGKILL, or SIGHUP, which npm does not pass on): stop too.
    // npm runs this through `sh -c`, so npm is the grandparent: both are watched.
    const parent = process.ppid;
    const watched = [parent, parentOf(parent)].filter((pid) => pid > 1);
    setInterval(() => {
      const gone = process.ppid !== parent || watched.some((pid) => !isAlive(pid));
      if (gone && stack.exitCode === null) stack.kill('SIGTERM');
    }, 1_000).unref();
    result = null;
    break;
  }
  default:
    console.error('usage: node tooling/scripts/run.mjs <start|test|reliability> [--readme]');
    process.exit(2);
}
if (result) process.exit(result.status);

/** A process's parent (Linux /proc), or 0 when it cannot be told. */
function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) || 0;
  } catch {
    return 0;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * `pnpm test:reliability`: the api's and the bot's reliability suites, one after the other, then
 * the combined table of figures; `--readme` also writes it into docs/reliability.md.
 */
function reliability(writeReadme) {
  const figuresDir = path.join(root, 'test-results/reliability');
  rmSync(figuresDir, { recursive: true, force: true });
  const outcome = exec([
    'turbo',
    'run',
    'test:reliability',
    '--concurrency=1',
    '--output-logs=full',
    '--log-order=grouped',
  ]);
  const tablePath = path.join(figuresDir, 'table.md');
  if (!existsSync(tablePath)) return { ...outcome, ok: false, status: outcome.status || 1 };
  const table = readFileSync(tablePath, 'utf8');
  console.log(`\nReliability figures (all suites):\n\n${table}`);
  if (writeReadme) {
    const readmePath = path.join(root, 'docs/reliability.md');
    const readme = readFileSync(readmePath, 'utf8');
    const start = '<!-- reliability:start -->';
    const end = '<!-- reliability:end -->';
    const from = readme.indexOf(start);
    const to = readme.indexOf(end);
    if (from >= 0 && to > from) {
      const stamp = `Run on ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.version}.`;
      writeFileSync(
        readmePath,
        `${readme.slice(0, from + start.length)}\n${stamp}\n\n${table}${readme.slice(to)}`,
      );
      exec(['exec', 'prettier', '--write', readmePath]);
      console.log('docs/reliability.md: the table is updated.');
    }
  }
  return outcome;
}

/** Each package's vitest writes a JSON report; the total is printed as one plain line. */
function testReports() {
  return ['apps', 'packages', 'tooling', 'bench']
    .flatMap((group) =>
      (existsSync(path.join(root, group)) ? readdirSync(path.join(root, group)) : []).map((name) =>
        path.join(root, group, name),
      ),
    )
    .map((dir) => path.join(dir, 'test-results/vitest.json'))
    .filter((file) => existsSync(file));
}

function printTotals(reports) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  console.log('');
  for (const file of reports) {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    const name = path.relative(root, path.dirname(path.dirname(file)));
    console.log(
      `  ${name.padEnd(28)} ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests + report.numTodoTests} skipped`,
    );
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
}
