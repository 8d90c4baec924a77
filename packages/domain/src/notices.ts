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
