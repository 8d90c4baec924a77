import { describe, expect, it } from 'vitest';

import { completeForm } from '@payreq/testing';
import { dbKind } from '../../testing/harness';
import { signLaunch, tma } from '../../testing/telegram';
import { recordFigure } from '@payreq/testing/reliability';
import { CHAT, people, skipSuite, useDealRoom } from './support';

const ROUNDS = 40;

describe.skipIf(skipSuite)(`concurrency (${dbKind})`, () => {
  const { api, room } = useDealRoom();

  const save = async (who: 'client' | 'linkedAgent', version: number, value: string) => {
    const response = await fetch(`${api.url}/trpc/miniApp.save`, {
      method: 'POST',
      headers: {
        authorization: tma(signLaunch(people[who], room.token)),
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        version,
        fields: who === 'client' ? { comment: value } : { invoiceNumber: value },
      }),
    });
    const text = await response.text();
    return { status: response.status, text };
  };

  it('lets exactly one of a client and an agent saving the same version win; no update is lost', async () => {
    const first = await fetch(`${api.url}/trpc/miniApp.save`, {
      method: 'POST',
      headers: {
        authorization: tma(signLaunch(people.linkedAgent, room.token)),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ fields: completeForm }),
    });
    expect(first.status).toBe(200);
    const start = await api.prisma.paymentRequest.findFirstOrThrow({
      where: { telegramChatId: BigInt(CHAT) },
    });
    const historyBefore = await api.prisma.requestHistory.count({ where: { requestId: start.id } });
    let version = start.version;
    let wins = 0;
    let lost = 0;
    let conflicts = 0;
    let other = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const [client, agent] = await Promise.all([
        save('client', version, `c${round}`),
        save('linkedAgent', version, `a${round}`),
      ]);
      const ok = [client, agent].filter((a) => a.status === 200).length;
      conflicts += [client, agent].filter((a) => a.status === 409).length;
      other += [client, agent].filter((a) => a.status !== 200 && a.status !== 409).length;
      if (ok > 1) lost += 1;
      wins += ok;
      const row = await api.prisma.paymentRequest.findUniqueOrThrow({ where: { id: start.id } });
      // The winner's value is what the row holds.
      if (client.status === 200 && row.comment !== `c${round}`) lost += 1;
      if (agent.status === 200 && row.invoiceNumber !== `a${round}`) lost += 1;
      version = row.version;
    }
    const end = await api.prisma.paymentRequest.findUniqueOrThrow({ where: { id: start.id } });
    if (end.version - start.version !== wins) lost += Math.abs(end.version - start.version - wins);
    const historyRows =
      (await api.prisma.requestHistory.count({ where: { requestId: start.id } })) - historyBefore;
    const figure = recordFigure({
      name: 'concurrent saves (client vs agent)',
      tried: ROUNDS * 2,
      outcome: `won ${wins}, 409 ${conflicts}, other ${other}, lost updates ${lost}`,
      rowsWritten: historyRows,
      target: 'one winner a round, lost updates 0',
      pass: lost === 0 && wins === ROUNDS && other === 0,
    });
    expect(figure.pass).toBe(true);
  });
});
