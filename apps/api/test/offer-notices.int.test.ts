import { describe, expect, it } from 'vitest';

import { completeForm, hours, offerTerms } from '@payreq/testing';
import { useTestApiWithWorld } from '../testing/suite';
import { dbKind, failureOf, skipDb } from '../testing/harness';

/**
 * The portal's notifications of a standard request's offers: the client company's people hear
 * of each offer sent or changed; at the client's choice the chosen agent hears it, and each
 * agent whose open offer it closed hears another was chosen. Written with the change itself.
 */
describe.skipIf(skipDb)(`notices of offers (${dbKind})`, () => {
  const suite = useTestApiWithWorld();
  const as = (kind: 'user' | 'agent', id: string) =>
    suite.api.client(suite.api.tokenFor({ kind, id }));
  const texts = async (kind: 'user' | 'agent', id: string) =>
    (await as(kind, id).notifications.list.query({})).items.map((item) => item.text).reverse();

  it('tells the client of offers, and the agents of the client’s choice, once each', async () => {
    const client = as('user', suite.world.client.id);
    const draft = await client.requests.create.mutate({
      fields: completeForm,
      offersDeadline: new Date(suite.api.clock.now().getTime() + hours(24)).toISOString(),
    });
    await client.requests.submit.mutate({ requestId: draft.id, version: draft.version });
    const number = draft.displayNumber;
    const zoe = as('agent', suite.world.zoe.id);
    const boris = as('agent', suite.world.boris.id);
    await zoe.offers.submit.mutate({ requestId: draft.id, terms: offerTerms('16055700.00') });
    await boris.offers.submit.mutate({ requestId: draft.id, terms: offerTerms('16040000.00') });
    // Zoe sends better terms: her open offer is replaced, and that is said as a change.
    await zoe.offers.submit.mutate({ requestId: draft.id, terms: offerTerms('16030000.00') });

    const offered = [
      `Заявка ${number}: новое предложение от агента Zoe (other).`,
      `Заявка ${number}: новое предложение от агента Boris (bank).`,
      `Заявка ${number}: Zoe (other) изменил(а) своё предложение.`,
    ];
    // Both people of the client company; the agents hear nothing of each other's offers.
    expect(await texts('user', suite.world.client.id)).toEqual(offered);
    expect(await texts('user', suite.world.otherClient.id)).toEqual(offered);
    expect(await texts('agent', suite.world.boris.id)).toEqual([]);

    // A refused acceptance tells nobody anything.
    const zoeOffer = await suite.api.prisma.offer.findFirstOrThrow({
      where: { agentId: suite.world.zoe.id, status: 'PENDING' },
    });
    const byAgent = await failureOf(
      boris.offers.accept.mutate({ requestId: draft.id, offerId: zoeOffer.id }),
    );
    expect(byAgent.appCode).toBe('FORBIDDEN');
    expect(await texts('agent', suite.world.zoe.id)).toEqual([]);

    await client.offers.accept.mutate({ requestId: draft.id, offerId: zoeOffer.id });
    expect(await texts('agent', suite.world.zoe.id)).toEqual([
      `Заявка ${number}: клиент принял ваше предложение.`,
    ]);
    expect(await texts('agent', suite.world.boris.id)).toEqual([
      `Заявка ${number}: клиент выбрал другое предложение; ваше отклонено.`,
    ]);
    // Anna offered nothing: she hears nothing.
    expect(await texts('agent', suite.world.anna.id)).toEqual([]);
    expect(await texts('user', suite.world.client.id)).toEqual(offered);
  });

  it('tells the agents whose open offer an edit of the amount left outdated, once, and shows it so', async () => {
    const client = as('user', suite.world.client.id);
    const draft = await client.requests.create.mutate({
      fields: { ...completeForm, amount: '12500.50', currency: 'USD' },
      offersDeadline: new Date(suite.api.clock.now().getTime() + hours(24)).toISOString(),
    });
    const sent = await client.requests.submit.mutate({
      requestId: draft.id,
      version: draft.version,
    });
    const zoe = as('agent', suite.world.zoe.id);
    await zoe.offers.submit.mutate({ requestId: draft.id, terms: offerTerms('1151296.05') });
    const before = await client.requests.get.query({ requestId: draft.id });
    expect(before.offers.map((offer) => offer.outdated)).toEqual([false]);

    const changed = await client.requests.update.mutate({
      requestId: draft.id,
      version: sent.version,
      fields: { amount: '25000' },
    });
    // Another edit afterwards (the comment) tells nobody again.
    await client.requests.update.mutate({
      requestId: draft.id,
      version: changed.version,
      fields: { comment: 'Срочно' },
    });
    const outdated = `Заявка ${draft.displayNumber}: клиент изменил сумму или валюту заявки. Ваше предложение рассчитано на прежние, его нельзя принять: отправьте его заново.`;
    expect(
      (await texts('agent', suite.world.zoe.id)).filter((text) => text === outdated),
    ).toHaveLength(1);
    // The client sees the offer as priced on the old amount, and Zoe sees hers so.
    const [seen] = (await client.requests.get.query({ requestId: draft.id })).offers;
    expect(seen).toMatchObject({ outdated: true, pricedAmount: '12500.50', pricedCurrency: 'USD' });
    const [hers] = (await zoe.requests.get.query({ requestId: draft.id })).offers;
    expect(hers?.outdated).toBe(true);

    // Sent again on the request as it is now, it is current.
    await zoe.offers.submit.mutate({ requestId: draft.id, terms: offerTerms('2302592.10') });
    const open = (await client.requests.get.query({ requestId: draft.id })).offers.filter(
      (offer) => offer.status === 'PENDING',
    );
    expect(open).toMatchObject([{ outdated: false, pricedAmount: '25000.00' }]);
  });
});
