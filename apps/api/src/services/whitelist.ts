import type { Actor } from '@payreq/domain';
import { whitelistChangeRefusal } from '@payreq/domain';
import type { WhitelistAgent } from '@payreq/contracts';

import type { Db } from '../db';
import { transaction } from '../db';
import { AppError, notFound } from '../errors';

type AdminActor = Extract<Actor, { kind: 'agent' }>;

/** The master tenant's agents with their whitelist history, newest change first. */
export async function listWhitelist(db: Db, admin: AdminActor): Promise<WhitelistAgent[]> {
  const agents = await db.agent.findMany({
    where: { tenantId: admin.tenantId },
    include: { audit: { orderBy: { at: 'desc' }, take: 20 } },
    orderBy: [{ active: 'desc' }, { name: 'asc' }],
  });
  return agents.map((agent) => ({
    agentId: agent.id,
    name: agent.name,
    telegramId: agent.telegramId === null ? null : agent.telegramId.toString(),
    active: agent.active,
    isAdmin: agent.isAdmin,
    managedBy: agent.managedBy === 'portal' ? 'portal' : 'seed',
    isYou: agent.id === admin.agentId,
    audit: agent.audit.map((entry) => ({
      action: entry.action as 'ADDED' | 'DEACTIVATED' | 'REACTIVATED',
      byName: entry.byName,
      at: entry.at.toISOString(),
    })),
  }));
}

/** Adds a person to the master tenant's whitelist by Telegram id; audited. */
export async function addAgent(
  db: Db,
  admin: AdminActor,
  input: { telegramId: string; name: string },
  now: Date,
): Promise<void> {
  const telegramId = BigInt(input.telegramId);
  await transaction(db, async (tx) => {
    const existing = await tx.agent.findUnique({ where: { telegramId } });
    if (existing)
      throw new AppError('ALREADY_EXISTS', {
        ru: `Агент с этим Telegram ID уже есть: ${existing.name}`,
        en: `An agent with this Telegram ID already exists: ${existing.name}`,
      });
    const agent = await tx.agent.create({
      data: { tenantId: admin.tenantId, name: input.name, telegramId, managedBy: 'portal' },
    });
    await tx.agentAudit.create({
      data: {
        agentId: agent.id,
        action: 'ADDED',
        byAgentId: admin.agentId,
        byName: admin.name,
        at: now,
      },
    });
  });
}

const refusalWords = {
  self: { ru: 'Себя отключить нельзя', en: 'You cannot deactivate yourself' },
  other_tenant: { ru: 'Этот агент не из банка', en: 'This agent is not the bank’s' },
  already: { ru: 'Уже сделано', en: 'Already done' },
} as const;

/**
 * Deactivates or reactivates an agent; audited. Deactivation ends the agent's portal sessions in
 * the same step, and every other road (Mini App, tokens) reads the whitelist on each call.
 */
export async function setAgentActive(
  db: Db,
  admin: AdminActor,
  input: { agentId: string; active: boolean },
  now: Date,
): Promise<void> {
  await transaction(db, async (tx) => {
    const target = await tx.agent.findUnique({
      where: { id: input.agentId },
      include: { tenant: { select: { isMaster: true } } },
    });
    if (!target) throw notFound('agent');
    const refusal = whitelistChangeRefusal({
      adminAgentId: admin.agentId,
      target: { id: target.id, active: target.active, tenantIsMaster: target.tenant.isMaster },
      makeActive: input.active,
    });
    if (refusal)
      throw new AppError(
        refusal === 'already' ? 'VERSION_CONFLICT' : 'FORBIDDEN',
        refusalWords[refusal],
      );
    await tx.agent.update({ where: { id: target.id }, data: { active: input.active } });
    await tx.agentAudit.create({
      data: {
        agentId: target.id,
        action: input.active ? 'REACTIVATED' : 'DEACTIVATED',
        byAgentId: admin.agentId,
        byName: admin.name,
        at: now,
      },
    });
    if (!input.active) await tx.portalSession.deleteMany({ where: { agentId: target.id } });
  });
}
