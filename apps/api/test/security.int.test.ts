import { randomUUID } from 'node:crypto';

import { beforeEach, describe, expect, it } from 'vitest';

import type { World } from '@payreq/testing';
import { completeForm, createWorld, signLaunchHmacOnly } from '@payreq/testing';
import { dbKind, failureOf, footprint, skipDb } from '../testing/harness';
import { callOnec, seedIntegration } from '../testing/onec';
import { useTestApi } from '../testing/suite';
import type { TelegramUser } from '../testing/telegram';
import { miniAppClient, registerDealRoom, signLaunch, tma } from '../testing/telegram';

/**
 * The holes found when the system was tried from outside (a hostile 1C, a curious agent of
 * another tenant, a former employee, odd input), each closed and kept closed here.
 */

const anna: TelegramUser = { id: 7000000001, first_name: 'Анна', language_code: 'ru' };
const ivan: TelegramUser = { id: 5000000001, first_name: 'Иван', language_code: 'ru' };
const denis: TelegramUser = { id: 7000000005, first_name: 'Денис', language_code: 'ru' };
const zoe: TelegramUser = { id: 7000000009, first_name: 'Zoe', language_code: 'en' };

const CHAT = -1001987654321;
const CHAT_TITLE = 'Сделка Ромашка';
const pdf = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const scriptedXml = Buffer.from(
  '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><script>fetch("/trpc/miniApp.session")</script></html>',
);

describe.skipIf(skipDb)(`security: the holes found from outside (${dbKind})`, () => {
  const api = useTestApi();
  let world: World;
  let token: string;

  const as = (user: TelegramUser) => miniAppClient(api.url, tma(signLaunch(user, token)));

  beforeEach(async () => {
    world = await createWorld(api.prisma);
    await api.prisma.agent.create({
      data: {
        name: 'Денис (бывший)',
        tenantId: world.bank.id,
        telegramId: BigInt(denis.id),
        active: false,
      },
    });
    await seedIntegration(api.prisma);
    token = await registerDealRoom(api.url, {
      id: CHAT,
      title: CHAT_TITLE,
      by: anna,
      members: [ivan, denis, zoe],
    });
  });

  /** The deal room's request, submitted by Anna and created in 1C (its link set). */
  async function submittedInHouse() {
    const draft = await as(ivan).miniApp.save.mutate({ fields: completeForm });
    const open = await as(anna).miniApp.setStatus.mutate({
      status: 'COLLECTING_OFFERS',
      version: draft.version,
    });
    await api.prisma.paymentRequest.update({
      where: { id: open.id },
      data: {
        onecRef: randomUUID(),
        onecUrl: 'https://1c.bank.example/bank/#e1cib/data/Document.ЗаявкаНаПлатеж?ref=00',
      },
    });
    return open;
  }

  async function postOnecDocument(requestId: string, mime: string, bytes: Buffer) {
    return callOnec(api, 'POST', `/onec/v1/requests/${requestId}/documents`, {
      body: {
        Ref_Key: randomUUID(),
        kind: 'INVOICE',
        fileName: `doc.${mime.split('/')[1]}`,
        mime,
        contentBase64: bytes.toString('base64'),
      },
      idempotencyKey: randomUUID(),
    });
  }

  async function download(documentId: string, user: TelegramUser) {
    return fetch(`${api.url}/miniapp/v1/documents/${documentId}`, {
      headers: { authorization: tma(signLaunch(user, token)) },
    });
  }

  it('1. a document a browser would run is served as an attachment in a sandbox, never inline', async () => {
    const request = await submittedInHouse();
    const xml = await postOnecDocument(request.id, 'application/xml', scriptedXml);
    expect(xml.status).toBe(201);
    const served = await download(String(xml.json.documentId), ivan);
    expect(served.status).toBe(200);
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.headers.get('content-security-policy')).toMatch(/(^|;)\s*sandbox(;|$)/);
    expect(served.headers.get('content-disposition')).toMatch(/^attachment;/);
    // A blob made of this answer (what the Mini App opens) is a download, not a page.
    expect(served.headers.get('content-type')).toBe('application/octet-stream');

    const inline = await postOnecDocument(request.id, 'application/pdf', pdf);
    const pdfServed = await download(String(inline.json.documentId), ivan);
    expect(pdfServed.headers.get('content-type')).toBe('application/pdf');
    expect(pdfServed.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(pdfServed.headers.get('x-content-type-options')).toBe('nosniff');
    expect(pdfServed.headers.get('content-security-policy')).toMatch(/sandbox/);
  });

  it('1. api answers carry security headers', async () => {
    const answer = await fetch(`${api.url}/trpc/miniApp.session`, {
      headers: { authorization: tma(signLaunch(ivan, token)) },
    });
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('strict-transport-security')).toBeTruthy();
    expect(answer.headers.get('content-security-policy')).toMatch(
      /^default-src 'self';script-src 'self';.*frame-ancestors 'self' https:\/\/web\.telegram\.org/,
    );
    expect(answer.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(answer.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    // Framing is CSP's frame-ancestors; no cross-origin embedder policy (Telegram frames us).
    expect(answer.headers.get('x-frame-options')).toBeNull();
    expect(answer.headers.get('cross-origin-embedder-policy')).toBeNull();
    // A refused call carries them too.
    const refused = await fetch(`${api.url}/trpc/miniApp.session`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('2. a 1C document whose bytes are not what it declares is refused with 415, nothing stored', async () => {
    const request = await submittedInHouse();
    const before = await footprint(api.prisma);
    const assets = await api.prisma.asset.count();
    const fake = await postOnecDocument(
      request.id,
      'application/pdf',
      Buffer.from('plain text, not a PDF at all'),
    );
    expect(fake.status).toBe(415);
    expect(JSON.stringify(fake.json)).toMatch(/application\/pdf: its bytes are text/);
    expect(await footprint(api.prisma)).toEqual(before);
    expect(await api.prisma.asset.count()).toBe(assets);
    expect(await api.prisma.document.count()).toBe(0);
  });

  it('3. an agent of another tenant sees an in-house request redacted: no tax ids, accounts, people, chat or 1C link', async () => {
    const request = await submittedInHouse();
    const asZoe = api.client(api.tokenFor({ kind: 'agent', id: world.zoe.id }));
    const seen = await asZoe.requests.get.query({ requestId: request.id });
    const listed = (await asZoe.requests.list.query({})).items.find((i) => i.id === request.id);
    for (const view of [seen, listed]) {
      expect(view).toBeDefined();
      const text = JSON.stringify(view);
      expect(text).not.toContain(completeForm.payerTaxId);
      expect(text).not.toContain(completeForm.beneficiaryAccount);
      expect(text).not.toContain(completeForm.payerName);
      expect(text).not.toContain(CHAT_TITLE);
      expect(text).not.toContain('1c.bank.example');
      expect(view!.amount).toBe('1250000.00');
      expect(view!.currency).toBe('CNY');
      expect(view!.agentName).toBe('Anna (bank)');
    }
    expect(seen.fields.beneficiaryName).toBeNull();
    expect(seen.fields.direction).toBe('OUTGOING');
    // The bank's own agent sees it in full.
    const asBoris = api.client(api.tokenFor({ kind: 'agent', id: world.boris.id }));
    const full = await asBoris.requests.get.query({ requestId: request.id });
    expect(full.fields.payerTaxId).toBe(completeForm.payerTaxId);
  });

  it('4. the client never receives the 1C link, in the list either', async () => {
    await submittedInHouse();
    const user = await api.prisma.user.findUniqueOrThrow({ where: { telegramId: ivan.id } });
    const asIvan = api.client(api.tokenFor({ kind: 'user', id: user.id }));
    const listed = await asIvan.requests.list.query({});
    expect(listed.items).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain('1c.bank.example');
    expect(listed.items[0]!.onecUrl).toBeNull();
    const session = await as(ivan).miniApp.session.query();
    expect(session.request?.onecUrl).toBeNull();
  });

  it('5. a deactivated agent left in the group is neither agent nor client there', async () => {
    const draft = await as(ivan).miniApp.save.mutate({ fields: completeForm });
    // His first call as a former agent records him as a person (a user row without rights), as
    // any first contact does; nothing he tries afterwards writes anything.
    expect((await failureOf(as(denis).miniApp.session.query())).httpStatus).toBe(403);
    const before = await footprint(api.prisma);
    const edit = await failureOf(
      as(denis).miniApp.save.mutate({ version: draft.version, fields: { comment: 'я ещё тут' } }),
    );
    expect(edit.httpStatus).toBe(403);
    const session = await failureOf(as(denis).miniApp.session.query());
    expect(session.httpStatus).toBe(403);
    expect(await footprint(api.prisma)).toEqual(before);
  });

  it('5. a deactivated agent cannot mark a payment', async () => {
    await submittedInHouse();
    const request = await api.prisma.paymentRequest.findFirstOrThrow();
    await api.prisma.paymentRequest.update({
      where: { id: request.id },
      data: { status: 'OFFER_ACCEPTED' },
    });
    const marked = await failureOf(
      as(denis).miniApp.setPaymentStatus.mutate({ paymentStatus: 'TEST_PAYMENT_SENT' }),
    );
    expect(marked.httpStatus).toBe(403);
  });

  it('7. a lone UTF-16 surrogate in a form field is a clear 400, not a 500, and writes nothing', async () => {
    const before = await footprint(api.prisma);
    const refused = await failureOf(
      as(ivan).miniApp.save.mutate({ fields: { payerName: 'ООО \uD800 Ромашка' } }),
    );
    expect(refused.httpStatus).toBe(400);
    expect(refused.appCode).toBe('VALIDATION_FAILED');
    expect(refused.message).toMatch(/символ/);
    expect(await footprint(api.prisma)).toEqual(before);
  });

  it('8. init data with a valid HMAC and no `signature` field is accepted; a wrong HMAC still is not', async () => {
    const raw = signLaunchHmacOnly(ivan, token, { chatInstance: '-4512345678901234567' });
    const session = await miniAppClient(api.url, tma(raw)).miniApp.session.query();
    expect(session.me.telegramId).toBe(ivan.id);
    const forged = raw.replace(/hash=[0-9a-f]{4}/, 'hash=0000');
    const refused = await failureOf(miniAppClient(api.url, tma(forged)).miniApp.session.query());
    expect(refused.httpStatus).toBe(401);
  });
});
