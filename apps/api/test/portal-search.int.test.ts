import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Actor } from '@payreq/domain';
import type { World } from '@payreq/testing';
import { createWorld } from '@payreq/testing';
import { loadAccess } from '../src/services/access';
import { fullDetailWhere, visibilityWhere } from '../src/services/requests';
import type { TestApi } from '../testing/harness';
import { dbKind, skipDb, startTestApi } from '../testing/harness';
import { portalClient, portalSignIn, websiteLogin } from '../testing/portal';

/**
 * The portal's search finds a request by what the caller may see of it: its number and amount
 * wherever it is listed, its payer, INN, beneficiary, chat and client only where it is seen in
 * full. Otherwise a search would confirm a client the list withholds (found from outside).
 */
describe.skipIf(skipDb)(`portal search: what the caller may see (${dbKind})`, () => {
  let api: TestApi;
  let world: World;

  const secret = {
    payerName: 'ООО «Тайный плательщик»',
    payerTaxId: '5029069967',
    beneficiaryName: 'Guangzhou Hidden Trading',
  };
  const agentActor = (
    agent: World['anna'],
    tenant: { id: string; isMaster: boolean },
    name: string,
  ): Extract<Actor, { kind: 'agent' }> => ({
    kind: 'agent',
    agentId: agent.id,
    userId: null,
    telegramId: Number(agent.telegramId),
    name,
    tenantId: tenant.id,
    tenantIsMaster: tenant.isMaster,
  });

  beforeAll(async () => {
    api = await startTestApi();
    world = await createWorld(api.prisma);
  });
  afterAll(() => api?.close());

  it('finds a market request by its number, never by the client it withholds', async () => {
    // A client company's standard request on the market: the bank's agents and others price it.
    const request = await api.prisma.paymentRequest.create({
      data: {
        tenantId: world.clientTenant.id,
        source: 'PLATFORM_UI',
        clientUserId: world.client.id,
        status: 'COLLECTING_OFFERS',
        offersDeadline: new Date(Date.now() + 48 * 3600_000),
        amount: '48000.00',
        currency: 'USD',
        ...secret,
      },
    });
    const search = async (telegramId: bigint, text: string) => {
      const { token } = await portalSignIn(
        api.url,
        websiteLogin({ id: telegramId, first_name: 'X' }),
      );
      const answer = await portalClient(api.url, token!).portal.requests.query({ search: text });
      return answer.items.map((item) => item.id);
    };
    for (const agent of [world.anna, world.zoe]) {
      expect(await search(agent.telegramId, String(request.number))).toEqual([request.id]);
      expect(await search(agent.telegramId, '48000')).toEqual([request.id]);
      for (const text of [
        secret.payerTaxId,
        secret.payerTaxId.slice(0, 5),
        'Тайный',
        'guangzhou',
      ]) {
        expect([agent.id, text, await search(agent.telegramId, text)]).toEqual([
          agent.id,
          text,
          [],
        ]);
      }
    }
    // The agent whose offer the client accepted carries the request: found by its client then.
    await api.prisma.offer.create({
      data: {
        requestId: request.id,
        agentId: world.boris.id,
        rate: '92.5',
        feePercent: '1',
        fixedFee: '0',
        totalToPay: '4500000',
        settlementDays: 2,
        source: 'AGENT',
        status: 'ACCEPTED',
      },
    });
    await api.prisma.paymentRequest.update({
      where: { id: request.id },
      data: { status: 'OFFER_ACCEPTED' },
    });
    expect(await search(world.boris.telegramId, secret.payerTaxId)).toEqual([request.id]);
    expect(await search(world.anna.telegramId, secret.payerTaxId)).toEqual([]);
  });

  it('sees in full exactly the requests the domain gives their details to', async () => {
    const tenants = {
      bank: world.bank,
      client: world.clientTenant,
      other: world.otherTenant,
    };
    const agents = {
      anna: agentActor(world.anna, { ...world.bank, isMaster: true }, 'Anna'),
      boris: agentActor(world.boris, { ...world.bank, isMaster: true }, 'Boris'),
      zoe: agentActor(world.zoe, { ...world.otherTenant, isMaster: false }, 'Zoe'),
    };
    // Every shape a request takes: its road, tenant, agent, filer, status and accepted offer.
    let chatId = -1_001_000_000_000;
    const ids: string[] = [];
    for (const road of ['telegram', 'standard'] as const) {
      for (const tenant of Object.values(tenants)) {
        for (const agent of [null, world.anna, world.zoe]) {
          for (const filedBy of road === 'standard' ? [null, world.anna] : [null]) {
            for (const status of ['COLLECTING_OFFERS', 'OFFER_ACCEPTED'] as const) {
              for (const acceptedBy of status === 'OFFER_ACCEPTED'
                ? [world.boris, world.zoe]
                : [null]) {
                if (road === 'telegram' && agent === null) continue;
                if (road === 'telegram') {
                  chatId -= 1;
                  await api.prisma.telegramChat.create({
                    data: { id: BigInt(chatId), type: 'supergroup', agentId: agent!.id },
                  });
                }
                const request = await api.prisma.paymentRequest.create({
                  data: {
                    tenantId: tenant.id,
                    source: road === 'telegram' ? 'TELEGRAM' : 'PLATFORM_UI',
                    telegramChatId: road === 'telegram' ? BigInt(chatId) : null,
                    agentId: agent?.id ?? null,
                    filedByAgentId: filedBy?.id ?? null,
                    status,
                  },
                });
                if (acceptedBy) {
                  await api.prisma.offer.create({
                    data: {
                      requestId: request.id,
                      agentId: acceptedBy.id,
                      rate: '1',
                      feePercent: '0',
                      fixedFee: '0',
                      totalToPay: '1',
                      settlementDays: 1,
                      source: 'AGENT',
                      status: 'ACCEPTED',
                    },
                  });
                }
                ids.push(request.id);
              }
            }
          }
        }
      }
    }
    let compared = 0;
    for (const [name, actor] of Object.entries(agents)) {
      for (const id of ids) {
        const listed = await api.prisma.paymentRequest.count({
          where: { AND: [{ id }, visibilityWhere(actor)] },
        });
        if (listed === 0) continue;
        const inFull = await api.prisma.paymentRequest.count({
          where: { AND: [{ id }, visibilityWhere(actor), fullDetailWhere(actor)] },
        });
        const access = await loadAccess(api.prisma, actor, id);
        const domain = access.permissions.includes('application.viewDetails');
        expect([name, id, inFull === 1]).toEqual([name, id, domain]);
        compared += 1;
      }
    }
    // Enough of both answers to mean something.
    expect(compared).toBeGreaterThan(50);
  });
});
