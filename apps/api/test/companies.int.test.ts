import { describe, expect, it } from 'vitest';

import { completeForm, hours, offerTerms } from '@payreq/testing';
import { useTestApiWithWorld } from '../testing/suite';
import { dbKind, failureOf, footprint, skipDb } from '../testing/harness';

/**
 * Client companies and the standard market over real HTTP: a person registers a company or
 * joins one by an invitation, files a request, agents of two tenants offer, one is accepted.
 * A bank agent files for a client company and acts as its client.
 */
describe.skipIf(skipDb)(`client companies and the market (${dbKind})`, () => {
  const suite = useTestApiWithWorld();

  const deadline = () => new Date(suite.api.clock.now().getTime() + hours(48)).toISOString();
  const as = (kind: 'user' | 'agent', id: string) =>
    suite.api.client(suite.api.tokenFor({ kind, id }));

  async function newcomer(name: string) {
    const user = await suite.api.prisma.user.create({ data: { name } });
    return { user, client: as('user', user.id) };
  }

  it('lets a newcomer register a company, invite a colleague once, and file its requests', async () => {
    const { client: masha } = await newcomer('Маша');
    const refused = await failureOf(
      masha.requests.create.mutate({ fields: {}, offersDeadline: deadline() }),
    );
    expect(refused).toMatchObject({ httpStatus: 403, appCode: 'FORBIDDEN' });
    expect(refused.message).toContain('зарегистрируйте организацию');

    const before = await footprint(suite.api.prisma);
    const noKpp = await failureOf(
      masha.companies.register.mutate({ name: 'ООО «Вектор»', taxId: '7707083893' }),
    );
    expect(noKpp).toMatchObject({ httpStatus: 400, appCode: 'VALIDATION_FAILED' });
    expect(noKpp.message).not.toMatch(/kpp_required/);
    expect(await footprint(suite.api.prisma)).toEqual(before);

    const company = await masha.companies.register.mutate({
      name: 'ООО «Вектор»',
      taxId: '7707083893',
      kpp: '773601001',
    });
    expect(company).toMatchObject({ name: 'ООО «Вектор»', taxId: '7707083893', members: 1 });
    expect(await masha.companies.mine.query()).toMatchObject({ id: company.id });

    // The INN is the company's identity: a second registration is told to ask for an invitation.
    const { user: other, client: petya } = await newcomer('Петя');
    const duplicate = await failureOf(
      petya.companies.register.mutate({ name: 'Вектор-2', taxId: '7707083893', kpp: '773601001' }),
    );
    expect(duplicate).toMatchObject({ httpStatus: 409, appCode: 'ALREADY_EXISTS' });
    expect(duplicate.message).toContain('попросите приглашение');
    expect(
      (await suite.api.prisma.user.findUniqueOrThrow({ where: { id: other.id } })).tenantId,
    ).toBe(null);

    // A member of another company may not invite into this one.
    const outsider = await failureOf(
      as('user', suite.world.client.id).companies.invite.mutate({ companyId: company.id }),
    );
    expect(outsider).toMatchObject({ httpStatus: 403 });

    const invitation = await masha.companies.invite.mutate({ companyId: company.id });
    expect(invitation.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await suite.api.prisma.companyInvitation.findFirstOrThrow();
    expect(stored.tokenHash).not.toContain(invitation.token);

    const joined = await petya.companies.join.mutate({ token: invitation.token });
    expect(joined).toMatchObject({ id: company.id, members: 2 });
    const { client: vasya } = await newcomer('Вася');
    const reused = await failureOf(vasya.companies.join.mutate({ token: invitation.token }));
    expect(reused).toMatchObject({ httpStatus: 409 });
    expect(reused.message).toContain('уже воспользовались');

    // A colleague sees the company's request; a person of another company does not.
    const draft = await masha.requests.create.mutate({
      fields: completeForm,
      offersDeadline: deadline(),
    });
    expect(draft).toMatchObject({ pipeline: 'STANDARD', status: 'DRAFT' });
    expect((await petya.requests.get.query({ requestId: draft.id })).id).toBe(draft.id);
    expect((await petya.requests.list.query({})).items.map((item) => item.id)).toEqual([draft.id]);
    expect(
      await failureOf(
        as('user', suite.world.client.id).requests.get.query({ requestId: draft.id }),
      ),
    ).toMatchObject({ httpStatus: 403 });
  });

  it('refuses an expired invitation and a second company for one person', async () => {
    const { user: mashaUser, client: masha } = await newcomer('Маша');
    const company = await masha.companies.register.mutate({
      name: 'ИП Иванов',
      taxId: '500100732259',
    });
    const invitation = await masha.companies.invite.mutate({ companyId: company.id });
    suite.api.clock.advance(hours(8 * 24));
    const { client: late } = await newcomer('Поздний');
    const expired = await failureOf(late.companies.join.mutate({ token: invitation.token }));
    expect(expired).toMatchObject({ httpStatus: 409 });
    expect(expired.message).toContain('Срок приглашения истёк');

    // Platform tokens are short-lived: a week later Masha signs in again.
    const mashaLater = as('user', mashaUser.id);
    const second = await failureOf(
      mashaLater.companies.register.mutate({
        name: 'Другая',
        taxId: '7736207543',
        kpp: '770401001',
      }),
    );
    expect(second).toMatchObject({ httpStatus: 403 });
    expect(second.message).toContain('уже состоите');
    expect(await suite.api.prisma.tenant.count({ where: { taxId: '7736207543' } })).toBe(0);
  });

  it('lets a bank agent file for a client company and choose among offers of two tenants', async () => {
    const { client: masha } = await newcomer('Маша');
    const company = await masha.companies.register.mutate({
      name: 'ИП Иванов',
      taxId: '500100732259',
    });
    const anna = as('agent', suite.world.anna.id);
    const boris = as('agent', suite.world.boris.id);
    const zoe = as('agent', suite.world.zoe.id);

    expect((await anna.companies.list.query({ search: '5001' })).map((c) => c.id)).toEqual([
      company.id,
    ]);
    expect(await failureOf(zoe.companies.list.query({}))).toMatchObject({ httpStatus: 403 });

    const withoutCompany = await failureOf(
      anna.requests.create.mutate({ fields: completeForm, offersDeadline: deadline() }),
    );
    expect(withoutCompany).toMatchObject({ httpStatus: 400 });
    expect(withoutCompany.message).toContain('Выберите организацию');

    const draft = await anna.requests.create.mutate({
      fields: completeForm,
      offersDeadline: deadline(),
      companyId: company.id,
    });
    // Filed by the bank with no agent of its own: the market, never the Telegram road.
    expect(draft).toMatchObject({ pipeline: 'STANDARD', inHouse: false });
    const open = await anna.requests.submit.mutate({ requestId: draft.id, version: draft.version });
    expect(open.status).toBe('COLLECTING_OFFERS');
    // The company's member sees what the bank filed for it.
    expect((await masha.requests.get.query({ requestId: draft.id })).status).toBe(
      'COLLECTING_OFFERS',
    );

    // The agent who filed it is the client here: she cannot offer on it herself.
    const ownOffer = await failureOf(
      anna.offers.submit.mutate({ requestId: draft.id, terms: offerTerms('100.00') }),
    );
    expect(ownOffer).toMatchObject({ httpStatus: 403 });

    await boris.offers.submit.mutate({ requestId: draft.id, terms: offerTerms('16010000.00') });
    const zoeView = await zoe.offers.submit.mutate({
      requestId: draft.id,
      terms: offerTerms('16055700.00'),
    });
    const zoeOffer = zoeView.offers.find((offer) => offer.agentId === suite.world.zoe.id)!;
    expect(zoeOffer.agentTenantName).toBe('Other Agents LLC');

    // Zoe takes hers back, then offers again; Boris may not withdraw Zoe's.
    const notOwn = await failureOf(
      boris.offers.withdraw.mutate({ requestId: draft.id, offerId: zoeOffer.id }),
    );
    expect(notOwn).toMatchObject({ httpStatus: 403 });
    const withdrawn = await zoe.offers.withdraw.mutate({
      requestId: draft.id,
      offerId: zoeOffer.id,
    });
    expect(withdrawn.offers.find((offer) => offer.id === zoeOffer.id)?.status).toBe('WITHDRAWN');
    const again = await failureOf(
      zoe.offers.withdraw.mutate({ requestId: draft.id, offerId: zoeOffer.id }),
    );
    expect(again).toMatchObject({ httpStatus: 409 });
    await zoe.offers.submit.mutate({ requestId: draft.id, terms: offerTerms('16000000.00') });

    const side = await anna.requests.get.query({ requestId: draft.id });
    const pending = side.offers.filter((offer) => offer.status === 'PENDING');
    expect(pending.map((offer) => offer.agentTenantName).sort()).toEqual([
      'Other Agents LLC',
      'Банк',
    ]);
    expect(side.history.some((entry) => entry.change.type === 'offerWithdrawn')).toBe(true);

    const chosen = pending.find((offer) => offer.agentId === suite.world.zoe.id)!;
    const accepted = await anna.offers.accept.mutate({ requestId: draft.id, offerId: chosen.id });
    expect(accepted).toMatchObject({ status: 'OFFER_ACCEPTED', readOnly: true });
    const borisAfter = await boris.requests.get.query({ requestId: draft.id });
    expect(borisAfter.offers.map((offer) => offer.status)).toEqual(['REJECTED']);
  });

  it('refuses an offer from an agent of the client’s own company and writes nothing', async () => {
    // A company whose own agent (a tenant with agents and members) tries its own request.
    const agency = await suite.api.prisma.tenant.create({
      data: { name: 'Агентство и клиент', taxId: '7736207543', kpp: '770401001' },
    });
    const member = await suite.api.prisma.user.create({
      data: { name: 'Член', tenantId: agency.id },
    });
    const ownAgent = await suite.api.prisma.agent.create({
      data: { name: 'Свой агент', tenantId: agency.id, telegramId: 7000000077n },
    });
    const client = as('user', member.id);
    const draft = await client.requests.create.mutate({
      fields: completeForm,
      offersDeadline: deadline(),
    });
    await client.requests.submit.mutate({ requestId: draft.id, version: draft.version });
    const before = await footprint(suite.api.prisma);
    const refused = await failureOf(
      as('agent', ownAgent.id).offers.submit.mutate({
        requestId: draft.id,
        terms: offerTerms('1.00'),
      }),
    );
    expect(refused).toMatchObject({ httpStatus: 403 });
    expect(await footprint(suite.api.prisma)).toEqual(before);
  });

  it('accepts exactly one offer when the client accepts two at once while an agent offers', async () => {
    const { client: masha } = await newcomer('Маша');
    await masha.companies.register.mutate({ name: 'ИП Иванов', taxId: '500100732259' });
    const draft = await masha.requests.create.mutate({
      fields: completeForm,
      offersDeadline: deadline(),
    });
    await masha.requests.submit.mutate({ requestId: draft.id, version: draft.version });
    const boris = as('agent', suite.world.boris.id);
    const zoe = as('agent', suite.world.zoe.id);
    await boris.offers.submit.mutate({ requestId: draft.id, terms: offerTerms('16010000.00') });
    await zoe.offers.submit.mutate({ requestId: draft.id, terms: offerTerms('16055700.00') });
    const offers = (await masha.requests.get.query({ requestId: draft.id })).offers;

    const results = await Promise.allSettled([
      masha.offers.accept.mutate({ requestId: draft.id, offerId: offers[0]!.id }),
      masha.offers.accept.mutate({ requestId: draft.id, offerId: offers[1]!.id }),
      boris.offers.submit.mutate({ requestId: draft.id, terms: offerTerms('15000000.00') }),
    ]);
    const accepts = results.slice(0, 2).filter((result) => result.status === 'fulfilled');
    expect(accepts).toHaveLength(1);
    const stored = await suite.api.prisma.offer.findMany({ where: { requestId: draft.id } });
    expect(stored.filter((offer) => offer.status === 'ACCEPTED')).toHaveLength(1);
    expect(stored.filter((offer) => offer.status === 'PENDING')).toHaveLength(0);
    const request = await suite.api.prisma.paymentRequest.findUniqueOrThrow({
      where: { id: draft.id },
    });
    expect(request.status).toBe('OFFER_ACCEPTED');
    const view = await masha.requests.get.query({ requestId: draft.id });
    expect(view.acceptedOffer?.id).toBe(stored.find((offer) => offer.status === 'ACCEPTED')?.id);
  });
});
