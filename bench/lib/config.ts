/**
 * Knobs of a run, from the environment (defaults: the figures). Every benchmark is
 * bounded in count and time; the defaults keep a full run under ~5 minutes on 2 cores.
 */
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
  /** Only these modules (comma-separated names), e.g. BENCH_ONLY=chat-import. */
  only: (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean),
  /** Write V8 CPU profiles of the api child process (`--cpu-prof`) to bench/.cache/profiles. */
  cpuProfile: ['1', 'true'].includes(process.env.BENCH_CPU_PROF ?? ''),
  /** Extra Node flags for the api child, e.g. `--max-old-space-size=160 --trace-gc`. */
  apiNodeArgs: (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean),
  /** The api child's log level (`silent` by default: the floor logs nothing either). */
  apiLogLevel: process.env.BENCH_API_LOG_LEVEL ?? 'silent',
};

/** Shared by the parent (signing init data) and the servers (checking it). Bench-only values. */
export const secrets = {
  botToken: '1234567890:AAHbench-bot-token-for-signing-init-data',
  botServiceToken: 'bench-bot-service-token-0123456789abcdef',
  platformTokenSecret: 'bench-platform-token-secret-0123456789',
  initDataMaxAgeSeconds: 3600,
};
