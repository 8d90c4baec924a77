import type { Actor, Relation } from './access';

/** An agent as the portal's rules need it. */
export interface PortalAgent {
  active: boolean;
  isAdmin: boolean;
  tenantIsMaster: boolean;
}

/**
 * Who administers the platform in the portal (the agents' whitelist, dead outbox messages, audit
 * exports): an active agent of the master tenant with the administrator role. Another tenant's
 * agent never does, even with the flag set: the platform is the bank's.
 */
export function mayAdminister(agent: PortalAgent | null | undefined): boolean {
  return Boolean(agent?.active && agent.isAdmin && agent.tenantIsMaster);
}

/** The same rule for a caller already authenticated. */
export function actorMayAdminister(actor: Actor | null): boolean {
  return (
    actor?.kind === 'agent' &&
    mayAdminister({
      active: true,
      isAdmin: actor.isAdmin ?? false,
      tenantIsMaster: actor.tenantIsMaster,
    })
  );
}

/** Why a chat file may not become a document of a request, or null when it may. */
export type ChatFileRefusal = 'not_the_agent' | 'other_chat' | 'by_bot' | 'no_file';

/**
 * A file sent in a deal room becomes one of its request's documents when the request's own agent
 * asks for it: colleagues and other tenants look but change nothing; only a file of that request's
 * chat (under any id the chat had) that the platform keeps can be attached, and only one a person
 * sent: what the platform's bot posted there is 1C's document, filed as the request's already.
 */
export function chatFileRefusal(input: {
  relation: Relation;
  messageInRequestChat: boolean;
  byPlatformBot: boolean;
  fileStored: boolean;
}): ChatFileRefusal | null {
  if (input.relation !== 'linkedAgent') return 'not_the_agent';
  if (!input.messageInRequestChat) return 'other_chat';
  if (input.byPlatformBot) return 'by_bot';
  if (!input.fileStored) return 'no_file';
  return null;
}

/** What an administrator may do to an agent of the whitelist, and why not. */
export type WhitelistRefusal = 'self' | 'other_tenant' | 'already';

/**
 * Deactivating or reactivating an agent: within the master tenant only, never oneself (so the
 * last administrator cannot lock everyone out by a slip), and only when it changes something.
 */
export function whitelistChangeRefusal(input: {
  adminAgentId: string;
  target: { id: string; active: boolean; tenantIsMaster: boolean };
  makeActive: boolean;
}): WhitelistRefusal | null {
  if (!input.target.tenantIsMaster) return 'other_tenant';
  if (input.target.id === input.adminAgentId) return 'self';
  if (input.target.active === input.makeActive) return 'already';
  return null;
}

/** A deal room as the portal knows it before its request exists. */
export interface RoomFacts {
  /** The whitelisted agent who added the bot (null: nobody the platform knows). */
  agentId: string | null;
  /** A group or supergroup; a private chat with the bot is no deal room. */
  isGroup: boolean;
  hasRequest: boolean;
}

/**
 * A deal room is the bank's from the moment its agent adds the bot, before anyone opens the
 * form: its agent reads the chat there. Like the draft that follows (drafts are private,
 * `canAgentSee`), it is that agent's alone; once the room has its request, the request's rules
 * decide who reads it.
 */
export function mayReadRoomBeforeRequest(actor: Actor, room: RoomFacts): boolean {
  return (
    actor.kind === 'agent' &&
    room.isGroup &&
    !room.hasRequest &&
    room.agentId !== null &&
    room.agentId === actor.agentId
  );
}
