import type { PrismaClient } from '@payreq/db';
import type { Emulator } from '@payreq/onec-emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import type { OutboxWorker } from '../../src/outbox';
import type { World } from '@payreq/testing';
import { createWorld } from '@payreq/testing';
import type { TestApi } from '../../testing/harness';
import { dbKind, startTestApi } from '../../testing/harness';
import { startEmulator } from '../../testing/onec';
import type { DeliveryTally, PostgresCluster } from './faults-support';
import {
  apiProcessesRig,
  countCreateCalls,
  recordDeliveryFigure,
  seconds,
  startApiOn,
  startFaultWorker,
  startPostgresCluster,
  submitInHouse,
  tallyDeliveries,
  waitForDeliveries,
} from './faults-support';
import { skipSuite } from './support';

/** Requests submitted into each fault. */
const REQUESTS = 40;
/** How long a fault goes on after the last request was submitted. */
const FAULT_MS = 800;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Requests whose create call reached 1C but whose delivery is not recorded yet. */
async function inFlight(
  api: Pick<TestApi, 'prisma'>,
  emulator: Emulator,
  calls: Map<string, number>,
  ids: readonly string[],
): Promise<{ delivered: number; inFlight: number }> {
  const tally = await tallyDeliveries(api.prisma, emulator, calls, ids);
  const received = ids.filter((id) => calls.has(id)).length;
  return { delivered: tally.delivered, inFlight: received - tally.delivered };
}

/**
 * Waits until every one of `ids` is delivered, then records the figure of what 1C holds, its
 * recovery counted from `figure.since`; the figure must pass. Answers the tally.
 */
async function expectAllDelivered(
  prisma: PrismaClient,
  emulator: Emulator,
  calls: Map<string, number>,
  ids: readonly string[],
  figure: Omit<Parameters<typeof recordDeliveryFigure>[0], 'tally'>,
): Promise<DeliveryTally> {
  await waitForDeliveries(prisma, ids);
  const tally = await tallyDeliveries(prisma, emulator, calls, ids);
  expect(recordDeliveryFigure({ ...figure, tally }).pass).toBe(true);
  return tally;
}

/** What a fault suite runs on: its api, the 1C emulator before it, the world, 1C's create calls. */
interface OnecFaultRig {
  api: TestApi;
  emulator: Emulator;
  world: World;
  calls: Map<string, number>;
  /** The outbox worker a test started; stopped after the suite at the latest. */
  worker: OutboxWorker | null;
}

/** The rig for a suite, on the api `startApi` gives; the fields are set once `beforeAll` ran. */
function useOnecFaultRig(startApi: () => Promise<TestApi>): OnecFaultRig {
  const rig = { worker: null } as OnecFaultRig;
  beforeAll(async () => {
    rig.api = await startApi();
    rig.emulator = await startEmulator(rig.api);
    rig.world = await createWorld(rig.api.prisma);
    rig.calls = countCreateCalls(rig.emulator);
  });
  afterAll(async () => {
    await rig.worker?.stop();
    await rig.emulator?.stop();
    await rig.api?.close();
  });
  return rig;
}

describe.skipIf(skipSuite)(`faults on the 1C side (${dbKind})`, () => {
  const rig = useOnecFaultRig(() => startTestApi());
  afterEach(async () => {
    await rig.worker?.stop();
    rig.worker = null;
    rig.emulator.setFault({ mode: 'off' });
  });

  /**
   * Submits REQUESTS in-house requests while 1C shows a fault, keeps the fault FAULT_MS
   * longer, ends it, and waits for every delivery; the figure counts what 1C holds.
   */
  async function throughFault(input: {
    name: string;
    begin: () => Promise<unknown> | unknown;
    end: () => Promise<unknown> | unknown;
    timeoutMs?: number;
  }): Promise<DeliveryTally> {
    rig.worker = startFaultWorker(rig.api.prisma, rig.emulator, { timeoutMs: input.timeoutMs });
    await input.begin();
    const ids = await submitInHouse(rig.api.prisma, rig.world, [rig.api.url], REQUESTS);
    await sleep(FAULT_MS);
    const during = await tallyDeliveries(rig.api.prisma, rig.emulator, rig.calls, ids);
    await input.end();
    const endedAt = Date.now();
    // The fault must have bitten: deliveries failed or were sent again while it lasted.
    const bitten = during.failedAttempts + during.repeatedCalls > 0;
    return expectAllDelivered(rig.api.prisma, rig.emulator, rig.calls, ids, {
      name: input.name,
      since: { at: endedAt, label: 'the fault ended' },
      detail: `delivered during the fault ${during.delivered}`,
      extraPass: bitten,
      extraNote: 'the fault hit no delivery',
    });
  }

  it('loses nothing and creates nothing twice while 1C is down (connection refused)', async () => {
    const port = Number(new URL(rig.emulator.origin).port);
    await throughFault({
      name: '1C down: connection refused',
      begin: () => rig.emulator.stop(),
      end: () => rig.emulator.start(port),
    });
  });

  it('loses nothing and creates nothing twice while 1C’s web server answers 503', async () => {
    await throughFault({
      name: '1C down: 503 from its web server',
      begin: () => rig.emulator.setFault({ mode: 'down', behavior: '503' }),
      end: () => rig.emulator.setFault({ mode: 'off' }),
    });
  });

  it('creates each request once when 1C answers after our timeout (the retry finds the same document)', async () => {
    // 1C creates the document, then answers 2 s later: our 400 ms timeout gives up first.
    const tally = await throughFault({
      name: '1C slow: answers 2 s late, timeout 0.4 s',
      begin: () => rig.emulator.setFault({ mode: 'slow', delayMs: 2_000 }),
      end: () => rig.emulator.setFault({ mode: 'off' }),
      timeoutMs: 400,
    });
    expect(tally.repeatedCalls).toBeGreaterThan(0);
  });

  it('loses nothing and creates nothing twice while 1C answers 500', async () => {
    await throughFault({
      name: '1C answers 500',
      begin: () => rig.emulator.setFault({ mode: 'error500', count: 100_000, body: 'text' }),
      end: () => rig.emulator.setFault({ mode: 'off' }),
    });
  });
});

// PostgreSQL only: registered on the PostgreSQL project alone (no skipped tests on PGlite).
if (dbKind === 'postgres') {
  describe.skipIf(skipSuite)('the database restarted mid-run (postgres)', () => {
    let cluster: PostgresCluster | undefined;
    // Registered before the rig's: after hooks run in reverse, so the cluster stops last.
    afterAll(async () => {
      await cluster?.stop();
    });
    const rig = useOnecFaultRig(async () => {
      cluster = await startPostgresCluster();
      return startApiOn(cluster.url);
    });

    it('delivers every message exactly once after PostgreSQL restarts with deliveries in flight, and the api answers again', async () => {
      // 1C answers in 300 ms: a batch of deliveries is always on its way.
      rig.emulator.setFault({ mode: 'slow', delayMs: 300 });
      rig.worker = startFaultWorker(rig.api.prisma, rig.emulator, { timeoutMs: 1_000 });
      const ids = await submitInHouse(rig.api.prisma, rig.world, [rig.api.url], REQUESTS);
      let atRestart = { delivered: 0, inFlight: 0 };
      for (let i = 0; i < 200; i += 1) {
        atRestart = await inFlight(rig.api, rig.emulator, rig.calls, ids);
        if (atRestart.delivered >= 1 && atRestart.inFlight >= 5) break;
        await sleep(20);
      }
      const restartedAt = Date.now();
      await cluster!.restart(1_000);
      const upAt = Date.now();
      rig.emulator.setFault({ mode: 'off' });

      // The api answers again: health, a read, and new submits that reach 1C too.
      let answeredAt: number | null = null;
      for (let i = 0; i < 200 && answeredAt === null; i += 1) {
        const health = await fetch(`${rig.api.url}/healthz`).then(
          (r) => r.status,
          () => 0,
        );
        if (health === 200) answeredAt = Date.now();
        else await sleep(25);
      }
      const asAnna = rig.api.client(rig.api.tokenFor({ kind: 'agent', id: rig.world.anna.id }));
      const read = await asAnna.requests.get.query({ requestId: ids[0]! }).then(
        () => true,
        () => false,
      );
      const after = await submitInHouse(rig.api.prisma, rig.world, [rig.api.url], 5);
      const all = [...ids, ...after];
      await expectAllDelivered(rig.api.prisma, rig.emulator, rig.calls, all, {
        name: 'PostgreSQL restarted mid-run',
        since: { at: upAt, label: 'PostgreSQL was back' },
        detail:
          `in flight at the restart ${atRestart.inFlight}, down ${seconds(upAt - restartedAt)}, ` +
          `api healthy again ${answeredAt === null ? 'never' : `after ${seconds(answeredAt - upAt)}`}`,
        extraPass: atRestart.inFlight > 0 && answeredAt !== null && read,
        extraNote: atRestart.inFlight > 0 ? 'the api did not answer again' : 'nothing in flight',
      });
    });
  });

  describe.skipIf(skipSuite)('the api killed with deliveries in flight (postgres)', () => {
    const rig = apiProcessesRig();

    it('reaches 1C exactly once per message after a SIGKILL mid-delivery and a restart', async () => {
      // 1C answers in 1.5 s (within the api's 5 s timeout): deliveries are in flight.
      rig.emulator.setFault({ mode: 'slow', delayMs: 1_500 });
      const first = await rig.startApi('api.log');
      const ids = await submitInHouse(rig.db.prisma, rig.world, [first.url], REQUESTS);
      let atKill = { delivered: 0, inFlight: 0 };
      for (let i = 0; i < 400; i += 1) {
        atKill = await inFlight({ prisma: rig.db.prisma }, rig.emulator, rig.calls, ids);
        if (atKill.delivered >= 1 && atKill.inFlight >= 5) break;
        await sleep(25);
      }
      await first.kill();
      const killedAt = Date.now();
      rig.emulator.setFault({ mode: 'off' });
      // The killed worker's claims hold their messages until its lease (OUTBOX_LEASE_MS, 2 s
      // here, renewed only while the worker lives) runs out; the restarted api takes them then.
      await rig.startApi('api.log');
      const upAt = Date.now();
      await expectAllDelivered(rig.db.prisma, rig.emulator, rig.calls, ids, {
        name: 'api killed (SIGKILL) mid-delivery, restarted',
        since: { at: killedAt, label: 'the kill' },
        detail:
          `in flight at the kill ${atKill.inFlight}, lease 2 s, ` +
          `api up again after ${seconds(upAt - killedAt)}`,
        extraPass: atKill.inFlight > 0,
        extraNote: 'nothing in flight at the kill',
      });
    });
  });
}
