/**
 * Knobs of a run, from the environment (defaults: the figures). Every benchmark is
 * bounded in count and time; the defaults keep a full run under ~5 minutes on 2 cores.
 *
 * Each knob can be given as a command-line flag too: `--bot-messages=1000` (or
 * `--bot-messages 1000`) is `BENCH_BOT_MESSAGES=1000`, `--only=bot-mirror` is `BENCH_ONLY`.
 * A flag wins over the environment.
 */
function applyFlags(argv: readonly string[]): void {
  for (let index = 0; index < argv.length; index += 1) {
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(argv[index]!);
    if (!match) continue;
    let value = match[2];
    if (value === undefined) {
      const next = argv[index + 1];
      if (next === undefined || next.startsWith('--')) value = '1';
      else {
        value = next;
        index += 1;
      }
    }
    process.env[`BENCH_${match[1]!.replace(/-/g, '_').toUpperCase()}`] = value;
  }
}
applyFlags(process.argv.slice(2));

function numberFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

export const config = {
  /** Concurrent HTTP connections of the load test; each one is a different Telegram user in its own chat. */
  connections: numberFrom('BENCH_CONNECTIONS', 50),
  /** Seconds of measured load per procedure and server. */
  durationSeconds: numberFrom('BENCH_DURATION', 10),
  /** Seconds of unrecorded load before each measurement (JIT, pools, caches). */
  warmupSeconds: numberFrom('BENCH_WARMUP', 3),
  /** Seconds of one-connection load after each measurement (latency without queueing); 0: none. */
  singleSeconds: Number(process.env.BENCH_SINGLE ?? 3),
  /** Messages in the generated Telegram Desktop export. */
  exportMessages: numberFrom('BENCH_MESSAGES', 100_000),
  /** Messages users post into one deal-room group (bot mirroring). */
  botMessages: numberFrom('BENCH_BOT_MESSAGES', 2_000),
  /** Messages posted and mirrored before the measured run (JIT, pools, caches). */
  botWarmupMessages: numberFrom('BENCH_BOT_WARMUP_MESSAGES', 200),
  /** How the bot receives updates: `polling` (as in development), `webhook`, or `both`. */
  botModes: modesFrom(process.env.BENCH_BOT_MODE ?? 'polling'),
  /** Submits timed from submit to offer accepted (1C loop latency); the floor run takes as many. */
  onecRequests: numberFrom('BENCH_ONEC_REQUESTS', 200),
  /**
   * Agents submitting at the same time: each submits its next request a random 0–OUTBOX_POLL_MS
   * after its last offer was accepted (so submits do not fall in step with the worker's polls).
   */
  onecConcurrency: numberFrom('BENCH_ONEC_CONCURRENCY', 8),
  /** Requests queued while the outbox worker is paused, then drained (outbox throughput). */
  onecBacklog: numberFrom('BENCH_ONEC_BACKLOG', 100),
  /** The api's OUTBOX_POLL_MS; unset: the api's default (500 ms). */
  outboxPollMs: process.env.BENCH_OUTBOX_POLL_MS ? numberFrom('BENCH_OUTBOX_POLL_MS', 500) : null,
  /** Cold loads of the Mini App in Chromium, per CPU setting. */
  webappLoads: numberFrom('BENCH_WEBAPP_LOADS', 5),
  /** Chromium's CPU slowdown for the "phone" loads (DevTools' CPU throttling); 1: none. */
  webappCpuSlowdown: numberFrom('BENCH_WEBAPP_CPU_SLOWDOWN', 4),
  /** Debian's Chromium (never a downloaded browser). */
  chromiumPath: process.env.BENCH_CHROMIUM_PATH ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  /** Only these modules (comma-separated names), e.g. BENCH_ONLY=chat-import. */
  only: (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean),
  /** Write V8 CPU profiles of the api child process (`--cpu-prof`) to bench/.cache/profiles. */
  cpuProfile: ['1', 'true'].includes(process.env.BENCH_CPU_PROF ?? ''),
  /** Extra Node flags for the api child, e.g. `--max-old-space-size=160 --trace-gc`. */
  apiNodeArgs: (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean),
  /** api-compare: the root of another checkout (e.g. a `git worktree` of main) whose api runs beside this one's. */
  compareWith: process.env.BENCH_COMPARE_WITH ?? '',
  /** api-compare: alternating measured runs per api and procedure. */
  compareRounds: numberFrom('BENCH_COMPARE_ROUNDS', 4),
  /**
   * The database layer of mini-app-load's stack floor: `prisma` (the api's stack) or `pg` (raw
   * pg under Fastify and tRPC: what Prisma's share of the stack's cost is).
   */
  stackFloorDb: stackFloorDbFrom(process.env.BENCH_STACK_FLOOR_DB ?? 'prisma'),
  /** The api child's log level (`silent` by default: the floor logs nothing either). */
  apiLogLevel: process.env.BENCH_API_LOG_LEVEL ?? 'silent',
};

function stackFloorDbFrom(raw: string): 'prisma' | 'pg' {
  if (raw === 'prisma' || raw === 'pg') return raw;
  throw new Error('BENCH_STACK_FLOOR_DB must be prisma or pg');
}

function modesFrom(raw: string): ('polling' | 'webhook')[] {
  if (raw === 'both') return ['polling', 'webhook'];
  if (raw === 'polling' || raw === 'webhook') return [raw];
  throw new Error('BENCH_BOT_MODE must be polling, webhook or both');
}

/** Shared by the parent (signing init data) and the servers (checking it). Bench-only values. */
export const secrets = {
  botToken: '1234567890:AAHbench-bot-token-for-signing-init-data',
  botServiceToken: 'bench-bot-service-token-0123456789abcdef',
  platformTokenSecret: 'bench-platform-token-secret-0123456789',
  initDataMaxAgeSeconds: 3600,
  /** What 1C (the emulator) sends to the api's REST shim: `x-api-key` and the body's HMAC. */
  onecApiKey: 'bench-onec-inbound-api-key-0123456789',
  onecHmacSecret: 'bench-onec-hmac-secret-0123456789',
  webhookSecret: 'bench-webhook-secret-0123456789',
};
