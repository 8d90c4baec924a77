import autocannon from 'autocannon';

/** One HTTP request of a virtual client. */
export interface ClientRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * A virtual client: one autocannon connection, one Telegram user (its own signed init data)
 * in its own chat. `next()` builds each request, `onResponse` sees each answer (e.g. to
 * learn the request's new version, so saves measure success, not conflicts).
 */
export interface VirtualClient {
  next(): ClientRequest;
  onResponse?(status: number, body: string): void;
}

export interface LoadResult {
  /** Successful (2xx) answers per second of the measured run. */
  requestsPerSecond: number;
  /** Latency of the 2xx answers, ms (from autocannon's per-response times, full precision). */
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  /** The first non-2xx answer, to say why. */
  firstFailure: string | null;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/**
 * Runs autocannon against `baseUrl` with one connection per virtual client for `seconds`
 * (only 127.0.0.1 is ever the target). No pipelining: each client waits for its answer.
 */
export async function runLoad(
  baseUrl: string,
  clients: VirtualClient[],
  seconds: number,
): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(baseUrl)) throw new Error(`refusing to load ${baseUrl}`);
  let assigned = 0;
  let firstFailure: string | null = null;
  const latencies: number[] = [];
  const instance = autocannon({
    url: baseUrl,
    connections: clients.length,
    duration: seconds,
    pipelining: 1,
    timeout: 10,
    setupClient(client: { setRequests(requests: unknown[]): void }) {
      const virtual = clients[assigned++ % clients.length]!;
      client.setRequests([
        {
          setupRequest(request: Record<string, unknown>) {
            const next = virtual.next();
            return {
              ...request,
              method: next.method,
              path: next.path,
              headers: next.headers,
              body: next.body ?? Buffer.alloc(0),
            };
          },
          onResponse(status: number, body: string) {
            if ((status < 200 || status >= 300) && firstFailure === null)
              firstFailure = `${status} ${String(body).slice(0, 400)}`;
            virtual.onResponse?.(status, body);
          },
        },
      ]);
    },
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, time: number) => {
    if (status >= 200 && status < 300) latencies.push(time);
  });
  const result = (await instance) as unknown as {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
  };
  const sorted = Float64Array.from(latencies).sort();
  const sum = latencies.reduce((total, value) => total + value, 0);
  return {
    requestsPerSecond: result['2xx'] / result.duration,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    mean: latencies.length ? sum / latencies.length : NaN,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
    firstFailure,
  };
}
