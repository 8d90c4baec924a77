import type { Actor } from './access';

/**
 * Client companies: who may invite someone into one, and whether an invitation still opens it.
 * An invitation is a link for one person: it works once, until it expires.
 */

/** How long an invitation link works. */
export const invitationLifetimeMs = 7 * 24 * 3600 * 1000;

/** A member of the company invites colleagues; the bank's agents invite a client's people. */
export function mayInviteToCompany(actor: Actor, companyId: string): boolean {
  if (actor.kind === 'user') return actor.tenantId === companyId;
  return actor.kind === 'agent' && actor.tenantIsMaster;
}

export type InvitationState = 'open' | 'used' | 'expired';

export function invitationState(
  invitation: { usedAt: Date | null; expiresAt: Date },
  now: Date,
): InvitationState {
  if (invitation.usedAt) return 'used';
  return invitation.expiresAt.getTime() <= now.getTime() ? 'expired' : 'open';
}

/** A person joins at most one company, and a former agent none. */
export function mayJoinCompany(actor: Actor): boolean {
  return actor.kind === 'user' && !actor.tenantId && !actor.formerAgentId;
}
