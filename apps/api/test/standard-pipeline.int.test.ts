import { beforeEach, describe, expect, it } from 'vitest';

import { expireOverdueRequests } from '../src/jobs/expire-deadlines';
import { completeForm, createWorld, hours, offerTerms } from '@payreq/testing';
import type { TestApi } from '../testing/harness';
import { useTestApiWithWorld } from '../testing/suite';
import { dbKind, skipDb, failureOf, footprint, startTestApi } from '../testing/harness';

describe.skipIf(skipDb)(`standard pipeline over HTTP (${dbKind})`, () => {
  const suite = useTestApiWithWorld();
  let asClient: ReturnType<TestApi['client']>;
  let asOtherClient: ReturnType<TestApi['client']>;
  let asZoe: ReturnType<TestApi['client']>;
  let asBoris: ReturnType<TestApi['client']>;

  beforeEach(() => {
    asClient = suite.api.client(suite.api.tokenFor({ kind: 'user', id: suite.world.client.id }));
    asOtherClient = suite.api.client(
      suite.api.tokenFor({ kind: 'user', id: suite.world.otherClient.id }),
    );
    asZoe = suite.api.client(suite.api.tokenFor({ kind: 'agent', id: suite.world.zoe.id }));
    asBoris = suite.api.client(suite.api.tokenFor({ kind: 'agent', id: suite.world.boris.id }));
  });

  const deadline = () => new Date(suite.api.clock.now().getTime() + hours(24)).toISOString();

  async function submittedRequest() {
    const draft = await asClient.requests.create.mutate({
      fields: completeForm,
      offersDeadline: deadline(),
    });
    return asClient.requests.submit.mutate({ requestId: draft.id, version: draft.version });
  }

  it('runs request → offers → accept, and leaves the fields read-only', async () => {
    const draft = await asClient.requests.create.mutate({
      fields: { payerName: 'ООО «Ромашка»' },
      offersDeadline: deadline(),
    });
    expect(draft).toMatchObject({
      status: 'DRAFT',
      pipeline: 'STANDARD',
      inHouse: false,
      version: 1,
      readOnly: false,
    });
    expect(draft.displayNumber).toMatch(/^№ \d{6}$/);

    const filled = await asClient.requests.update.mutate({
      requestId: draft.id,
      version: 1,
      fields: completeForm,
    });
    expect(filled.fields.beneficiarySwift).toBe('BKCHCNBJ45A');
    expect(filled.version).toBe(2);

    const open = await asClient.requests.submit.mutate({ requestId: draft.id, version: 2 });
    expect(open.status).toBe('COLLECTING_OFFERS');

    // Agents of two tenants compete; each sees only its own offer.
    // Fees left empty are none.
    await asZoe.offers.submit.mutate({
      requestId: draft.id,
      terms: { ...offerTerms('16055700.00'), feePercent: '', fixedFee: '' },
    });
    const zoeOffer = await suite.api.prisma.offer.findFirstOrThrow({
      where: { agentId: suite.world.zoe.id },
    });
    expect([zoeOffer.feePercent.toString(), zoeOffer.fixedFee.toString()]).toEqual(['0', '0']);
    const borisView = await asBoris.offers.submit.mutate({
      requestId: draft.id,
      terms: offerTerms('16010000.00'),
    });
    expect(borisView.offers.map((offer) => offer.agentName)).toEqual(['Boris (bank)']);

    const clientView = await asClient.requests.get.query({ requestId: draft.id });
    expect(clientView.offers).toHaveLength(2);
    const borisOffer = clientView.offers.find((offer) => offer.agentId === suite.world.boris.id)!;

    const accepted = await asClient.offers.accept.mutate({
      requestId: draft.id,
      offerId: borisOffer.id,
    });
    expect(accepted.status).toBe('OFFER_ACCEPTED');
    expect(accepted.readOnly).toBe(true);
    expect(accepted.acceptedOffer).toMatchObject({
      id: borisOffer.id,
      totalToPay: '16010000.00',
      status: 'ACCEPTED',
    });
    expect(accepted.offers.find((offer) => offer.agentId === suite.world.zoe.id)?.status).toBe(
      'REJECTED',
    );
    // The agent whose offer lost sees it in the currency it was priced in, though the request's
    // fields are no longer theirs to see.
    const zoeView = await asZoe.requests.get.query({ requestId: draft.id });
    expect(zoeView.fields.clientCurrency).toBeNull();
    expect(zoeView.offers).toEqual([
      expect.objectContaining({ status: 'REJECTED', totalCurrency: completeForm.clientCurrency }),
    ]);
    // The winner is the request's agent wherever it is listed; only its parties see the client.
    expect(accepted).toMatchObject({
      agentId: suite.world.boris.id,
      agentName: 'Boris (bank)',
      clientName: 'ООО «Ромашка»',
      clientShown: true,
    });
    const listedFor = async (who: typeof asZoe) =>
      (await who.requests.list.query({})).items.find((item) => item.id === draft.id);
    expect(await listedFor(asBoris)).toMatchObject({
      agentName: 'Boris (bank)',
      clientName: 'ООО «Ромашка»',
      clientShown: true,
    });
    expect(await listedFor(asZoe)).toMatchObject({
      agentId: suite.world.boris.id,
      agentName: 'Boris (bank)',
      clientName: null,
      clientShown: false,
    });

    const before = await footprint(suite.api.prisma);
    const readOnly = await failureOf(
      asClient.requests.update.mutate({
        requestId: draft.id,
        version: accepted.version,
        fields: { comment: 'late change' },
      }),
    );
    expect(readOnly).toMatchObject({ httpStatus: 409, appCode: 'READ_ONLY' });
    expect(await footprint(suite.api.prisma)).toEqual(before);

    // The agent whose offer won now carries the request; the loser only looks.
    const inProgress = await asBoris.requests.setStatus.mutate({
      requestId: draft.id,
      status: 'IN_PROGRESS',
    });
    expect(inProgress.status).toBe('IN_PROGRESS');
    expect(
      await failureOf(
        asZoe.requests.setStatus.mutate({ requestId: draft.id, status: 'COMPLETED' }),
      ),
    ).toMatchObject({
      httpStatus: 403,
    });

    // The view carries the latest entries; the first ones come a page before them.
    const view = await asClient.requests.get.query({ requestId: draft.id });
    const earlier = view.historyBefore
      ? await asClient.requests.history.query({ requestId: draft.id, before: view.historyBefore })
      : { entries: [] };
    const history = [...earlier.entries, ...view.history].map(
      (entry) => `${entry.change.type}:${'to' in entry.change ? entry.change.to : ''}`,
    );
    expect(history).toEqual(
      expect.arrayContaining([
        'created:',
        'status:COLLECTING_OFFERS',
        'status:OFFER_ACCEPTED',
        'status:IN_PROGRESS',
      ]),
    );
    // Each offer placed is told once, by its agent; the client's choice is an entry of its own.
    const offerEntries = [...earlier.entries, ...view.history].flatMap((entry) =>
      entry.change.type === 'offer' || entry.change.type === 'offerAccepted'
        ? [[entry.change.type, entry.actor.name, entry.change.offer?.agentName]]
        : [],
    );
    expect(offerEntries).toEqual([
      ['offer', 'Zoe (other)', 'Zoe (other)'],
      ['offer', 'Boris (bank)', 'Boris (bank)'],
      ['offerAccepted', 'Ivan Petrov', 'Boris (bank)'],
    ]);
    // Standard requests have no chat and no 1C: nothing goes to the outbox.
    expect(await suite.api.prisma.outboxMessage.count()).toBe(0);
  });

  it('refuses a stale version and changes nothing', async () => {
    const draft = await asClient.requests.create.mutate({ fields: {}, offersDeadline: deadline() });
    await asClient.requests.update.mutate({
      requestId: draft.id,
      version: 1,
      fields: { payerName: 'First writer' },
    });
    const before = await footprint(suite.api.prisma);

    const conflict = await failureOf(
      asClient.requests.update.mutate({
        requestId: draft.id,
        version: 1,
        fields: { payerName: 'Second writer' },
      }),
    );
    expect(conflict).toMatchObject({ httpStatus: 409, appCode: 'VERSION_CONFLICT' });
    expect(conflict.data.details).toEqual({ currentVersion: 2 });

    expect(await footprint(suite.api.prisma)).toEqual(before);
    const row = await suite.api.prisma.paymentRequest.findUniqueOrThrow({
      where: { id: draft.id },
    });
    expect(row).toMatchObject({ payerName: 'First writer', version: 2 });
  });

  it('lets exactly one of two racing writers win on the same version', async () => {
    const draft = await asClient.requests.create.mutate({ fields: {}, offersDeadline: deadline() });
    const results = await Promise.allSettled([
      asClient.requests.update.mutate({
        requestId: draft.id,
        version: 1,
        fields: { payerName: 'A' },
      }),
      asClient.requests.update.mutate({
        requestId: draft.id,
        version: 1,
        fields: { payerName: 'B' },
      }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const row = await suite.api.prisma.paymentRequest.findUniqueOrThrow({
      where: { id: draft.id },
    });
    expect(row.version).toBe(2);
    expect(
      await suite.api.prisma.requestHistory.count({
        where: { requestId: draft.id, field: 'payerName' },
      }),
    ).toBe(1);
  });

  it('expires an overdue request exactly once with two job runners racing, and never a Telegram one', async () => {
    const request = await submittedRequest();
    await asZoe.offers.submit.mutate({ requestId: request.id, terms: offerTerms('16055700.00') });
    // A Telegram request of the bank, collecting offers with no deadline.
    const chat = await suite.api.prisma.telegramChat.create({
      data: { id: -1001000000001n, type: 'supergroup', title: 'Deal room' },
    });
    const telegram = await suite.api.prisma.paymentRequest.create({
      data: {
        tenantId: suite.world.bank.id,
        source: 'TELEGRAM',
        telegramChatId: chat.id,
        agentId: suite.world.anna.id,
        status: 'COLLECTING_OFFERS',
      },
    });

    const later = new Date(suite.api.clock.now().getTime() + hours(25));
    const [first, second] = await Promise.all([
      expireOverdueRequests(suite.api.prisma, later),
      expireOverdueRequests(suite.api.prisma, later),
    ]);
    expect([...first, ...second]).toEqual([request.id]);
    expect(await expireOverdueRequests(suite.api.prisma, later)).toEqual([]);

    const expired = await asClient.requests.get.query({ requestId: request.id });
    expect(expired.status).toBe('EXPIRED');
    expect(expired.offers[0]?.status).toBe('REJECTED');
    expect(
      expired.history.filter(
        (entry) => entry.change.type === 'status' && entry.change.to === 'EXPIRED',
      ),
    ).toHaveLength(1);
    expect(
      (await suite.api.prisma.paymentRequest.findUniqueOrThrow({ where: { id: telegram.id } }))
        .status,
    ).toBe('COLLECTING_OFFERS');
  });

  it('refuses offers after the deadline even before the job ran', async () => {
    const request = await submittedRequest();
    suite.api.clock.advance(hours(25));
    asZoe = suite.api.client(suite.api.tokenFor({ kind: 'agent', id: suite.world.zoe.id }));
    const late = await failureOf(
      asZoe.offers.submit.mutate({ requestId: request.id, terms: offerTerms('1.00') }),
    );
    expect(late).toMatchObject({ httpStatus: 409, appCode: 'TRANSITION_NOT_ALLOWED' });
    expect(await suite.api.prisma.offer.count()).toBe(0);
  });

  it('refuses bad input with readable words in the caller’s language, and writes nothing', async () => {
    const draft = await asClient.requests.create.mutate({ fields: {}, offersDeadline: deadline() });
    // A user whose settings say English gets English words (below).
    await suite.api.prisma.user.update({
      where: { id: suite.world.otherClient.id },
      data: { locale: 'en' },
    });
    const before = await footprint(suite.api.prisma);
    const bad = {
      requestId: draft.id,
      version: 1,
      fields: { beneficiaryAccount: 'DE00370400440532013000', amount: '-1' },
    };

    const russian = await failureOf(asClient.requests.update.mutate(bad));
    expect(russian).toMatchObject({ httpStatus: 400, appCode: 'VALIDATION_FAILED' });
    expect(russian.message).toContain('fields.beneficiaryAccount: IBAN указан с ошибкой');

    const english = await failureOf(
      asOtherClient.requests.create.mutate({
        fields: { currency: 'XYZ' },
        offersDeadline: 'tomorrow',
      }),
    );
    expect(english).toMatchObject({ httpStatus: 400, appCode: 'VALIDATION_FAILED' });
    expect(english.message).toContain('fields.currency: Enter an ISO 4217 currency code');
    expect(english.data.issues).toEqual(
      expect.arrayContaining([
        { path: 'fields.currency', message: 'Enter an ISO 4217 currency code, e.g. USD, EUR, CNY' },
      ]),
    );

    const incomplete = await failureOf(
      asClient.requests.submit.mutate({ requestId: draft.id, version: 1 }),
    );
    expect(incomplete).toMatchObject({ httpStatus: 422, appCode: 'INCOMPLETE_REQUEST' });
    expect(incomplete.message).toMatch(
      /^Заполните обязательные поля: Плательщик \(название\), ИНН,/,
    );

    const tooSoon = await failureOf(
      asClient.requests.create.mutate({
        fields: {},
        offersDeadline: new Date(suite.api.clock.now().getTime() + 60_000).toISOString(),
      }),
    );
    expect(tooSoon).toMatchObject({ httpStatus: 400, appCode: 'VALIDATION_FAILED' });

    expect(await footprint(suite.api.prisma)).toEqual(before);
  });

  it('keeps a company’s request from other companies and refuses forged or missing credentials', async () => {
    const request = await submittedRequest();
    // A colleague in the same company works on the company's requests.
    expect((await asOtherClient.requests.get.query({ requestId: request.id })).id).toBe(request.id);
    const otherCompany = await suite.api.prisma.tenant.create({
      data: { name: 'Другая компания' },
    });
    const stranger = await suite.api.prisma.user.create({
      data: { name: 'Stranger', tenantId: otherCompany.id },
    });
    const asStranger = suite.api.client(suite.api.tokenFor({ kind: 'user', id: stranger.id }));
    expect(await failureOf(asStranger.requests.get.query({ requestId: request.id }))).toMatchObject(
      { httpStatus: 403, appCode: 'FORBIDDEN' },
    );
    expect(
      await failureOf(suite.api.client().requests.get.query({ requestId: request.id })),
    ).toMatchObject({ httpStatus: 401 });
    const forged =
      suite.api.tokenFor({ kind: 'user', id: suite.world.client.id }).slice(0, -2) + 'xx';
    expect(
      await failureOf(suite.api.client(forged).requests.get.query({ requestId: request.id })),
    ).toMatchObject({
      httpStatus: 401,
      appCode: 'UNAUTHENTICATED',
    });
    expect(
      await failureOf(asZoe.offers.accept.mutate({ requestId: request.id, offerId: request.id })),
    ).toMatchObject({ httpStatus: 403 });
  });

  it('locks out a deactivated agent at once', async () => {
    const request = await submittedRequest();
    await suite.api.prisma.agent.update({
      where: { id: suite.world.zoe.id },
      data: { active: false },
    });
    const refused = await failureOf(
      asZoe.offers.submit.mutate({ requestId: request.id, terms: offerTerms('1.00') }),
    );
    expect(refused).toMatchObject({ httpStatus: 401, appCode: 'UNAUTHENTICATED' });
    expect(await suite.api.prisma.offer.count()).toBe(0);
  });
});

describe.skipIf(skipDb)(`health and metrics (${dbKind})`, () => {
  it('answers /healthz and exposes request and outbox gauges on /metrics', async () => {
    const api = await startTestApi();
    try {
      const world = await createWorld(api.prisma);
      const client = api.client(api.tokenFor({ kind: 'user', id: world.client.id }));
      await client.requests.create.mutate({
        fields: {},
        offersDeadline: new Date(Date.now() + hours(24)).toISOString(),
      });
      expect(await (await fetch(`${api.url}/healthz`)).json()).toEqual({ status: 'ok' });
      const metrics = await (await fetch(`${api.url}/metrics`)).text();
      expect(metrics).toContain('payreq_requests{status="DRAFT",service="payreq-api"} 1');
      expect(metrics).toContain('process_resident_memory_bytes');
    } finally {
      await api.close();
    }
  });
});
