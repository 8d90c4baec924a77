import { beforeEach, describe, expect, it } from 'vitest';

import { completeForm, hours, offerTerms } from '@payreq/testing';
import { createFormatter, historyText } from '@payreq/i18n';
import type { TestApi } from '../testing/harness';
import { useTestApiWithWorld } from '../testing/suite';
import { dbKind, failureOf, footprint, skipDb } from '../testing/harness';

/** Intl groups digits with (narrow) no-break spaces: compared as plain spaces. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

/**
 * What an offer holds to on the standard road: its own «Действует до» (refused when it is sent
 * already past, not acceptable once it has passed), and the request's amount and currency it
 * was priced on (kept with the offer; accepting it after the client changed them is refused,
 * and the history tells of it as it was priced).
 */
describe.skipIf(skipDb)(`an offer’s validity and what it priced (${dbKind})`, () => {
  const suite = useTestApiWithWorld();
  type Client = ReturnType<TestApi['client']>;
  let asClient: Client;
  let asZoe: Client;
  let asBoris: Client;

  /** Tokens are issued on the test clock: signed again after it moves. */
  function signIn() {
    asClient = suite.api.client(suite.api.tokenFor({ kind: 'user', id: suite.world.client.id }));
    asZoe = suite.api.client(suite.api.tokenFor({ kind: 'agent', id: suite.world.zoe.id }));
    asBoris = suite.api.client(suite.api.tokenFor({ kind: 'agent', id: suite.world.boris.id }));
  }
  beforeEach(signIn);

  const inHours = (count: number) =>
    new Date(suite.api.clock.now().getTime() + hours(count)).toISOString();

  /** A request for 12 500,50 USD, paid in RUB, collecting offers for a day. */
  async function collecting() {
    const draft = await asClient.requests.create.mutate({
      fields: { ...completeForm, amount: '12500.50', currency: 'USD' },
      offersDeadline: inHours(24),
    });
    return asClient.requests.submit.mutate({ requestId: draft.id, version: draft.version });
  }

  async function offerOf(agentId: string) {
    return suite.api.prisma.offer.findFirstOrThrow({
      where: { agentId, status: 'PENDING' },
    });
  }

  it('refuses an offer sent, or changed, to be valid until a time already past, and writes nothing', async () => {
    const request = await collecting();
    const zoeOffers = (total: string, validUntil: string) =>
      asZoe.offers.submit.mutate({
        requestId: request.id,
        terms: { ...offerTerms(total), validUntil },
      });
    const before = await footprint(suite.api.prisma);
    const sent = await failureOf(zoeOffers('1151296.05', inHours(-2)));
    expect(sent).toMatchObject({ httpStatus: 400, appCode: 'VALIDATION_FAILED' });
    expect(sent.message).toBe(
      'Срок «Действует до» уже прошёл: укажите время в будущем или оставьте поле пустым',
    );
    expect(await footprint(suite.api.prisma)).toEqual(before);

    // An open offer changed to a time already past: refused, and the open one stays as it was.
    await zoeOffers('1151296.05', inHours(2));
    const open = await offerOf(suite.world.zoe.id);
    const withOpen = await footprint(suite.api.prisma);
    const changed = await failureOf(zoeOffers('1151000.00', inHours(-1)));
    expect(changed).toMatchObject({ httpStatus: 400, appCode: 'VALIDATION_FAILED' });
    expect(await footprint(suite.api.prisma)).toEqual(withOpen);
    expect((await offerOf(suite.world.zoe.id)).id).toBe(open.id);
  });

  it('refuses to accept an offer once its «Действует до» has passed, and changes nothing', async () => {
    const request = await collecting();
    await asZoe.offers.submit.mutate({
      requestId: request.id,
      terms: { ...offerTerms('1151296.05'), validUntil: inHours(2) },
    });
    const offer = await offerOf(suite.world.zoe.id);

    suite.api.clock.advance(hours(3));
    signIn();
    const before = await footprint(suite.api.prisma);
    const refused = await failureOf(
      asClient.offers.accept.mutate({ requestId: request.id, offerId: offer.id }),
    );
    expect(refused).toMatchObject({ httpStatus: 409, appCode: 'TRANSITION_NOT_ALLOWED' });
    expect(refused.message).toBe(
      'Срок действия этого предложения истёк: попросите агента прислать новое',
    );
    expect(await footprint(suite.api.prisma)).toEqual(before);

    // The agent may still take it back, and send a new one the client can accept.
    await asZoe.offers.withdraw.mutate({ requestId: request.id, offerId: offer.id });
    await asZoe.offers.submit.mutate({
      requestId: request.id,
      terms: { ...offerTerms('1151296.05'), validUntil: inHours(2) },
    });
    const renewed = await offerOf(suite.world.zoe.id);
    const accepted = await asClient.offers.accept.mutate({
      requestId: request.id,
      offerId: renewed.id,
    });
    expect(accepted.status).toBe('OFFER_ACCEPTED');
  });

  it('keeps what an offer priced: after the amount changes it is refused, and the history keeps its amount', async () => {
    const request = await collecting();
    await asZoe.offers.submit.mutate({
      requestId: request.id,
      terms: offerTerms('1151500.00'),
    });
    await asBoris.offers.submit.mutate({
      requestId: request.id,
      terms: offerTerms('1151296.05'),
    });
    const boris = await offerOf(suite.world.boris.id);
    expect(boris).toMatchObject({
      pricedCurrency: 'USD',
      pricedDirection: 'OUTGOING',
      pricedTotalCurrency: 'RUB',
    });
    expect(boris.pricedAmount?.toFixed(2)).toBe('12500.50');

    // The fields stay editable while the request collects offers.
    const current = await asClient.requests.get.query({ requestId: request.id });
    const changed = await asClient.requests.update.mutate({
      requestId: request.id,
      version: current.version,
      fields: { amount: '25000' },
    });
    expect(changed.fields.amount).toBe('25000.00');

    const before = await footprint(suite.api.prisma);
    const refused = await failureOf(
      asClient.offers.accept.mutate({ requestId: request.id, offerId: boris.id }),
    );
    expect(refused).toMatchObject({ httpStatus: 409, appCode: 'TRANSITION_NOT_ALLOWED' });
    expect(plain(refused.message)).toBe(
      'Предложение рассчитано на 12 500,50 USD, а в заявке теперь 25 000,00 USD: агенту нужно обновить предложение',
    );
    expect(await footprint(suite.api.prisma)).toEqual(before);

    // The history tells of each offer as it was priced, not at the request's new amount.
    const ru = createFormatter('ru');
    const offerLines = async () =>
      (await asClient.requests.get.query({ requestId: request.id })).history.flatMap((entry) =>
        entry.change.type === 'offer' || entry.change.type === 'offerAccepted'
          ? [plain(historyText(entry.change, ru))]
          : [],
      );
    expect(await offerLines()).toEqual([
      'Предложение: агент Zoe (other), 12 500,50 USD, итого 1 151 500,00 RUB',
      'Предложение: агент Boris (bank), 12 500,50 USD, итого 1 151 296,05 RUB',
    ]);

    // Boris updates his offer: priced anew on 25 000 USD, it can be accepted; the old lines stand.
    await asBoris.offers.submit.mutate({
      requestId: request.id,
      terms: offerTerms('2302592.10'),
    });
    const updated = await offerOf(suite.world.boris.id);
    expect(updated.pricedAmount?.toFixed(2)).toBe('25000.00');
    const accepted = await asClient.offers.accept.mutate({
      requestId: request.id,
      offerId: updated.id,
    });
    expect(accepted.status).toBe('OFFER_ACCEPTED');
    expect(await offerLines()).toEqual([
      'Предложение: агент Zoe (other), 12 500,50 USD, итого 1 151 500,00 RUB',
      'Предложение: агент Boris (bank), 12 500,50 USD, итого 1 151 296,05 RUB',
      'Предложение: агент Boris (bank), 25 000,00 USD, итого 2 302 592,10 RUB',
      'Принято предложение: агент Boris (bank), 25 000,00 USD, итого 2 302 592,10 RUB',
    ]);
  });

  it('refuses an offer priced before the currency the client pays in changed', async () => {
    const request = await collecting();
    await asZoe.offers.submit.mutate({ requestId: request.id, terms: offerTerms('1151500.00') });
    const zoe = await offerOf(suite.world.zoe.id);
    const current = await asClient.requests.get.query({ requestId: request.id });
    await asClient.requests.update.mutate({
      requestId: request.id,
      version: current.version,
      fields: { clientCurrency: 'CNY' },
    });
    const before = await footprint(suite.api.prisma);
    const refused = await failureOf(
      asClient.offers.accept.mutate({ requestId: request.id, offerId: zoe.id }),
    );
    expect(refused).toMatchObject({ httpStatus: 409, appCode: 'TRANSITION_NOT_ALLOWED' });
    expect(refused.message).toContain('агенту нужно обновить предложение');
    expect(await footprint(suite.api.prisma)).toEqual(before);
    // The offer is still shown in the currency it was priced in.
    const view = await asClient.requests.get.query({ requestId: request.id });
    expect(view.offers[0]?.totalCurrency).toBe('RUB');
  });
});
