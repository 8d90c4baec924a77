import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { World } from '@payreq/testing';
import { createWorld } from '@payreq/testing';
import type { TestApi } from '../testing/harness';
import { dbKind, failureOf, skipDb, startTestApi } from '../testing/harness';
import { resetDatabase } from '../testing/onec';
import { PORTAL_COOKIE, portalClient, portalSignIn, websiteLogin } from '../testing/portal';

/**
 * Signing in to the portal with Telegram's website login: the signature and age checked by the
 * api, agents as agents and anyone else as a person, a session cookie that rotates and ends on sign-out or deactivation, and CSRF
 * protection on every write made with the cookie.
 */
describe.skipIf(skipDb)(`portal sign-in (${dbKind})`, () => {
  let api: TestApi;
  let world: World;

  beforeAll(async () => {
    api = await startTestApi(dbKind, {
      portal: {
        session: { ttlSeconds: 3600, rotateAfterSeconds: 600, secure: false },
        login: {
          provider: 'test-server',
          testServerUrl: 'http://127.0.0.1:8081',
          botUsername: null,
          maxAgeSeconds: 600,
        },
      },
    });
  });
  afterAll(() => api?.close());
  beforeEach(async () => {
    api.clock.reset();
    await resetDatabase(api.prisma);
    world = await createWorld(api.prisma);
  });

  const anna = () => ({ id: world.anna.telegramId, first_name: 'Анна', username: 'anna' });

  it('signs a whitelisted agent in: an httpOnly, SameSite cookie, then the portal knows them', async () => {
    const response = await fetch(`${api.url}/portal/auth/telegram?${websiteLogin(anna())}`, {
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/portal/');
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith(`${PORTAL_COOKIE}=`))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    const token = cookie.split(';')[0]!.split('=')[1]!;
    // Only the token's hash is kept.
    const [session] = await api.prisma.portalSession.findMany();
    expect(session!.agentId).toBe(world.anna.id);
    expect(session!.tokenHash).not.toContain(token);
    expect(await portalClient(api.url, token).portal.me.query()).toEqual({
      kind: 'agent',
      name: 'Anna (bank)',
      tenantName: 'Банк',
      tenantIsMaster: true,
      isAdmin: false,
    });
  });

  it.each([
    [
      'forged',
      () => {
        const login = websiteLogin({ id: world.anna.telegramId, first_name: 'Анна' });
        login.set('first_name', 'Борис');
        return login;
      },
    ],
    ['forged', () => websiteLogin(anna(), { botToken: '1234567890:another-bots-token' })],
    ['expired', () => websiteLogin(anna(), { authDate: new Date(Date.now() - 11 * 60_000) })],
    ['expired', () => websiteLogin(anna(), { authDate: new Date(Date.now() + 5 * 60_000) })],
    [
      'incomplete',
      () => {
        const login = websiteLogin(anna());
        login.delete('hash');
        return login;
      },
    ],
  ] as const)('refuses a %s login with its reason and writes nothing', async (reason, make) => {
    const result = await portalSignIn(api.url, make());
    expect(result).toEqual({ status: 303, location: `/portal/?signIn=${reason}`, token: null });
    expect(await api.prisma.portalSession.count()).toBe(0);
  });

  it('signs in a person who is no agent: their own session, a company once they register one', async () => {
    const login = () => websiteLogin({ id: 5000000777, first_name: 'Мария', last_name: 'Котова' });
    const { token, location } = await portalSignIn(api.url, login());
    expect(location).toBe('/portal/');
    const [session] = await api.prisma.portalSession.findMany();
    const person = await api.prisma.user.findUniqueOrThrow({ where: { telegramId: 5000000777n } });
    expect(session).toMatchObject({ userId: person.id, agentId: null });
    const client = portalClient(api.url, token!);
    expect(await client.portal.me.query()).toEqual({
      kind: 'person',
      name: 'Мария Котова',
      tenantName: null,
      tenantIsMaster: false,
      isAdmin: false,
    });
    // A person is no agent: the bank's board stays closed.
    expect((await failureOf(client.portal.requests.query({}))).httpStatus).toBe(403);
    await client.companies.register.mutate({
      name: 'ООО «Вектор»',
      taxId: '7707083893',
      kpp: '773601001',
    });
    expect((await client.portal.me.query()).tenantName).toBe('ООО «Вектор»');
    // A second sign-in finds the same person (one row per Telegram id).
    await portalSignIn(api.url, login());
    expect(await api.prisma.user.count({ where: { telegramId: 5000000777n } })).toBe(1);
  });

  it('refuses a deactivated agent at sign-in, and ends their open sessions at once', async () => {
    const { token } = await portalSignIn(api.url, websiteLogin(anna()));
    const client = portalClient(api.url, token!);
    expect((await client.portal.me.query()).name).toBe('Anna (bank)');
    await api.prisma.agent.update({ where: { id: world.anna.id }, data: { active: false } });
    const refused = await failureOf(client.portal.me.query());
    expect(refused.httpStatus).toBe(401);
    expect(await api.prisma.portalSession.count()).toBe(0);
    await api.prisma.agent.update({ where: { id: world.anna.id }, data: { active: true } });
    // Reactivation does not bring the old session back.
    expect((await failureOf(client.portal.me.query())).httpStatus).toBe(401);
    expect((await portalSignIn(api.url, websiteLogin(anna()))).location).toBe('/portal/');
    await api.prisma.agent.update({ where: { id: world.anna.id }, data: { active: false } });
    expect(await portalSignIn(api.url, websiteLogin(anna()))).toMatchObject({
      location: '/portal/?signIn=not_agent',
      token: null,
    });
  });

  it('rotates the cookie after its age; the old token works a few seconds more, then not', async () => {
    const { token } = await portalSignIn(api.url, websiteLogin(anna()));
    let rotated: string | null = null;
    const client = portalClient(api.url, token!, { onSetCookie: (value) => (rotated = value) });
    await client.portal.me.query();
    expect(rotated).toBeNull();
    api.clock.advance(11 * 60_000);
    await client.portal.me.query();
    expect(rotated).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated).not.toBe(token);
    expect((await portalClient(api.url, rotated!).portal.me.query()).name).toBe('Anna (bank)');
    expect((await portalClient(api.url, token!).portal.me.query()).name).toBe('Anna (bank)');
    api.clock.advance(31_000);
    expect((await failureOf(portalClient(api.url, token!).portal.me.query())).httpStatus).toBe(401);
    expect((await portalClient(api.url, rotated!).portal.me.query()).name).toBe('Anna (bank)');
  });

  it('signs out: the token stops working and the cookie is cleared', async () => {
    const { token } = await portalSignIn(api.url, websiteLogin(anna()));
    const refused = await fetch(`${api.url}/portal/auth/sign-out`, {
      method: 'POST',
      headers: { cookie: `${PORTAL_COOKIE}=${token}`, origin: 'https://evil.example' },
    });
    expect(refused.status).toBe(403);
    expect(await api.prisma.portalSession.count()).toBe(1);
    const response = await fetch(`${api.url}/portal/auth/sign-out`, {
      method: 'POST',
      headers: { cookie: `${PORTAL_COOKIE}=${token}`, origin: api.url, 'x-payreq-portal': '1' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.getSetCookie()[0]).toMatch(/^payreq_portal=; .*Max-Age=0/);
    expect(await api.prisma.portalSession.count()).toBe(0);
    expect((await failureOf(portalClient(api.url, token!).portal.me.query())).httpStatus).toBe(401);
  });

  it('refuses a cookie write without the portal’s header or from another origin, changing nothing', async () => {
    await api.prisma.agent.update({ where: { id: world.anna.id }, data: { isAdmin: true } });
    const { token } = await portalSignIn(api.url, websiteLogin(anna()));
    const add = { telegramId: '7000000077', name: 'Вера' };
    for (const options of [
      { csrfHeader: false },
      { origin: 'https://evil.example' },
      { origin: null },
    ]) {
      const refused = await failureOf(
        portalClient(api.url, token!, options).admin.addAgent.mutate(add),
      );
      expect(refused.httpStatus).toBe(403);
      expect(refused.message).toMatch(/не со страницы портала|portal’s page/);
    }
    expect(await api.prisma.agent.count({ where: { telegramId: 7000000077n } })).toBe(0);
    await portalClient(api.url, token!).admin.addAgent.mutate(add);
    expect(await api.prisma.agent.count({ where: { telegramId: 7000000077n } })).toBe(1);
  });
});
