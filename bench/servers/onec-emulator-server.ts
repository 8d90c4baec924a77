/**
 * The 1C emulator (apps/onec-emulator) in its own process, calling the api's REST shim as 1C
 * would (x-api-key, HMAC signature, idempotency key, retries). Started by lib/child.ts.
 *
 * Its operator answers at once: as soon as 1C has created a request the platform sent
 * (a new `platformId`), it computes the offer and posts it back (`operator.sendOffer`, no
 * delay), and the platform accepts it. The times of both steps are kept per request, and
 * each acceptance is told to the parent as it happens (`{ type: 'accepted', ...LoopTimes }`).
 *
 * Env: BENCH_PLATFORM_URL (required: the api).
 */
import { operatorOffer } from '@payreq/testing';
import { createEmulator } from '../../apps/onec-emulator/src/index.ts';
import { secrets } from '../lib/config.ts';
import { serve } from './ipc.ts';

const platformUrl = process.env.BENCH_PLATFORM_URL;
if (!platformUrl) throw new Error('BENCH_PLATFORM_URL is not set');

/** Wall-clock time (ms), comparable across the bench's processes and with PostgreSQL's now(). */
const clock = () => Date.now();

export interface LoopTimes {
  platformId: string;
  /** 1C received the platform's "create the request" (the outbox worker's call). */
  received: number;
  /** The platform answered 1C's offer: the offer is accepted (null while in flight). */
  accepted: number | null;
  /** How the offer's delivery ended (DELIVERED, or the failure). */
  state: string | null;
}

const emulator = createEmulator({
  username: 'payreq',
  password: 'payreq',
  platform: {
    url: platformUrl,
    apiKey: secrets.onecApiKey,
    hmacSecret: secrets.onecHmacSecret,
    timeoutMs: 10_000,
    retry: { attempts: 6, baseDelayMs: 200, maxDelayMs: 2_000 },
  },
  autoGenerate: false,
  timeZone: 'Europe/Moscow',
  logger: false,
});

const times = new Map<string, LoopTimes>();
const offers = new Set<Promise<unknown>>();

// The operator's answer: an offer as soon as a request is created in 1C.
const operator = emulator.operator;
const receive = operator.receiveRequest.bind(operator);
operator.receiveRequest = (body) => {
  const result = receive(body);
  if (!result.created) return result;
  const entry: LoopTimes = {
    platformId: result.request.platformId,
    received: clock(),
    accepted: null,
    state: null,
  };
  times.set(entry.platformId, entry);
  // After 1C's answer to the platform's call has been written (same tick otherwise).
  setImmediate(() => {
    const sent = operator
      .sendOffer(result.request.ref, operatorOffer)
      .then(
        ({ delivery }) => {
          entry.accepted = clock();
          entry.state =
            delivery.state === 'DELIVERED'
              ? 'DELIVERED'
              : `${delivery.state}: ${delivery.lastStatus} ${delivery.lastError ?? ''}`;
        },
        (error: unknown) => {
          entry.accepted = clock();
          entry.state = `refused: ${error instanceof Error ? error.message : String(error)}`;
        },
      )
      // Told to the parent at once: its virtual agents submit the next request then.
      .then(() => process.send?.({ type: 'accepted', ...entry }));
    offers.add(sent);
    void sent.finally(() => offers.delete(sent));
  });
  return result;
};

const baseUrl = await emulator.start(0);

serve({
  port: Number(new URL(baseUrl).port),
  handlers: {
    /** `http://host:port/bank`: what the api's 1C client takes as ONEC_BASE_URL. */
    baseUrl: () => baseUrl,
    /** The loop times of the requests 1C has received so far. */
    times: () => [...times.values()],
  },
  async close() {
    await Promise.allSettled([...offers]);
    await emulator.stop();
  },
});
