import type { PricedTerms } from './offers';
import { pricedTermsChanged } from './offers';

/**
 * Who the portal tells of what happens to a standard request's offers, as `user:<id>` /
 * `agent:<id>` keys (each once), the way `deadlineReminderRecipients` names a reminder's. The
 * client side learns of each offer sent or changed; the agents learn the client's choice. Without
 * them the client saw offers only by opening the request, and an agent learned of a rejection only
 * by finding «Отклонено» on it.
 */

/** An offer sent or changed: the client company's people, and the agent who filed it for them. */
export function offerNewsRecipients(request: {
  memberUserIds: readonly string[];
  filedByAgentId: string | null;
  offeringAgentId: string;
}): string[] {
  const recipients = new Set(request.memberUserIds.map((id) => `user:${id}`));
  if (request.filedByAgentId && request.filedByAgentId !== request.offeringAgentId)
    recipients.add(`agent:${request.filedByAgentId}`);
  return [...recipients];
}

/**
 * The client accepted an offer: its agent hears it was chosen, and each agent whose offer was
 * still open hears another was (their offer is rejected by the same acceptance).
 */
export function offerChoiceRecipients(
  offers: readonly { id: string; agentId: string; status: string }[],
  acceptedOfferId: string,
): { chosen: string | null; notChosen: string[] } {
  const accepted = offers.find((offer) => offer.id === acceptedOfferId);
  const notChosen = new Set<string>();
  for (const offer of offers)
    if (
      offer.id !== acceptedOfferId &&
      offer.status === 'PENDING' &&
      offer.agentId !== accepted?.agentId
    )
      notChosen.add(`agent:${offer.agentId}`);
  return { chosen: accepted ? `agent:${accepted.agentId}` : null, notChosen: [...notChosen] };
}

/**
 * The client changed the request: the agents whose open offer it left priced on an amount,
 * currency, direction or payment currency the request no longer has (it cannot be accepted until
 * they send it again). Each agent once, and only for offers this change made outdated.
 */
export function outdatedOfferRecipients(
  offers: readonly { agentId: string; status: string; priced: PricedTerms | null }[],
  before: PricedTerms,
  after: PricedTerms,
): string[] {
  const recipients = new Set<string>();
  for (const offer of offers) {
    if (offer.status !== 'PENDING' || offer.priced === null) continue;
    const wasCurrent = pricedTermsChanged(offer.priced, before).length === 0;
    if (wasCurrent && pricedTermsChanged(offer.priced, after).length > 0)
      recipients.add(`agent:${offer.agentId}`);
  }
  return [...recipients];
}
