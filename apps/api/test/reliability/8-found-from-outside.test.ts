import { randomUUID } from 'node:crypto';

import { allowedUploadMimeTypes, onecDocumentMimeTypes, opensInPlace } from '@payreq/contracts';
import { beforeAll, describe, expect, it } from 'vitest';

import { loadEnv } from '../../src/env';
import { completeForm, productionSettings, signLaunchHmacOnly } from '@payreq/testing';
import { dbKind } from '../../testing/harness';
import { callOnec } from '../../testing/onec';
import type { TelegramUser } from '../../testing/telegram';
import { miniAppClient, signLaunch, tma } from '../../testing/telegram';
import { recordFigure } from '@payreq/testing/reliability';
import { people, snapshotRows, rowsChanged, skipSuite, useDealRoom } from './support';

/**
 * The holes found when the platform was tried from outside (a document that ran script, 1C
 * files not checked against their bytes, other tenants reading the bank's clients, the 1C link
 * reaching clients, former agents acting as clients, production on development secrets, a
 * broken character giving a 500, init data without a `signature`), each measured at scale.
 */

/** One sample of each kind of content, as its bytes begin. */
const samples: Record<string, Buffer> = {
  pdf: Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'),
  png: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
  jpeg: Buffer.from('ffd8ffe000104a46494600010100', 'hex'),
  gif: Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'),
  webp: Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]),
  mp4: Buffer.concat([Buffer.alloc(4), Buffer.from('ftypisom')]),
  ogg: Buffer.from('OggS\x00\x02', 'latin1'),
  mp3: Buffer.from('ID3\x03\x00', 'latin1'),
  zip: Buffer.from('504b0304140000000800', 'hex'),
  ole: Buffer.from('d0cf11e0a1b11ae1', 'hex'),
  html: Buffer.from('<html><script>fetch("/trpc/miniApp.session")</script></html>'),
  xml: Buffer.from(
    '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
  ),
  text: Buffer.from('Договор № 15/2026 — plain text'),
  binary: Buffer.from('00ff00fe01', 'hex'),
};

/** Which sample is a true file of each declared type. */
const trueSampleOf: Record<string, string> = {
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'application/zip': 'zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'zip',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'zip',
  'application/msword': 'ole',
  'application/vnd.ms-excel': 'ole',
  'text/plain': 'html',
  'text/csv': 'text',
  'application/json': 'text',
  'application/xml': 'xml',
};

/** The samples that are also true files of a type (XML and HTML are text, too). */
function fits(mime: string, sample: string): boolean {
  const family = trueSampleOf[mime];
  if (family === sample) return true;
  if (mime === 'application/xml') return sample === 'xml' || sample === 'html';
  if (['text/plain', 'text/csv', 'application/json'].includes(mime))
    return ['html', 'xml', 'text'].includes(sample);
  return false;
}

describe.skipIf(skipSuite)(`found from outside (${dbKind})`, () => {
  const { api, room } = useDealRoom({ onec: true });
  let requestId: string;

  const app = (user: TelegramUser) => miniAppClient(api.url, tma(signLaunch(user, room.token)));
  const platformUser = async (telegramId: number) => {
    const user = await api.prisma.user.findUniqueOrThrow({ where: { telegramId } });
    return api.client(api.tokenFor({ kind: 'user', id: user.id }));
  };
  const platformAgent = (telegramId: number) =>
    api.prisma.agent
      .findUniqueOrThrow({ where: { telegramId } })
      .then((agent) => api.client(api.tokenFor({ kind: 'agent', id: agent.id })));

  beforeAll(async () => {
    // The client fills the deal room's request, the agent submits it, 1C links it.
    const draft = await app(people.client).miniApp.save.mutate({ fields: completeForm });
    const open = await app(people.linkedAgent).miniApp.setStatus.mutate({
      status: 'COLLECTING_OFFERS',
      version: draft.version,
    });
    requestId = open.id;
    await api.prisma.paymentRequest.update({
      where: { id: requestId },
      data: {
        onecRef: randomUUID(),
        onecUrl: 'https://1c.bank.example/bank/#e1cib/data/Document.ЗаявкаНаПлатеж?ref=01',
      },
    });
  });

  it('serves nothing a browser could run inline: every type, from 1C and from uploads', async () => {
    const served: { mime: string; headers: Headers }[] = [];
    for (const mime of onecDocumentMimeTypes) {
      const posted = await callOnec(api, 'POST', `/onec/v1/requests/${requestId}/documents`, {
        body: {
          Ref_Key: randomUUID(),
          kind: 'OTHER',
          fileName: `file.${mime.split('/')[1]}`,
          mime,
          contentBase64: samples[trueSampleOf[mime]!]!.toString('base64'),
        },
        idempotencyKey: randomUUID(),
      });
      expect(posted.status).toBe(201);
      const file = await fetch(
        `${api.url}/miniapp/v1/documents/${String(posted.json.documentId)}`,
        {
          headers: { authorization: tma(signLaunch(people.client, room.token)) },
        },
      );
      await file.arrayBuffer();
      served.push({ mime, headers: file.headers });
    }
    // Uploads of every type the Mini App takes (a script inside where the type is text), on the
    // request while it is collecting offers, when its fields and attachments are still editable.
    for (const mime of allowedUploadMimeTypes) {
      const uploaded = await fetch(`${api.url}/miniapp/v1/attachments`, {
        method: 'POST',
        headers: {
          authorization: tma(signLaunch(people.client, room.token)),
          'content-type': mime,
          'x-file-name': encodeURIComponent(`upload.${mime.split('/')[1]}`),
        },
        body: samples[trueSampleOf[mime]!]!,
      });
      expect(uploaded.status).toBe(201);
      const { id } = (await uploaded.json()) as { id: string };
      const file = await fetch(`${api.url}/miniapp/v1/documents/${id}`, {
        headers: { authorization: tma(signLaunch(people.client, room.token)) },
      });
      await file.arrayBuffer();
      served.push({ mime, headers: file.headers });
    }
    const faults: string[] = [];
    for (const { mime, headers } of served) {
      const inline = opensInPlace(mime);
      const disposition = headers.get('content-disposition') ?? '';
      if (headers.get('x-content-type-options') !== 'nosniff') faults.push(`${mime}: sniffable`);
      if (!/(^|;)\s*sandbox(;|$)/.test(headers.get('content-security-policy') ?? ''))
        faults.push(`${mime}: no sandbox`);
      if (inline !== disposition.startsWith('inline;')) faults.push(`${mime}: ${disposition}`);
      if (!inline && headers.get('content-type') !== 'application/octet-stream')
        faults.push(`${mime}: served as ${headers.get('content-type')}`);
    }
    const figure = recordFigure({
      name: 'served files: nothing a browser runs opens inline',
      tried: served.length,
      outcome: `inline ${served.filter((s) => opensInPlace(s.mime)).length} (PDF and images), downloads ${served.filter((s) => !opensInPlace(s.mime)).length}, faults ${faults.length}`,
      rowsWritten: 0,
      target: 'nosniff + CSP sandbox on all, inline only PDF/PNG/JPEG/GIF/WebP, faults 0',
      pass: faults.length === 0,
      note: faults.join('; ') || undefined,
    });
    expect(faults).toEqual([]);
    expect(figure.pass).toBe(true);
  });

  it('checks every 1C document against its bytes: a mismatch is 415 and stores nothing', async () => {
    let tried = 0;
    let refused = 0;
    let accepted = 0;
    let written = 0;
    const wrong: string[] = [];
    for (const mime of onecDocumentMimeTypes) {
      for (const [sample, bytes] of Object.entries(samples)) {
        tried += 1;
        const before = await snapshotRows(api.prisma);
        const posted = await callOnec(api, 'POST', `/onec/v1/requests/${requestId}/documents`, {
          body: {
            Ref_Key: randomUUID(),
            kind: 'INVOICE',
            fileName: 'doc.bin',
            mime,
            contentBase64: bytes.toString('base64'),
          },
          idempotencyKey: randomUUID(),
        });
        const expected = fits(mime, sample) ? 201 : 415;
        if (posted.status !== expected) wrong.push(`${mime} × ${sample}: ${posted.status}`);
        if (posted.status === 415) {
          refused += 1;
          written += rowsChanged(before, await snapshotRows(api.prisma));
        } else if (posted.status === 201) accepted += 1;
      }
    }
    const figure = recordFigure({
      name: '1C documents: declared type against the bytes',
      tried,
      outcome: `415 ${refused}, stored ${accepted} (bytes of the declared type), wrong answers ${wrong.length}`,
      rowsWritten: written,
      target: 'every mismatch 415, every true file stored, rows written by refusals 0',
      pass: wrong.length === 0 && written === 0,
      note: wrong.join('; ') || undefined,
    });
    expect(wrong).toEqual([]);
    expect(figure.pass).toBe(true);
  });

  it('shows each caller only the fields the domain allows: leaks 0, the 1C link never to a client', async () => {
    const secrets = {
      taxId: completeForm.payerTaxId,
      account: completeForm.beneficiaryAccount,
      client: completeForm.payerName,
      chat: 'Сделка Ромашка',
      onecLink: '1c.bank.example',
    } as const;
    type Secret = keyof typeof secrets;
    const all: Secret[] = ['taxId', 'account', 'client', 'chat', 'onecLink'];
    // Who may see what of the bank's in-house request, written out by hand.
    const allowed: Record<string, Secret[]> = {
      client: ['taxId', 'account', 'client', 'chat'],
      linkedAgent: all,
      masterAgent: all,
      foreignAgent: [],
    };
    const views: { caller: string; road: string; text: string }[] = [];
    for (const caller of Object.keys(allowed) as (keyof typeof people)[]) {
      const session = await app(people[caller]).miniApp.session.query();
      views.push({ caller, road: 'miniApp.session', text: JSON.stringify(session.request) });
      const platform =
        caller === 'client'
          ? await platformUser(people.client.id)
          : await platformAgent(people[caller].id);
      views.push({
        caller,
        road: 'requests.get',
        text: JSON.stringify(await platform.requests.get.query({ requestId })),
      });
      const listed = await platform.requests.list.query({});
      views.push({
        caller,
        road: 'requests.list',
        text: JSON.stringify(listed.items.find((item) => item.id === requestId)),
      });
    }
    let leaks = 0;
    let misses = 0;
    let onecLinkToClients = 0;
    const notes: string[] = [];
    for (const view of views) {
      for (const secret of all) {
        const present = view.text.includes(secrets[secret]);
        const may = allowed[view.caller]!.includes(secret);
        if (present && !may) {
          leaks += 1;
          notes.push(`${view.road} × ${view.caller}: ${secret}`);
          if (secret === 'onecLink' && view.caller === 'client') onecLinkToClients += 1;
        }
        // A board row carries no form fields: the tax id and account are in the request's view.
        const inRow = !(
          view.road === 'requests.list' &&
          (secret === 'account' || secret === 'taxId')
        );
        if (!present && may && inRow) {
          misses += 1;
          notes.push(`${view.road} × ${view.caller}: ${secret} missing`);
        }
      }
      if (!view.text.includes('1250000.00')) {
        misses += 1;
        notes.push(`${view.road} × ${view.caller}: amount missing`);
      }
    }
    const figure = recordFigure({
      name: 'redaction: fields × callers',
      tried: views.length * all.length,
      outcome: `leaks ${leaks} (1C link to clients ${onecLinkToClients}), allowed but missing ${misses}`,
      rowsWritten: 0,
      target: 'leaks 0; other tenants see number, status, amount, direction, agent only',
      pass: leaks === 0 && misses === 0,
      note: notes.join('; ') || undefined,
    });
    expect(notes).toEqual([]);
    expect(figure.pass).toBe(true);
  });

  it('gives a former agent still in the group no part in the deal room', async () => {
    const denis = app(people.deactivatedAgent);
    const session = await denis.miniApp.session.query().then(
      () => 200,
      (error: { data?: { httpStatus?: number } }) => error.data?.httpStatus ?? 0,
    );
    const calls: (() => Promise<unknown>)[] = [
      () => denis.miniApp.save.mutate({ version: 1, fields: { comment: 'я ещё тут' } }),
      () => denis.miniApp.setStatus.mutate({ status: 'CANCELLED' }),
      () => denis.miniApp.setPaymentStatus.mutate({ paymentStatus: 'TEST_PAYMENT_SENT' }),
      () => denis.miniApp.requestDocument.mutate({ kind: 'INVOICE' }),
    ];
    const statuses = [session];
    const before = await snapshotRows(api.prisma);
    for (const call of calls) {
      statuses.push(
        await call().then(
          () => 200,
          (error: { data?: { httpStatus?: number } }) => error.data?.httpStatus ?? 0,
        ),
      );
    }
    const download = await fetch(`${api.url}/miniapp/v1/attachments`, {
      method: 'POST',
      headers: {
        authorization: tma(signLaunch(people.deactivatedAgent, room.token)),
        'content-type': 'application/pdf',
      },
      body: samples.pdf,
    });
    statuses.push(download.status);
    const written = rowsChanged(before, await snapshotRows(api.prisma));
    const refused = statuses.filter((status) => status === 403).length;
    const figure = recordFigure({
      name: 'former agents in their deal rooms',
      tried: statuses.length,
      outcome: `403 ${refused} of ${statuses.length} (session, save, status, payment mark, document, upload)`,
      rowsWritten: written,
      target: '403 = tried, rows 0',
      pass: refused === statuses.length && written === 0,
    });
    expect(statuses.every((status) => status === 403)).toBe(true);
    expect(figure.pass).toBe(true);
  });

  it('refuses production on every development value, naming each', () => {
    const real = {
      ...productionSettings,
      DATABASE_URL: 'postgresql://payreq@db.bank.example/payreq',
    };
    const development: [string, string | undefined][] = [
      ['PLATFORM_TOKEN_SECRET', undefined],
      ['TELEGRAM_BOT_TOKEN', undefined],
      ['BOT_SERVICE_TOKEN', undefined],
      ['ONEC_INBOUND_API_KEY', undefined],
      ['ONEC_PASSWORD', undefined],
      ['TELEGRAM_API_ROOT', 'http://127.0.0.1:8081'],
      ['TELEGRAM_API_ROOT', 'http://localhost:8081'],
      ['ONEC_BASE_URL', 'http://127.0.0.1:4020/bank'],
      ['ONEC_BASE_URL', 'http://[::1]:4020/bank'],
      ['DATABASE_URL', undefined],
      ['FILE_STORE', 'disk'],
    ];
    let named = 0;
    const wrong: string[] = [];
    for (const [name, value] of development) {
      const settings: Record<string, string | undefined> = { ...real, [name]: value };
      if (value === undefined) delete settings[name];
      let message = '';
      try {
        loadEnv(settings);
      } catch (error) {
        message = (error as Error).message;
      }
      const lines = message.split('\n').slice(1);
      if (lines.length === 1 && lines[0]!.startsWith(`  ${name}: `)) named += 1;
      else wrong.push(`${name}=${value ?? '(unset)'}: ${message || 'started'}`);
    }
    let startedClean = true;
    try {
      loadEnv(real);
    } catch {
      startedClean = false;
    }
    const figure = recordFigure({
      name: 'production settings',
      tried: development.length + 1,
      outcome: `refused ${named} of ${development.length}, each naming its setting; real settings start: ${startedClean ? 'yes' : 'no'}`,
      rowsWritten: 0,
      target: 'every development value refused by name, real settings start',
      pass: wrong.length === 0 && startedClean,
      note: wrong.join('; ') || undefined,
    });
    expect(wrong).toEqual([]);
    expect(figure.pass).toBe(true);
  });

  it('answers broken characters in form fields with 400, never 500, writing nothing', async () => {
    const textFields = [
      'payerName',
      'beneficiaryName',
      'beneficiaryAddress',
      'beneficiaryBankName',
      'purpose',
      'contractNumber',
      'invoiceNumber',
      'comment',
    ] as const;
    const broken = [
      '\uD800',
      '\uDBFF',
      '\uDC00',
      '\uDFFF',
      'ok\uD83D',
      '\uDE00ok',
      'a\uDC00\uD800b',
    ];
    const session = await app(people.client).miniApp.session.query();
    let tried = 0;
    let refused = 0;
    let serverErrors = 0;
    const before = await snapshotRows(api.prisma);
    for (const field of textFields) {
      for (const value of broken) {
        tried += 1;
        const answer = await fetch(`${api.url}/trpc/miniApp.save`, {
          method: 'POST',
          headers: {
            authorization: tma(signLaunch(people.client, room.token)),
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            version: session.request!.version,
            fields: { [field]: `Текст ${value} поля` },
          }),
        });
        const body = (await answer.json()) as { error?: { message?: string } };
        if (answer.status === 400 && /символ/.test(body.error?.message ?? '')) refused += 1;
        if (answer.status >= 500) serverErrors += 1;
      }
    }
    const written = rowsChanged(before, await snapshotRows(api.prisma));
    const figure = recordFigure({
      name: 'broken characters in form fields',
      tried,
      outcome: `400 with a message ${refused}, 5xx ${serverErrors}`,
      rowsWritten: written,
      target: '400 = tried, 5xx 0, rows 0',
      pass: refused === tried && serverErrors === 0 && written === 0,
    });
    expect(figure.pass).toBe(true);
  });

  it('takes init data that has only the HMAC (clients before Bot API 8.0), and nothing forged', async () => {
    const users = Array.from({ length: 50 }, (_, index) => ({
      id: 5100000000 + index,
      first_name: `Гость ${index}`,
    }));
    let accepted = 0;
    let forgedRefused = 0;
    for (const user of users) {
      const raw = signLaunchHmacOnly(user, room.token);
      const me = await fetch(`${api.url}/trpc/me.info`, {
        headers: { authorization: tma(raw) },
      });
      if (me.status === 200) accepted += 1;
      const forged = signLaunchHmacOnly(user, room.token, {
        botToken: '999:another-bot-token-of-someone-else',
      });
      const refused = await fetch(`${api.url}/trpc/me.info`, {
        headers: { authorization: tma(forged) },
      });
      if (refused.status === 401) forgedRefused += 1;
    }
    const figure = recordFigure({
      name: 'init data without a signature field',
      tried: users.length * 2,
      outcome: `valid HMAC accepted ${accepted}/${users.length}, another bot's HMAC refused ${forgedRefused}/${users.length}`,
      rowsWritten: 0,
      target: 'all valid accepted, all forged 401',
      pass: accepted === users.length && forgedRefused === users.length,
    });
    expect(figure.pass).toBe(true);
  });
});
