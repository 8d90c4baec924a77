import type {
  InHouseVisibility,
  PaymentStatus,
  Permission,
  RequestStatus,
} from '@payreq/contracts';

import type { Pipeline } from './pipeline';
import type { ActingRole } from './transitions';
import {
  areFieldsEditable,
  finalStatuses,
  settablePaymentStatuses,
  settableStatuses,
  statusTransitionRoles,
} from './transitions';

/** Who is calling, as the api resolved it from authentication. */
export type Actor =
  | {
      kind: 'user';
      userId: string;
      telegramId: number | null;
      name: string;
      /** Set when this Telegram user is an agent taken off the whitelist (see `isFormerAgent`). */
      formerAgentId?: string | null;
      /** The client company the person belongs to, if any: its members are its requests' clients. */
      tenantId?: string | null;
    }
  | {
      kind: 'agent';
      agentId: string;
      userId: string | null;
      telegramId: number | null;
      name: string;
      tenantId: string;
      tenantIsMaster: boolean;
      /** Administers the platform in the portal (see `mayAdminister`). */
      isAdmin?: boolean;
    }
  | { kind: 'onec'; integrationId: string; name: string }
  | { kind: 'system'; name: string }
  | { kind: 'bot'; name: string };

/** What the domain needs to know about a request to decide access. */
export interface RequestAccessFacts {
  pipeline: Pipeline;
  status: RequestStatus;
  paymentStatus: PaymentStatus;
  tenantId: string;
  tenantIsMaster: boolean;
  inHouseVisibility: InHouseVisibility;
  agentId: string | null;
  clientUserId: string | null;
  /** The agent whose offer was accepted (standard pipeline), if any. */
  acceptedOfferAgentId: string | null;
  /** The bank's agent who filed a standard request on behalf of the client company, if any. */
  filedByAgentId?: string | null;
}

/**
 * The caller's relation to one request:
 * - client: the requester (owner in the platform; in Telegram, a member of the chat who is not an agent);
 * - linkedAgent: the agent responsible for it;
 * - offeringAgent: another agent who may offer (standard pipeline, while collecting offers);
 * - colleague: another agent of the request's own tenant (the bank's people on its deal rooms):
 *   reads everything, changes nothing;
 * - viewer: an agent of another tenant who may only look (visibility setting), at a summary;
 * - onec / system: the integrations;
 * - stranger: anyone else.
 */
export type Relation =
  | 'client'
  | 'linkedAgent'
  | 'offeringAgent'
  | 'colleague'
  | 'viewer'
  | 'onec'
  | 'system'
  | 'stranger';

/**
 * The whitelist of agents: an agent may work (open deal rooms, act on requests) while active and
 * known by a Telegram id. Checked on every call, so taking someone off takes effect at once.
 */
export function isOnWhitelist(
  agent: { active: boolean; telegramId?: bigint | number | null } | null | undefined,
): agent is { active: true; telegramId: bigint | number } {
  return Boolean(agent?.active && agent.telegramId !== null && agent.telegramId !== undefined);
}

/**
 * A Telegram user who is on the whitelist but no longer active: a former agent of the bank. They
 * are neither agent nor client of any deal room (no access), even while still in its group: the
 * client of a deal room is someone who was never the bank's agent. Someone who left the bank and
 * became a client has their agent record removed (or its Telegram id cleared) first.
 */
export function isFormerAgent(actor: Actor): boolean {
  return actor.kind === 'user' && Boolean(actor.formerAgentId);
}

/** The agent responsible for a request: the linked agent in Telegram, the accepted offer's agent in the standard pipeline. */
export function responsibleAgentOf(
  request: Pick<RequestAccessFacts, 'pipeline' | 'agentId' | 'acceptedOfferAgentId'>,
): string | null {
  return request.pipeline.kind === 'TELEGRAM'
    ? request.agentId
    : (request.acceptedOfferAgentId ?? request.agentId);
}

export interface RelationContext {
  /** Telegram: the caller is a member of the request's chat (known to the platform). */
  isChatMember: boolean;
}

export function relationTo(
  actor: Actor,
  request: RequestAccessFacts,
  context: RelationContext,
): Relation {
  switch (actor.kind) {
    case 'onec':
      return request.pipeline.sendsToOnec ? 'onec' : 'stranger';
    case 'system':
      return 'system';
    case 'bot':
      return 'stranger';
    case 'agent': {
      if (responsibleAgentOf(request) === actor.agentId) return 'linkedAgent';
      // The bank's agent who filed a request for a client company acts as that client.
      if (request.pipeline.kind === 'STANDARD' && request.filedByAgentId === actor.agentId)
        return 'client';
      if (!canAgentSee(actor, request)) return 'stranger';
      // Agents of the client's own company never offer on its requests.
      if (
        request.pipeline.kind === 'STANDARD' &&
        request.status === 'COLLECTING_OFFERS' &&
        actor.tenantId !== request.tenantId
      )
        return 'offeringAgent';
      return actor.tenantId === request.tenantId ? 'colleague' : 'viewer';
    }
    case 'user': {
      if (request.pipeline.kind === 'TELEGRAM')
        return context.isChatMember && !isFormerAgent(actor) ? 'client' : 'stranger';
      return isCompanyMember(actor, request) ? 'client' : 'stranger';
    }
  }
}

/**
 * A person is the client of a standard request when they filed it, or when they belong to the
 * client company it was filed for (a company's members see its requests, and only those).
 */
export function isCompanyMember(
  actor: Extract<Actor, { kind: 'user' }>,
  request: Pick<RequestAccessFacts, 'clientUserId' | 'tenantId' | 'tenantIsMaster'>,
): boolean {
  return (
    request.clientUserId === actor.userId ||
    (Boolean(actor.tenantId) && !request.tenantIsMaster && actor.tenantId === request.tenantId)
  );
}

/**
 * Whether an agent sees a request on the board. In-house requests are listed for every
 * agent (read-only) unless the tenant chose MASTER_ONLY; drafts are private; other
 * tenants' Telegram requests stay within their tenant.
 */
export function canAgentSee(
  agent: Extract<Actor, { kind: 'agent' }>,
  request: Pick<
    RequestAccessFacts,
    'pipeline' | 'status' | 'tenantId' | 'inHouseVisibility' | 'agentId'
  >,
): boolean {
  if (request.agentId === agent.agentId) return true;
  if (request.status === 'DRAFT') return false;
  if (request.pipeline.kind === 'STANDARD') return true;
  if (request.pipeline.inHouse) {
    return request.inHouseVisibility === 'ALL_AGENTS' || agent.tenantIsMaster;
  }
  return agent.tenantId === request.tenantId;
}

export function actingRoleOf(relation: Relation): ActingRole | null {
  switch (relation) {
    case 'client':
      return 'CLIENT';
    case 'linkedAgent':
      return 'AGENT';
    case 'onec':
      return 'ONEC';
    case 'system':
      return 'SYSTEM';
    default:
      return null;
  }
}

/**
 * The permission list of a caller on a request (docs/domain.md). Every procedure checks it,
 * and the Mini App renders from it.
 */
export function permissionsFor(relation: Relation, request: RequestAccessFacts): Permission[] {
  const granted = new Set<Permission>();
  const role = actingRoleOf(relation);
  const { pipeline, status } = request;
  const facts = { pipeline, status, paymentStatus: request.paymentStatus };
  const isParty = relation === 'client' || relation === 'linkedAgent' || relation === 'onec';
  // The request's own side: its parties, the platform, and the request's tenant's other agents.
  const seesDetails = isParty || relation === 'system' || relation === 'colleague';

  if (relation !== 'stranger') granted.add('application.view');
  if (seesDetails || relation === 'offeringAgent') granted.add('offer.view');
  if (seesDetails) {
    granted.add('application.viewDetails');
    granted.add('documents.view');
    granted.add('history.view');
  }
  if (areFieldsEditable(status)) {
    // In the platform the client owns the form; in Telegram the client and the linked agent fill it together.
    if (relation === 'client' || (relation === 'linkedAgent' && pipeline.kind === 'TELEGRAM')) {
      granted.add('application.edit');
    }
  }
  if (
    role &&
    status === 'DRAFT' &&
    statusTransitionRoles(pipeline, 'DRAFT', 'COLLECTING_OFFERS').includes(role)
  ) {
    granted.add('application.submit');
  }
  if (role && settableStatuses(facts, role).some((to) => to !== 'CANCELLED')) {
    granted.add('application.setStatus');
  }
  if (role && settableStatuses(facts, role).includes('CANCELLED')) {
    granted.add('application.cancel');
  }
  if (role) {
    const nextPayment = settablePaymentStatuses(facts, role);
    if (role === 'CLIENT' && nextPayment.length > 0) granted.add('payment.markSent');
    if (role !== 'CLIENT' && nextPayment.length > 0) granted.add('payment.setStatus');
  }
  if (status === 'COLLECTING_OFFERS') {
    if (pipeline.kind === 'STANDARD' && relation === 'offeringAgent') granted.add('offer.create');
    // In-house offers come from 1C; the agent's offer form is read-only for now (epic).
    if (pipeline.kind === 'TELEGRAM' && !pipeline.inHouse && relation === 'linkedAgent')
      granted.add('offer.create');
    if (pipeline.kind === 'STANDARD' && relation === 'client') granted.add('offer.accept');
  }
  if (
    relation === 'linkedAgent' &&
    pipeline.sendsToOnec &&
    status !== 'DRAFT' &&
    !finalStatuses.includes(status)
  ) {
    granted.add('documents.generate');
  }
  if (relation === 'linkedAgent' && pipeline.kind === 'TELEGRAM') granted.add('chat.import');
  return [...granted].sort();
}

/**
 * The agent a deal room's new request is linked to: the agent who creates it, or else the agent
 * who opened the room (who added the bot). Null when the room has none: nobody may create it.
 */
export function agentForChatRequest(actor: Actor, room: { agentId: string | null }): string | null {
  return actor.kind === 'agent' ? actor.agentId : room.agentId;
}

/**
 * Permissions where there is no request yet: in a bound Telegram chat, its client and
 * its agent may create one; in the platform any signed-in client may.
 */
export function permissionsWithoutRequest(
  actor: Actor,
  context: { chatBound: boolean; isChatMember: boolean; isChatAgent: boolean },
): Permission[] {
  if (context.chatBound) {
    if (isFormerAgent(actor)) return [];
    if (context.isChatAgent) return ['application.create', 'chat.import'];
    return context.isChatMember && actor.kind === 'user' ? ['application.create'] : [];
  }
  return mayFileStandardRequest(actor) ? ['application.create'] : [];
}

/**
 * Who may file a standard request on the platform: a member of a client company (for it), or an
 * agent of the bank on behalf of a client company (a request the bank has no agent of its own
 * for: it goes to the market like any other). A person of no company registers or joins one first.
 */
export function mayFileStandardRequest(actor: Actor): boolean {
  if (actor.kind === 'user') return Boolean(actor.tenantId) && !isFormerAgent(actor);
  return actor.kind === 'agent' && actor.tenantIsMaster;
}

export function hasPermission(list: readonly Permission[], permission: Permission): boolean {
  return list.includes(permission);
}
