/**
 * The child side of lib/child.ts: answers the parent's IPC messages, samples its own memory
 * on request, and stops cleanly on `stop`, SIGINT/SIGTERM or when the parent goes away.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';

type Handler = (message: Record<string, unknown>) => unknown;

/** V8's CPU profiler in this process (what `--cpu-prof` uses), for one measured run at a time. */
let profiler: Session | undefined;

export interface MemoryPeaks {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  samples: number;
  /** Largest heap in use right after a major GC: the live data, garbage aside. */
  liveHeapAfterMajorGc: number;
  majorGcs: number;
}

export function serve(options: {
  /** The port the child listens on; null for one that listens on nothing (the bot polling). */
  port: number | null;
  handlers?: Record<string, Handler>;
  close: () => Promise<void>;
}): void {
  let sampler: NodeJS.Timeout | undefined;
  let peaks: MemoryPeaks | undefined;
  let observingSince = 0;
  const gcObserver = new PerformanceObserver((list) => {
    if (!peaks) return;
    for (const entry of list.getEntries()) {
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
      // Entries arrive late: the GC `memory.start` forces itself is not part of the run.
      if (kind !== constants.NODE_PERFORMANCE_GC_MAJOR || entry.startTime < observingSince)
        continue;
      peaks.majorGcs += 1;
      peaks.liveHeapAfterMajorGc = Math.max(
        peaks.liveHeapAfterMajorGc,
        process.memoryUsage().heapUsed,
      );
    }
  });
  const sample = () => {
    if (!peaks) return;
    const usage = process.memoryUsage();
    peaks.rss = Math.max(peaks.rss, usage.rss);
    peaks.heapUsed = Math.max(peaks.heapUsed, usage.heapUsed);
    peaks.heapTotal = Math.max(peaks.heapTotal, usage.heapTotal);
    peaks.external = Math.max(peaks.external, usage.external);
    peaks.arrayBuffers = Math.max(peaks.arrayBuffers, usage.arrayBuffers);
    peaks.samples += 1;
  };
  const handlers: Record<string, Handler> = {
    memory: () => process.memoryUsage(),
    /** Memory after a full GC (the api child runs with --expose-gc): what is really retained. */
    'memory.gc': () => {
      globalThis.gc?.();
      return process.memoryUsage();
    },
    /** CPU time this process has used, µs (user + system). */
    cpu: () => process.cpuUsage(),
    /** Starts sampling `process.memoryUsage()` every 20 ms (after a GC, so the baseline is honest). */
    'memory.start': () => {
      globalThis.gc?.();
      peaks = {
        rss: 0,
        heapUsed: 0,
        heapTotal: 0,
        external: 0,
        arrayBuffers: 0,
        samples: 0,
        liveHeapAfterMajorGc: 0,
        majorGcs: 0,
      };
      observingSince = performance.now();
      const before = process.memoryUsage();
      sample();
      clearInterval(sampler);
      sampler = setInterval(sample, 20);
      gcObserver.observe({ entryTypes: ['gc'] });
      return before;
    },
    'memory.stop': () => {
      sample();
      clearInterval(sampler);
      gcObserver.disconnect();
      const result = peaks;
      peaks = undefined;
      return result;
    },
    /** Starts the CPU profiler (BENCH_CPU_PROF=1: the parent wraps each measured run in these). */
    'profile.start': async () => {
      profiler ??= new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 500 });
      await profiler.post('Profiler.start');
      return true;
    },
    /** Stops it and writes the profile (Chrome DevTools / `tools/profile-summary.ts` read it). */
    'profile.stop': async (message) => {
      if (!profiler) return null;
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      profiler = undefined;
      await writeFile(String(message.file), JSON.stringify(profile));
      return message.file;
    },
    ...options.handlers,
  };

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      clearInterval(sampler);
      try {
        await options.close();
      } catch (error) {
        console.error(error);
      }
      process.exit(0);
    })();
    return stopping;
  };

  process.on('message', async (message: Record<string, unknown>) => {
    if (message.type === 'stop') return void stop();
    const handler = handlers[String(message.type)];
    let value: unknown;
    try {
      value = handler
        ? await handler(message)
        : { error: `unknown message ${String(message.type)}` };
    } catch (error) {
      value = { error: error instanceof Error ? error.message : String(error) };
    }
    process.send?.({ replyTo: message.id, value });
  });
  process.on('disconnect', () => void stop());
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.send?.({ type: 'ready', port: options.port });
}
