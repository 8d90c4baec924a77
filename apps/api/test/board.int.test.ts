import type { RequestStatus } from '@payreq/contracts';
import type { Actor } from '@payreq/domain';
import { canAgentSee, pipelineFor } from '@payreq/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { World } from '@payreq/testing';
import { createWorld } from '@payreq/testing';
import type { TestApi } from '../testing/harness';
import { dbKind, skipDb, startTestApi } from '../testing/harness';

/** The board's SQL filter must agree with the domain's `canAgentSee` on every kind of request. */
describe.skipIf(skipDb)(`agents' board visibility (${dbKind})`, () => {
  let api: TestApi;
  let world: World;
  const expected = new Map<string, Set<string>>();

  beforeAll(async () => {
    api = await startTestApi();
    world = await createWorld(api.prisma);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('lists exactly what canAgentSee allows, for every agent, under both settings, across pages', async () => {
    const statuses: RequestStatus[] = ['DRAFT', 'COLLECTING_OFFERS', 'IN_PROGRESS'];
    const agents = [world.anna, world.boris, world.zoe];
    const actors = new Map<string, Extract<Actor, { kind: 'agent' }>>();
    for (const [agent, tenantId, isMaster] of [
      [world.anna, world.bank.id, true],
      [world.boris, world.bank.id, true],
      [world.zoe, world.otherTenant.id, false],
    ] as const) {
      actors.set(agent.id, {
        kind: 'agent',
        agentId: agent.id,
        userId: null,
        telegramId: null,
        name: '',
        tenantId,
        tenantIsMaster: isMaster,
      });
      expected.set(agent.id, new Set());
    }
    let chatId = -1002000000000n;
    for (const visibility of ['ALL_AGENTS', 'MASTER_ONLY'] as const) {
      await api.prisma.tenant.update({
        where: { id: world.bank.id },
        data: { inHouseVisibility: visibility },
      });
      for (const tenant of [world.bank, world.otherTenant, world.clientTenant]) {
        const tenantRow = await api.prisma.tenant.findUniqueOrThrow({ where: { id: tenant.id } });
        for (const telegram of [false, true]) {
          if (telegram && tenant.id === world.clientTenant.id) continue;
          for (const status of statuses) {
            for (const linked of [null, ...agents]) {
              if (telegram && linked === null) continue;
              const chat = telegram
                ? await api.prisma.telegramChat.create({
                    data: { id: chatId--, type: 'supergroup' },
                  })
                : null;
              const row = await api.prisma.paymentRequest.create({
                data: {
                  tenantId: tenant.id,
                  source: telegram ? 'TELEGRAM' : 'PLATFORM_UI',
                  telegramChatId: chat?.id ?? null,
                  agentId: linked?.id ?? null,
                  status,
                  clientUserId: telegram ? null : world.client.id,
                },
              });
              const pipeline = pipelineFor({
                source: row.source,
                telegramChatId: row.telegramChatId,
                tenant: tenantRow,
              });
              for (const [agentId, actor] of actors) {
                const facts = {
                  pipeline,
                  status,
                  tenantId: tenant.id,
                  inHouseVisibility: tenantRow.inHouseVisibility,
                  agentId: row.agentId,
                };
                if (canAgentSee(actor, facts)) expected.get(agentId)!.add(row.id);
              }
            }
          }
        }
      }
      // Compare under this setting, then start afresh with the other one.
      for (const agent of agents) {
        const seen = await listAll(api.client(api.tokenFor({ kind: 'agent', id: agent.id })));
        expect(new Set(seen), `${visibility} ${agent.id}`).toEqual(expected.get(agent.id));
        expect(seen.length).toBe(new Set(seen).size);
      }
      await api.prisma.paymentRequest.deleteMany();
      for (const set of expected.values()) set.clear();
    }
  }, 120_000);

  async function listAll(client: ReturnType<TestApi['client']>): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof client.requests.list.query>> =
        await client.requests.list.query({ limit: 7, cursor });
      ids.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    return ids;
  }
});
