import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { repoRoot } from '../src/env';
import { freePorts } from '../src/processes';

/**
 * `npm start` as a user runs it (its own data folder and free ports): a stand-in that dies is
 * started again and the stack keeps running; SIGTERM, and SIGHUP to npm (which npm does not
 * pass on), leave no process of it behind; the api's log holds no line of the bot's polling;
 * and the second start gives its new deal room a chat id the first run never used.
 */

const dataDir = mkdtempSync(path.join(tmpdir(), 'payreq-start-test-'));
const started: ChildProcess[] = [];
const seen = new Set<number>();

afterAll(() => {
  // Whatever a failed test left running.
  for (const pid of seen) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  for (const child of started) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** Every process whose parent chain leads to `root` (from /proc), with its command line. */
function descendants(root: number): { pid: number; cmdline: string }[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z') parents.set(Number(entry), Number(fields[1]));
    } catch {
      // ended meanwhile
    }
  }
  const found: { pid: number; cmdline: string }[] = [];
  const walk = (parent: number) => {
    for (const [pid, ppid] of parents)
      if (ppid === parent) {
        let cmdline: string;
        try {
          cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
        } catch {
          continue;
        }
        found.push({ pid, cmdline });
        walk(pid);
      }
  };
  walk(root);
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function npmStart() {
  const [api, telegram, onec, botOps] = (await freePorts(4)) as [number, number, number, number];
  const child = spawn('npm', ['start'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      FORCE_COLOR: '0',
      // The local stand-ins and PGlite, whatever a developer's .env says.
      DATABASE_URL: '',
      TELEGRAM_BOT_TOKEN: '',
      ONEC_BASE_URL: '',
      STACK_DATA_DIR: dataDir,
      API_PORT: String(api),
      TELEGRAM_TEST_SERVER_PORT: String(telegram),
      ONEC_EMULATOR_PORT: String(onec),
      BOT_OPS_PORT: String(botOps),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let ended = false;
  void exited.then(() => (ended = true));
  await until('PayReq is running', () => {
    if (ended) throw new Error(`npm start exited:\n${output}`);
    return output.includes('stops everything.');
  });
  const tree = () => {
    const found = descendants(child.pid!);
    for (const { pid } of found) seen.add(pid);
    return found;
  };
  return { child, output: () => output, exited, tree, botOps, telegram };
}

const chatIdOf = (output: string) => Number(/Demo deal room .*\(chat (-?\d+)\)/.exec(output)?.[1]);

describe('npm start', () => {
  let firstChat = 0;

  it('restarts a stand-in that dies, and SIGTERM to npm stops every process it started', async () => {
    const run = await npmStart();
    firstChat = chatIdOf(run.output());
    expect(firstChat).toBeLessThan(0);
    const parts = run.tree();
    for (const part of ['telegram-testkit', 'onec-emulator', 'apps/api', 'apps/bot'])
      expect(
        parts.some(({ cmdline }) => cmdline.includes(part)),
        part,
      ).toBe(true);

    // The bot killed: started again, reported, the rest untouched.
    const bot = parts.find(({ cmdline }) => cmdline.includes('apps/bot/src/main.ts'))!;
    process.kill(bot.pid, 'SIGKILL');
    await until('the restart notice', () =>
      run.output().includes('bot stopped (signal SIGKILL): starting it again in 1 s'),
    );
    const again = await until('a new bot process', () =>
      run
        .tree()
        .find(({ cmdline, pid }) => cmdline.includes('apps/bot/src/main.ts') && pid !== bot.pid),
    );
    let healthy = false;
    await until('the new bot healthy', () => {
      void fetch(`http://127.0.0.1:${run.botOps}/healthz`)
        .then((response) => (healthy = response.ok))
        .catch(() => undefined);
      return healthy;
    });
    expect(alive(again.pid)).toBe(true);
    expect(parts.filter(({ pid }) => pid !== bot.pid).every(({ pid }) => alive(pid))).toBe(true);

    // The bot's polling of its outbox is not in the api's log (it is logged at debug).
    const apiLog = readFileSync(path.join(dataDir, 'logs/api.log'), 'utf8');
    expect(apiLog).toContain('request completed');
    expect(apiLog).not.toContain('botOutbox.claim');

    process.kill(run.child.pid!, 'SIGTERM');
    // npm waits for the script, then ends itself by the signal it was sent.
    expect(await run.exited).toMatchObject({ signal: 'SIGTERM' });
    const everything = [...parts, again];
    await until('every process gone', () => everything.every(({ pid }) => !alive(pid)), 30_000);
    expect(run.output()).toContain('Stopped.');
  });

  it('keeps the Telegram world: the next start reopens the untouched room; once someone wrote, a new one with an id never used; SIGHUP to npm stops it', async () => {
    expect(existsSync(path.join(dataDir, 'telegram-test-server.bin'))).toBe(true);
    const second = await npmStart();
    // Nobody wrote since the bot's welcome: the same room, not one more identical group.
    expect(chatIdOf(second.output())).toBe(firstChat);
    expect(second.output()).toContain('from an earlier start');
    // Иван writes in it, so it is a deal in progress, kept as it is.
    const written = await fetch(
      `http://127.0.0.1:${second.telegram}/__control/chats/${firstChat}/messages`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: 5000000001, text: 'Здравствуйте' }),
      },
    );
    expect(written.status).toBeLessThan(300);
    await written.arrayBuffer();
    const secondParts = second.tree();
    process.kill(second.child.pid!, 'SIGTERM');
    await second.exited;
    await until('every process gone', () => secondParts.every(({ pid }) => !alive(pid)), 30_000);

    const third = await npmStart();
    const thirdChat = chatIdOf(third.output());
    expect(thirdChat).toBeLessThan(0);
    expect(thirdChat).not.toBe(firstChat);
    expect(third.output()).not.toContain('from an earlier start');
    const parts = third.tree();
    // npm dies of SIGHUP without passing it on; the runner notices and stops the stack.
    process.kill(third.child.pid!, 'SIGHUP');
    await until('every process gone', () => parts.every(({ pid }) => !alive(pid)), 30_000);
  }, 300_000);
});
