import { createHash, randomBytes } from 'node:crypto';

import type {
  CompanyView,
  InvitationView,
  ListCompaniesInput,
  RegisterCompanyInput,
} from '@payreq/contracts';
import type { Actor } from '@payreq/domain';
import {
  invitationLifetimeMs,
  invitationState,
  mayInviteToCompany,
  mayJoinCompany,
} from '@payreq/domain';
import type { z } from 'zod';

import type { Db, Tx } from '../db';
import { isUniqueViolation, transaction } from '../db';
import { AppError, forbidden, notFound } from '../errors';
import type { ServiceContext } from './requests';

/**
 * Client companies of the standard pipeline: a person registers their organisation or joins
 * one by an invitation link. A company is a tenant with its INN; its members file and see its
 * requests (docs/domain.md, "Client companies").
 */

const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

const alreadyMember = () =>
  new AppError('FORBIDDEN', {
    ru: 'Вы уже состоите в организации',
    en: 'You already belong to a company',
  });

const withMembers = { _count: { select: { users: true } } } as const;

function toCompanyView(company: {
  id: string;
  name: string;
  taxId: string | null;
  kpp: string | null;
  _count: { users: number };
}): CompanyView {
  const { id, name, taxId, kpp } = company;
  return { id, name, taxId, kpp, members: company._count.users };
}

async function companyView(db: Db | Tx, id: string): Promise<CompanyView> {
  const company = await db.tenant.findUnique({ where: { id }, include: withMembers });
  if (!company || company.isMaster) throw notFound('company');
  return toCompanyView(company);
}

/** Joins the caller to a company, once: a second join (or a race with one) is refused. */
async function joinInTx(tx: Tx, actor: Actor, companyId: string): Promise<void> {
  if (actor.kind !== 'user') throw forbidden();
  const joined = await tx.user.updateMany({
    where: { id: actor.userId, tenantId: null },
    data: { tenantId: companyId },
  });
  if (joined.count !== 1) throw alreadyMember();
}

/** A person with no company registers theirs; the INN is the company's identity. */
export async function registerCompany(
  ctx: ServiceContext,
  input: z.output<typeof RegisterCompanyInput>,
): Promise<CompanyView> {
  if (!mayJoinCompany(ctx.actor)) throw alreadyMember();
  try {
    return await transaction(ctx.db, async (tx) => {
      const company = await tx.tenant.create({
        data: { name: input.name, taxId: input.taxId, kpp: input.kpp ?? null },
      });
      await joinInTx(tx, ctx.actor, company.id);
      return companyView(tx, company.id);
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new AppError('ALREADY_EXISTS', {
      ru: 'Организация с этим ИНН уже зарегистрирована: попросите приглашение у её сотрудника',
      en: 'A company with this INN is already registered: ask one of its people for an invitation',
    });
  }
}

/** The caller's company, or null for a person who has none yet. */
export async function myCompany(ctx: ServiceContext): Promise<CompanyView | null> {
  const { actor } = ctx;
  if (actor.kind !== 'user' || !actor.tenantId) return null;
  return companyView(ctx.db, actor.tenantId);
}

/**
 * A link for one person to join the company: the token is random (256 bits), shown once, and
 * only its hash is stored, so the table leaks no working link.
 */
export async function createInvitation(
  ctx: ServiceContext,
  input: { companyId: string },
): Promise<InvitationView> {
  const { actor } = ctx;
  const createdBy =
    actor.kind === 'agent'
      ? `agent:${actor.agentId}`
      : actor.kind === 'user'
        ? `user:${actor.userId}`
        : null;
  if (!createdBy || !mayInviteToCompany(actor, input.companyId)) throw forbidden();
  return transaction(ctx.db, async (tx) => {
    await companyView(tx, input.companyId);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(ctx.now().getTime() + invitationLifetimeMs);
    await tx.companyInvitation.create({
      data: {
        tenantId: input.companyId,
        tokenHash: hashOf(token),
        createdBy,
        expiresAt,
      },
    });
    return { token, expiresAt: expiresAt.toISOString() };
  });
}

/** Joins by an invitation: it works once, until it expires; a used or stale one says so. */
export async function joinCompany(
  ctx: ServiceContext,
  input: { token: string },
): Promise<CompanyView> {
  const { actor } = ctx;
  if (!mayJoinCompany(actor)) throw alreadyMember();
  const now = ctx.now();
  return transaction(ctx.db, async (tx) => {
    const invitation = await tx.companyInvitation.findUnique({
      where: { tokenHash: hashOf(input.token) },
    });
    if (!invitation) throw notFound('invitation');
    const state = invitationState(invitation, now);
    if (state !== 'open') {
      throw new AppError('READ_ONLY', {
        ru:
          state === 'used'
            ? 'Приглашением уже воспользовались: попросите новое'
            : 'Срок приглашения истёк: попросите новое',
        en:
          state === 'used'
            ? 'This invitation has been used: ask for a new one'
            : 'This invitation has expired: ask for a new one',
      });
    }
    // Single use under races: only the call that flips usedAt from null goes on.
    const taken = await tx.companyInvitation.updateMany({
      where: { id: invitation.id, usedAt: null },
      data: { usedAt: now, usedByUserId: actor.kind === 'user' ? actor.userId : null },
    });
    if (taken.count !== 1) {
      throw new AppError('READ_ONLY', {
        ru: 'Приглашением уже воспользовались: попросите новое',
        en: 'This invitation has been used: ask for a new one',
      });
    }
    await joinInTx(tx, actor, invitation.tenantId);
    return companyView(tx, invitation.tenantId);
  });
}

/** The bank's agents pick the client company they file a request for: by name or INN. */
export async function listCompanies(
  ctx: ServiceContext,
  input: z.output<typeof ListCompaniesInput>,
): Promise<CompanyView[]> {
  const { actor } = ctx;
  if (actor.kind !== 'agent' || !actor.tenantIsMaster) throw forbidden();
  const search = input.search?.trim();
  const companies = await ctx.db.tenant.findMany({
    where: {
      isMaster: false,
      taxId: { not: null },
      ...(search
        ? {
            OR: [
              { name: { contains: search, mode: 'insensitive' } },
              { taxId: { startsWith: search } },
            ],
          }
        : {}),
    },
    include: withMembers,
    orderBy: { name: 'asc' },
    take: input.limit,
  });
  return companies.map(toCompanyView);
}
