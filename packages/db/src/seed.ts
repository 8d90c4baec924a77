import { z } from 'zod';
import type { PrismaClient } from './generated/prisma/client';

const telegramId = z
  .union([
    z.bigint(),
    z.number().int(),
    z
      .string()
      .trim()
      .regex(/^-?\d+$/, 'a Telegram id is an integer'),
  ])
  .transform((v) => BigInt(v));

export const seedAgentSchema = z.object({
  name: z.string().trim().min(1),
  telegramId,
  active: z.boolean().default(true),
  /** Administers the platform in the portal (the whitelist, the outbox). */
  isAdmin: z.boolean().default(false),
});

export const seedConfigSchema = z
  .object({
    masterTenantName: z.string().trim().min(1),
    agents: z.array(seedAgentSchema).default([]),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<bigint>();
    for (const [i, agent] of config.agents.entries()) {
      if (seen.has(agent.telegramId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['agents', i, 'telegramId'],
          message: `Telegram id ${agent.telegramId} is listed twice`,
        });
      }
      seen.add(agent.telegramId);
    }
  });

/** What the seed is given: the master tenant's name and the agents' whitelist. */
export type SeedConfig = z.input<typeof seedConfigSchema>;
export type SeedAgent = z.input<typeof seedAgentSchema>;

export interface SeedResult {
  masterTenantId: string;
  masterTenantCreated: boolean;
  agents: { created: number; updated: number; unchanged: number; deactivated: number };
}

/**
 * Idempotent base data: the master tenant (the bank, `isMaster`) and its agents' whitelist.
 * Agents are matched by Telegram id: new ones are created, changed ones updated (and moved to the
 * master tenant), and the master tenant's agents with a Telegram id that is no longer listed are
 * deactivated, never deleted (requests and offers point at them). Agents without a Telegram id are
 * left alone. Running it twice changes nothing the second time.
 */
export async function seed(prisma: PrismaClient, config: SeedConfig): Promise<SeedResult> {
  const { masterTenantName, agents } = seedConfigSchema.parse(config);
  return prisma.$transaction(async (tx) => {
    let master = await tx.tenant.findFirst({ where: { isMaster: true } });
    const masterTenantCreated = master === null;
    if (master === null) {
      master = await tx.tenant.create({ data: { name: masterTenantName, isMaster: true } });
    } else if (master.name !== masterTenantName) {
      master = await tx.tenant.update({
        where: { id: master.id },
        data: { name: masterTenantName },
      });
    }

    const counts = { created: 0, updated: 0, unchanged: 0, deactivated: 0 };
    const listed = agents.map((a) => a.telegramId);
    const existing = await tx.agent.findMany({ where: { telegramId: { in: listed } } });
    const byTelegramId = new Map(existing.map((a) => [a.telegramId, a]));
    for (const agent of agents) {
      const current = byTelegramId.get(agent.telegramId);
      if (!current) {
        await tx.agent.create({
          data: {
            tenantId: master.id,
            name: agent.name,
            telegramId: agent.telegramId,
            active: agent.active,
            isAdmin: agent.isAdmin,
          },
        });
        counts.created++;
      } else if (
        current.name !== agent.name ||
        current.active !== agent.active ||
        current.isAdmin !== agent.isAdmin ||
        current.tenantId !== master.id
      ) {
        await tx.agent.update({
          where: { id: current.id },
          data: {
            name: agent.name,
            active: agent.active,
            isAdmin: agent.isAdmin,
            tenantId: master.id,
          },
        });
        counts.updated++;
      } else {
        counts.unchanged++;
      }
    }

    const removed = await tx.agent.updateMany({
      where: {
        tenantId: master.id,
        active: true,
        telegramId: { not: null, notIn: listed },
        // Agents an administrator added in the portal are the portal's to change.
        managedBy: 'seed',
      },
      data: { active: false },
    });
    counts.deactivated = removed.count;

    return { masterTenantId: master.id, masterTenantCreated, agents: counts };
  });
}

/**
 * Parses `SEED_AGENTS`: `Name:telegramId,Name2:telegramId2:admin` (spaces around items are
 * ignored; the name may contain spaces; the Telegram id is what follows the last colon, or the
 * one before a final `:admin`, which makes the agent a portal administrator).
 */
export function parseSeedAgents(value: string | undefined): SeedAgent[] {
  if (!value?.trim()) return [];
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((entry) => {
      const isAdmin = /:\s*admin$/i.test(entry);
      const item = isAdmin ? entry.replace(/:\s*admin$/i, '') : entry;
      const at = item.lastIndexOf(':');
      if (at <= 0) throw new Error(`SEED_AGENTS item "${item}" is not "Name:telegramId"`);
      const name = item.slice(0, at).trim();
      const id = item.slice(at + 1).trim();
      if (!/^-?\d+$/.test(id))
        throw new Error(`SEED_AGENTS item "${item}": "${id}" is not a Telegram id`);
      return { name, telegramId: BigInt(id), active: true, isAdmin };
    });
}
