import { describe, expect, it } from 'vitest';

import { dbKind, skipDb } from '../testing/harness';
import { useTestApiWithWorld } from '../testing/suite';

/** The caller's card on the platform (no chat bound): who they are, their tenant, what they may do. */
describe.skipIf(skipDb)(`me.info (${dbKind})`, () => {
  const suite = useTestApiWithWorld();
  const as = (kind: 'user' | 'agent', id: string) =>
    suite.api.client(suite.api.tokenFor({ kind, id }));

  it('describes an agent with their tenant, and a client in the language they chose', async () => {
    const { world } = suite;
    expect(await as('agent', world.anna.id).me.info.query()).toEqual({
      userId: null,
      telegramId: Number(world.anna.telegramId),
      name: 'Anna (bank)',
      role: 'AGENT',
      tenant: { id: world.bank.id, name: 'Банк', isMaster: true },
      agentId: world.anna.id,
      settings: { locale: 'ru', timeZone: 'Europe/Moscow' },
      permissions: ['application.create'],
    });
    await suite.api.prisma.user.update({ where: { id: world.client.id }, data: { locale: 'en' } });
    const client = await as('user', world.client.id).me.info.query();
    expect(client).toEqual({
      userId: world.client.id,
      telegramId: Number(world.client.telegramId),
      name: 'Ivan Petrov',
      role: 'CLIENT',
      tenant: { id: world.clientTenant.id, name: 'ООО «Ромашка»', isMaster: false },
      agentId: null,
      settings: { locale: 'en', timeZone: 'Europe/Moscow' },
      permissions: ['application.create'],
    });
  });
});
