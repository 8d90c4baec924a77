import type { Locale, UserInfo } from '@payreq/contracts';
import type { Actor } from '@payreq/domain';
import { permissionsWithoutRequest } from '@payreq/domain';

import type { Db } from '../db';

type Settings = UserInfo['settings'];
type Permissions = UserInfo['permissions'];
type TenantCard = { id: string; name: string; isMaster: boolean };

/** An agent's card: who they are and their tenant, with the settings and permissions given. */
export function agentInfo(
  actor: Extract<Actor, { kind: 'agent' }>,
  tenant: TenantCard,
  settings: Settings,
  permissions: Permissions,
): UserInfo {
  return {
    userId: actor.userId,
    telegramId: actor.telegramId,
    name: actor.name,
    role: 'AGENT',
    tenant: { id: tenant.id, name: tenant.name, isMaster: tenant.isMaster },
    agentId: actor.agentId,
    settings,
    permissions,
  };
}

/** A platform user's card (a client): their row and tenant, with the settings and permissions given. */
export function clientInfo(
  actor: Extract<Actor, { kind: 'user' }>,
  user: { id: string; name: string; role: UserInfo['role']; tenant: TenantCard | null },
  settings: Settings,
  permissions: Permissions,
): UserInfo {
  return {
    userId: user.id,
    telegramId: actor.telegramId,
    name: user.name,
    role: user.role,
    tenant: user.tenant
      ? { id: user.tenant.id, name: user.tenant.name, isMaster: user.tenant.isMaster }
      : null,
    agentId: null,
    settings,
    permissions,
  };
}

/** What a caller may do with no chat bound: create requests only. */
const unbound = (actor: Actor): Permissions =>
  permissionsWithoutRequest(actor, { chatBound: false, isChatMember: false, isChatAgent: false });

/** The caller's card for the platform UI (no chat bound: permissions to create requests only). */
export async function describeMe(db: Db, actor: Actor, locale: Locale): Promise<UserInfo> {
  const settings = { locale, timeZone: 'Europe/Moscow' };
  if (actor.kind === 'agent') {
    const tenant = await db.tenant.findUniqueOrThrow({ where: { id: actor.tenantId } });
    return agentInfo(actor, tenant, settings, unbound(actor));
  }
  if (actor.kind === 'user') {
    const user = await db.user.findUniqueOrThrow({
      where: { id: actor.userId },
      include: { tenant: true },
    });
    const locale = user.locale === 'en' ? 'en' : 'ru';
    return clientInfo(actor, user, { ...settings, locale }, unbound(actor));
  }
  return {
    userId: null,
    telegramId: null,
    name: actor.name,
    role: 'ADMIN',
    tenant: null,
    agentId: null,
    settings,
    permissions: [],
  };
}
