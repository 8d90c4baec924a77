import { beforeAll, describe, expect, it } from 'vitest';

import { completeForm } from '@payreq/testing';
import { seedIntegration } from '../../testing/onec';
import { botClient, signLaunch, tma } from '../../testing/telegram';
import { recordFigure } from '@payreq/testing/reliability';
import type { ApiProcess } from './faults-support';
import {
  apiProcessesRig,
  inParallel,
  recordDeliveryFigure,
  submitInHouse,
  tallyDeliveries,
  waitForDeliveries,
} from './faults-support';
import { people, skipSuite } from './support';

/**
 * Two api processes, each with its own 1C outbox worker, on one PostgreSQL database (this
 * file runs on the PostgreSQL project only: PGlite is one process's database).
 */

/** Deal rooms; in each the client and the agent save at once through different instances. */
const ROOMS = 16;
const ROUNDS = 4;
/** In-house requests submitted from the platform, through both instances in turn. */
const PLATFORM_REQUESTS = 24;

describe.skipIf(skipSuite)('two api instances and two outbox workers on one PostgreSQL', () => {
  const rig = apiProcessesRig();

  beforeAll(async () => {
    // Both at once on a migrated database whose bank and 1C integration exist (each start
    // seeds them again: updates only).
    await seedIntegration(rig.db.prisma);
    const started = await Promise.allSettled(
      ['a', 'b'].map((name) => rig.startApi(`api-${name}.log`)),
    );
    for (const outcome of started) {
      if (outcome.status === 'rejected') throw outcome.reason;
    }
  });

  /** A Mini App call in a deal room through one instance: the HTTP status and the body. */
  const miniApp = async (
    url: string,
    who: 'client' | 'linkedAgent',
    token: string,
    procedure: 'save' | 'setStatus',
    body: unknown,
  ) => {
    const response = await fetch(`${url}/trpc/miniApp.${procedure}`, {
      method: 'POST',
      headers: {
        authorization: tma(signLaunch(people[who], token)),
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as unknown };
  };

  it('loses no update saved through both instances at once and delivers each request to 1C once', async () => {
    const [a, b] = rig.apis as [ApiProcess, ApiProcess];

    // Deal rooms registered by the bot through either instance; the agent fills each request in.
    const rooms = await inParallel(Array.from({ length: ROOMS }), 4, async (_, index) => {
      const api = index % 2 ? b : a;
      const chatId = -1_002_000_000_000 - index;
      const bot = botClient(api.url);
      const registered = await bot.bot.registerChat.mutate({
        chat: { id: chatId, type: 'supergroup', title: `Сделка ${index}` },
        addedBy: { telegramId: people.linkedAgent.id, name: 'Анна' },
        botIsAdmin: true,
      });
      if (!registered.registered) throw new Error('registration refused');
      await bot.bot.membership.mutate({
        chatId,
        joined: [{ telegramId: people.client.id, name: people.client.first_name }],
      });
      const created = await miniApp(a.url, 'linkedAgent', registered.launchToken, 'save', {
        fields: completeForm,
      });
      if (created.status !== 200) throw new Error(`first save: ${JSON.stringify(created.json)}`);
      const request = await rig.db.prisma.paymentRequest.findFirstOrThrow({
        where: { telegramChatId: BigInt(chatId) },
      });
      return { token: registered.launchToken, requestId: request.id };
    });
    const historyBefore = await rig.db.prisma.requestHistory.count();

    // In every room at once: the client and the agent save the same version, each through
    // another instance; exactly one may win, and the row holds the winner's value.
    let wins = 0;
    let conflicts = 0;
    let other = 0;
    let lost = 0;
    await inParallel(rooms, ROOMS, async (room) => {
      const start = await rig.db.prisma.paymentRequest.findUniqueOrThrow({
        where: { id: room.requestId },
      });
      let version = start.version;
      let roomWins = 0;
      for (let round = 0; round < ROUNDS; round += 1) {
        const [clientApi, agentApi] = round % 2 ? [b, a] : [a, b];
        const [client, agent] = await Promise.all([
          miniApp(clientApi.url, 'client', room.token, 'save', {
            version,
            fields: { comment: `c${round}` },
          }),
          miniApp(agentApi.url, 'linkedAgent', room.token, 'save', {
            version,
            fields: { invoiceNumber: `a${round}` },
          }),
        ]);
        const statuses = [client.status, agent.status];
        const ok = statuses.filter((s) => s === 200).length;
        conflicts += statuses.filter((s) => s === 409).length;
        other += statuses.filter((s) => s !== 200 && s !== 409).length;
        if (ok > 1) lost += 1;
        wins += ok;
        roomWins += ok;
        const row = await rig.db.prisma.paymentRequest.findUniqueOrThrow({
          where: { id: room.requestId },
        });
        if (client.status === 200 && row.comment !== `c${round}`) lost += 1;
        if (agent.status === 200 && row.invoiceNumber !== `a${round}`) lost += 1;
        version = row.version;
      }
      if (version - start.version !== roomWins)
        lost += Math.abs(version - start.version - roomWins);
    });
    const historyRows = (await rig.db.prisma.requestHistory.count()) - historyBefore;
    const saves = recordFigure({
      name: 'two instances: saves through both at once',
      tried: ROOMS * ROUNDS * 2,
      outcome: `won ${wins}, 409 ${conflicts}, other ${other}, lost updates ${lost}`,
      rowsWritten: historyRows,
      target: 'one winner a round, lost updates 0',
      pass: lost === 0 && wins === ROOMS * ROUNDS && other === 0,
    });

    // Which instances' workers are seen holding a 1C message (the worker id carries the pid).
    const holders = new Set<string>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const rows = await rig.db.prisma.outboxMessage.findMany({
          where: { target: 'ONEC', lockedBy: { not: null } },
          select: { lockedBy: true },
        });
        for (const row of rows) holders.add(row.lockedBy!.split(':').at(-2)!);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    // The agent submits every deal room (through either instance), and the platform's
    // in-house requests go through both: the two workers race for the messages.
    const submitted = await inParallel(rooms, 6, async (room, index) => {
      const current = await rig.db.prisma.paymentRequest.findUniqueOrThrow({
        where: { id: room.requestId },
      });
      const answer = await miniApp(
        (index % 2 ? a : b).url,
        'linkedAgent',
        room.token,
        'setStatus',
        { status: 'COLLECTING_OFFERS', version: current.version },
      );
      if (answer.status !== 200) throw new Error(`submit: ${JSON.stringify(answer.json)}`);
      return room.requestId;
    });
    const platform = await submitInHouse(
      rig.db.prisma,
      rig.world,
      [a.url, b.url],
      PLATFORM_REQUESTS,
    );
    const ids = [...submitted, ...platform];
    const startedAt = Date.now();
    await waitForDeliveries(rig.db.prisma, ids);
    sampling = false;
    await sampler;
    const instancesSeen = rig.apis.filter((api) => holders.has(String(api.child.pid))).length;
    const tally = await tallyDeliveries(rig.db.prisma, rig.emulator, rig.calls, ids);
    // No fault here: a second call for a request is a double delivery.
    const doubles = tally.repeatedCalls + tally.duplicated;
    const deliveries = recordDeliveryFigure({
      name: 'two instances: two outbox workers, one 1C',
      tally,
      since: { at: startedAt, label: 'the last submit' },
      detail: `double deliveries ${doubles}, instances seen delivering ${instancesSeen} of 2`,
      extraPass: doubles === 0,
      extraNote: `${doubles} double deliveries`,
      target: 'lost 0, double deliveries 0',
    });
    expect(saves.pass).toBe(true);
    expect(deliveries.pass).toBe(true);
  });
});
