import type { Locale, UserInfo } from '@payreq/contracts';
import type { Actor } from '@payreq/domain';
import { permissionsWithoutRequest } from '@payreq/domain';

import type { Db } from '../db';

/** The caller's card for the platform UI (no chat bound: permissions to create requests only). */
export async function describeMe(db: Db, actor: Actor, locale: Locale): Promise<UserInfo> {
  const settings = { locale, timeZone: 'Europe/Moscow' };
  if (actor.kind === 'agent') {
    const tenant = await db.tenant.findUniqueOrThrow({ where: { id: actor.tenantId } });
    return {
      userId: actor.userId,
      telegramId: actor.telegramId,
      name: actor.name,
      role: 'AGENT',
      tenant: { id: tenant.id, name: tenant.name, isMaster: tenant.isMaster },
      agentId: actor.agentId,
      settings,
      permissions: permissionsWithoutRequest(actor, {
        chatBound: false,
        isChatMember: false,
        isChatAgent: false,
      }),
    };
  }
  if (actor.kind === 'user') {
    const user = await db.user.findUniqueOrThrow({
      where: { id: actor.userId },
      include: { tenant: true },
    });
    return {
      userId: user.id,
      telegramId: actor.telegramId,
      name: user.name,
      role: user.role,
      tenant: user.tenant
        ? { id: user.tenant.id, name: user.tenant.name, isMaster: user.tenant.isMaster }
        : null,
      agentId: null,
      settings: { ...settings, locale: user.locale === 'en' ? 'en' : 'ru' },
      permissions: permissionsWithoutRequest(actor, {
        chatBound: false,
        isChatMember: false,
        isChatAgent: false,
      }),
    };
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
