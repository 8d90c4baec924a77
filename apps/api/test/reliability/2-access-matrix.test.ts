import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { signOnecBody } from '@payreq/onec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { completeForm, offerTerms } from '@payreq/testing';
import type { TestApi } from '../../testing/harness';
import { TEST_BOT_SERVICE_TOKEN, dbKind, startTestApi } from '../../testing/harness';
import { ONEC_API_KEY, ONEC_HMAC_SECRET, seedIntegration } from '../../testing/onec';
import { PORTAL_COOKIE, portalSignIn, websiteLogin } from '../../testing/portal';
import { attachFile, miniAppClient, signLaunch, tma } from '../../testing/telegram';
import { recordFigure } from '@payreq/testing/reliability';
import type { DealRoom } from './support';
import { CHAT, dealRoom, onecOffer, people, snapshotRows, rowsChanged, skipSuite } from './support';

const here = path.dirname(fileURLToPath(import.meta.url));

const roles = [
  'client',
  'otherClient',
  'linkedAgent',
  'masterAgent',
  'foreignAgent',
  'deactivatedAgent',
  'stranger',
  'onec',
  'bot',
] as const;
type Role = (typeof roles)[number];
type State = 'none' | 'draft' | 'submitted' | 'accepted';

interface Setup {
  room: DealRoom;
  /** The deal room's Telegram request (absent in state 'none'). */
  telegramId: string | null;
  version: number;
  /** A standard-pipeline request of the client, collecting offers. */
  standardId: string;
  standardVersion: number;
  /** The client's company. */
  companyId: string;
  /** A file attached to the Telegram request. */
  documentId: string | null;
  /** A dead outbox message (for admin.requeue). */
  deadOutboxId: string;
  /** The request that message is about (for admin.requeueRequest). */
  deadRequestId: string;
  /** A file sent in the deal room, as the archive keys it (for portal.chat.attach). */
  chatFileKey: string;
}

interface Call {
  method: 'GET' | 'POST';
  path: string;
  body?: Buffer | string;
  headers?: Record<string, string>;
}

/** Who is allowed, written by hand from docs/domain.md and the identities of docs/architecture.md. */
interface Row {
  name: string;
  state: State;
  allowed: Role[];
  call: (s: Setup) => Call;
  /**
   * A portal call: agents and people come with a signed-in session cookie (a deactivated agent,
   * whose sign-in is refused, and the machines as everywhere).
   */
  portal?: boolean;
}

const trpcQuery = (procedure: string, input: unknown): Call => ({
  method: 'GET',
  path: `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`,
});
const trpcMutation = (procedure: string, input: unknown): Call => ({
  method: 'POST',
  path: `/trpc/${procedure}`,
  body: JSON.stringify(input),
  headers: { 'content-type': 'application/json' },
});
const pdf = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const onecWrite = (p: string, body: unknown): Call => ({
  method: 'POST',
  path: p,
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
});

/**
 * A Mini App member of the deal room who may fill the form. A deactivated agent still in the
 * group is neither agent nor client there: no access at all.
 */
const formPeople: Role[] = ['client', 'linkedAgent'];
const roomViewers: Role[] = ['client', 'linkedAgent', 'masterAgent', 'foreignAgent'];
const agents: Role[] = ['linkedAgent', 'masterAgent', 'foreignAgent'];

const table: Row[] = [
  // miniApp.* — keyed by the bound chat
  {
    name: 'miniApp.session',
    state: 'draft',
    allowed: roomViewers,
    call: () => trpcQuery('miniApp.session', undefined),
  },
  {
    name: 'miniApp.save (create)',
    state: 'none',
    allowed: formPeople,
    call: () => trpcMutation('miniApp.save', { fields: { payerName: 'X' } }),
  },
  {
    name: 'miniApp.save (edit)',
    state: 'draft',
    allowed: formPeople,
    call: (s) =>
      trpcMutation('miniApp.save', { version: s.version, fields: { comment: 'edited' } }),
  },
  {
    name: 'miniApp.save (after acceptance)',
    state: 'accepted',
    allowed: [],
    call: (s) => trpcMutation('miniApp.save', { version: s.version, fields: { comment: 'late' } }),
  },
  {
    name: 'miniApp.setStatus (submit)',
    state: 'draft',
    allowed: ['linkedAgent'],
    call: (s) =>
      trpcMutation('miniApp.setStatus', { status: 'COLLECTING_OFFERS', version: s.version }),
  },
  {
    name: 'miniApp.setStatus (cancel draft)',
    state: 'draft',
    allowed: formPeople,
    call: (s) => trpcMutation('miniApp.setStatus', { status: 'CANCELLED', version: s.version }),
  },
  {
    name: 'miniApp.setStatus (in progress)',
    state: 'accepted',
    allowed: ['linkedAgent'],
    call: (s) => trpcMutation('miniApp.setStatus', { status: 'IN_PROGRESS', version: s.version }),
  },
  {
    name: 'miniApp.setPaymentStatus (test sent)',
    state: 'accepted',
    allowed: formPeople,
    call: () => trpcMutation('miniApp.setPaymentStatus', { paymentStatus: 'TEST_PAYMENT_SENT' }),
  },
  {
    name: 'miniApp.requestDocument',
    state: 'submitted',
    allowed: ['linkedAgent'],
    call: () => trpcMutation('miniApp.requestDocument', { kind: 'INVOICE' }),
  },
  // bot.* and botOutbox.* — the bot's service token only
  {
    name: 'bot.registerChat',
    state: 'draft',
    allowed: ['bot'],
    call: () =>
      trpcMutation('bot.registerChat', {
        chat: { id: -1009000000001, type: 'supergroup', title: 'New' },
        addedBy: { telegramId: people.linkedAgent.id, name: 'Анна' },
      }),
  },
  {
    name: 'bot.launchToken',
    state: 'draft',
    allowed: ['bot'],
    call: () => trpcMutation('bot.launchToken', { chatId: CHAT }),
  },
  {
    name: 'bot.revokeLaunchTokens',
    state: 'draft',
    allowed: ['bot'],
    call: () => trpcMutation('bot.revokeLaunchTokens', { chatId: CHAT }),
  },
  {
    name: 'bot.membership',
    state: 'draft',
    allowed: ['bot'],
    call: () =>
      trpcMutation('bot.membership', {
        chatId: CHAT,
        joined: [{ telegramId: people.stranger.id, name: 'Mallory' }],
      }),
  },
  {
    name: 'bot.migrateChat',
    state: 'draft',
    allowed: ['bot'],
    call: () => trpcMutation('bot.migrateChat', { fromChatId: CHAT, toChatId: -1009000000002 }),
  },
  {
    name: 'bot.saveMessage',
    state: 'draft',
    allowed: ['bot'],
    call: () =>
      trpcMutation('bot.saveMessage', {
        chatId: CHAT,
        message: {
          messageId: 7,
          authorTelegramId: people.stranger.id,
          authorName: 'M',
          text: 'hi',
          date: 1795168800,
        },
      }),
  },
  {
    name: 'bot.savePostedMessage',
    state: 'draft',
    allowed: ['bot'],
    call: () =>
      trpcMutation('bot.savePostedMessage', {
        chatId: CHAT,
        message: {
          messageId: 9,
          authorName: 'Сделки банка',
          text: 'Заявка создана',
          date: 1795168800,
        },
      }),
  },
  {
    name: 'bot.saveMessages',
    state: 'draft',
    allowed: ['bot'],
    call: () =>
      trpcMutation('bot.saveMessages', {
        chatId: CHAT,
        messages: [
          {
            messageId: 8,
            authorTelegramId: people.client.id,
            authorName: 'И',
            text: 'hi',
            date: 1795168800,
          },
        ],
      }),
  },
  {
    name: 'bot.chatSummary',
    state: 'draft',
    allowed: ['bot'],
    call: () => trpcQuery('bot.chatSummary', { chatId: CHAT }),
  },
  {
    name: 'botOutbox.claim',
    state: 'submitted',
    allowed: ['bot'],
    call: () => trpcMutation('botOutbox.claim', { limit: 1 }),
  },
  {
    // A row nobody holds: the bot may ask, and is told nothing was settled.
    name: 'botOutbox.complete',
    state: 'draft',
    allowed: ['bot'],
    call: () => trpcMutation('botOutbox.complete', { id: '999999999', workerId: 'matrix' }),
  },
  {
    name: 'bot.whoIs',
    state: 'draft',
    allowed: ['bot'],
    call: () => trpcQuery('bot.whoIs', { telegramId: people.linkedAgent.id }),
  },
  // outbox.* — agents of the master tenant
  {
    name: 'outbox.dead',
    state: 'draft',
    allowed: ['linkedAgent', 'masterAgent'],
    call: () => trpcQuery('outbox.dead', {}),
  },
  // admin.* — the portal's administration: master-tenant administrators only (Анна is one)
  {
    name: 'admin.agents',
    state: 'draft',
    allowed: ['linkedAgent'],
    portal: true,
    call: () => trpcQuery('admin.agents', undefined),
  },
  {
    name: 'admin.addAgent',
    state: 'draft',
    allowed: ['linkedAgent'],
    portal: true,
    call: () => trpcMutation('admin.addAgent', { telegramId: '7000000066', name: 'Вера' }),
  },
  {
    name: 'admin.setAgentActive',
    state: 'draft',
    allowed: ['linkedAgent'],
    portal: true,
    call: (s) =>
      trpcMutation('admin.setAgentActive', { agentId: s.room.world.boris.id, active: false }),
  },
  {
    name: 'admin.deadMessages',
    state: 'draft',
    allowed: ['linkedAgent'],
    portal: true,
    call: () => trpcQuery('admin.deadMessages', undefined),
  },
  {
    name: 'admin.requeue',
    state: 'draft',
    allowed: ['linkedAgent'],
    portal: true,
    call: (s) => trpcMutation('admin.requeue', { key: s.deadOutboxId }),
  },
  {
    name: 'admin.delayedMessages',
    state: 'draft',
    allowed: ['linkedAgent'],
    portal: true,
    call: () => trpcQuery('admin.delayedMessages', undefined),
  },
  {
    name: 'admin.requeueRequest',
    state: 'draft',
    allowed: ['linkedAgent'],
    portal: true,
    call: (s) => trpcMutation('admin.requeueRequest', { requestId: s.deadRequestId }),
  },
  {
    name: 'admin.setInHouseVisibility',
    state: 'draft',
    allowed: ['linkedAgent'],
    portal: true,
    call: () => trpcMutation('admin.setInHouseVisibility', { visibility: 'MASTER_ONLY' }),
  },
  {
    name: 'admin.inHouseVisibility',
    state: 'draft',
    allowed: ['linkedAgent'],
    portal: true,
    call: () => trpcQuery('admin.inHouseVisibility', undefined),
  },
  {
    name: 'admin.exportHistory',
    state: 'draft',
    allowed: ['linkedAgent'],
    portal: true,
    call: (s) => trpcQuery('admin.exportHistory', { requestId: s.telegramId, format: 'csv' }),
  },
  // portal.* — agents with a session; the chat archive for those who see the request's details
  {
    // Who is signed in: any agent or person with a session, never the machines.
    name: 'portal.me',
    state: 'none',
    allowed: ['client', 'otherClient', 'stranger', ...agents],
    portal: true,
    call: () => trpcQuery('portal.me', {}),
  },
  {
    name: 'portal.requests',
    state: 'draft',
    allowed: agents,
    portal: true,
    call: () => trpcQuery('portal.requests', {}),
  },
  {
    name: 'portal.chat.page',
    state: 'submitted',
    allowed: ['linkedAgent', 'masterAgent'],
    portal: true,
    call: (s) => trpcQuery('portal.chat.page', { requestId: s.telegramId }),
  },
  {
    // A deal room before its request is its agent's alone, like the draft that follows.
    name: 'portal.chat.page (room before its request)',
    state: 'none',
    allowed: ['linkedAgent'],
    portal: true,
    call: () => trpcQuery('portal.chat.page', { chatId: CHAT }),
  },
  {
    // Each agent's own rooms: an empty list is an answer too.
    name: 'portal.roomsBeforeRequest',
    state: 'none',
    allowed: agents,
    portal: true,
    call: () => trpcQuery('portal.roomsBeforeRequest', {}),
  },
  {
    name: 'portal.agents',
    state: 'draft',
    allowed: agents,
    portal: true,
    call: () => trpcQuery('portal.agents', undefined),
  },
  {
    // Another tenant's agent sees a summary of a submitted in-house request (its page too).
    name: 'portal.request (submitted)',
    state: 'submitted',
    allowed: agents,
    portal: true,
    call: (s) => trpcQuery('portal.request', { requestId: s.telegramId }),
  },
  {
    // A draft is its agent's own until it is submitted.
    name: 'portal.request (draft)',
    state: 'draft',
    allowed: ['linkedAgent'],
    portal: true,
    call: (s) => trpcQuery('portal.request', { requestId: s.telegramId }),
  },
  {
    name: 'portal.chat.poll',
    state: 'submitted',
    allowed: ['linkedAgent', 'masterAgent'],
    portal: true,
    call: (s) =>
      trpcQuery('portal.chat.poll', {
        requestId: s.telegramId,
        since: Buffer.from(new Date(0).toISOString()).toString('base64url'),
      }),
  },
  {
    name: 'portal.chat.attach',
    state: 'submitted',
    allowed: ['linkedAgent'],
    portal: true,
    call: (s) =>
      trpcMutation('portal.chat.attach', {
        requestId: s.telegramId,
        messageKey: s.chatFileKey,
        kind: 'INVOICE',
        announce: true,
      }),
  },
  {
    name: 'portal.requestDocument',
    state: 'submitted',
    allowed: ['linkedAgent'],
    portal: true,
    call: (s) => trpcMutation('portal.requestDocument', { requestId: s.telegramId, kind: 'ACT' }),
  },
  {
    // The request's page edits the fields through the shared procedure, with the cookie.
    name: 'requests.update (portal, deal-room draft)',
    state: 'draft',
    allowed: formPeople,
    portal: true,
    call: (s) =>
      trpcMutation('requests.update', {
        requestId: s.telegramId,
        version: s.version,
        fields: { comment: 'из портала' },
      }),
  },
  {
    // The request's page takes its actions through the shared procedures, with the cookie.
    name: 'requests.setStatus (portal, cancel submitted)',
    state: 'submitted',
    // The client cancels with the Mini App's launch (the same procedure, no cookie).
    allowed: ['client', 'linkedAgent'],
    portal: true,
    call: (s) =>
      trpcMutation('requests.setStatus', {
        requestId: s.telegramId,
        status: 'CANCELLED',
        version: s.version,
      }),
  },
  {
    name: 'GET /portal/files/documents/:id (submitted)',
    state: 'submitted',
    // The client reads the request's documents in the portal as in the Mini App.
    allowed: ['client', 'linkedAgent', 'masterAgent'],
    portal: true,
    call: (s) => ({ method: 'GET', path: `/portal/files/documents/${s.documentId}` }),
  },
  {
    name: 'GET /portal/files/chat/:key',
    state: 'submitted',
    allowed: ['linkedAgent', 'masterAgent'],
    portal: true,
    call: (s) => ({ method: 'GET', path: `/portal/files/chat/${s.chatFileKey}` }),
  },
  // standard.* — the standard pipeline's portal pages
  {
    name: 'standard.request (collecting)',
    state: 'draft',
    allowed: ['client', ...agents],
    portal: true,
    call: (s) => trpcQuery('standard.request', { requestId: s.standardId }),
  },
  {
    // The market is every tenant's agents'; people and machines are refused.
    name: 'standard.market',
    state: 'draft',
    allowed: agents,
    portal: true,
    call: () => trpcQuery('standard.market', {}),
  },
  // requests.* / offers.* — the standard pipeline
  // A platform user files requests for their company: users with no company are refused.
  {
    // A company's member, or the bank's agents filing for a client company.
    name: 'requests.create',
    state: 'draft',
    allowed: ['client', 'linkedAgent', 'masterAgent'],
    call: (s) =>
      trpcMutation('requests.create', {
        fields: { payerName: 'Y' },
        offersDeadline: new Date(Date.now() + 48 * 3600_000).toISOString(),
        companyId: s.companyId,
      }),
  },
  {
    name: 'requests.get (standard, collecting)',
    state: 'draft',
    allowed: ['client', ...agents],
    call: (s) => trpcQuery('requests.get', { requestId: s.standardId }),
  },
  {
    name: 'requests.update (standard)',
    state: 'draft',
    allowed: ['client'],
    call: (s) =>
      trpcMutation('requests.update', {
        requestId: s.standardId,
        version: s.standardVersion,
        fields: { comment: 'edit' },
      }),
  },
  {
    name: 'requests.setStatus (cancel standard)',
    state: 'draft',
    allowed: ['client'],
    call: (s) =>
      trpcMutation('requests.setStatus', {
        requestId: s.standardId,
        version: s.standardVersion,
        status: 'CANCELLED',
      }),
  },
  {
    name: 'offers.submit (standard)',
    state: 'draft',
    allowed: agents,
    call: (s) =>
      trpcMutation('offers.submit', { requestId: s.standardId, terms: offerTerms('16055700.00') }),
  },
  // companies.* — client companies of the standard pipeline
  {
    // Any person may ask (the answer is theirs); a former agent just has none.
    name: 'companies.mine',
    state: 'none',
    allowed: ['client', 'otherClient', 'stranger', 'deactivatedAgent'],
    call: () => trpcQuery('companies.mine', undefined),
  },
  {
    name: 'companies.invite',
    state: 'none',
    allowed: ['client', 'linkedAgent', 'masterAgent'],
    call: (s) => trpcMutation('companies.invite', { companyId: s.companyId }),
  },
  {
    name: 'companies.list',
    state: 'none',
    allowed: ['linkedAgent', 'masterAgent'],
    call: () => trpcQuery('companies.list', {}),
  },
  {
    // Everyone signed in reads their own (the list is theirs only).
    name: 'notifications.list',
    state: 'none',
    allowed: [
      'client',
      'otherClient',
      'linkedAgent',
      'masterAgent',
      'foreignAgent',
      'stranger',
      'deactivatedAgent',
    ],
    call: () => trpcQuery('notifications.list', {}),
  },
  {
    name: 'bot.privateChatStarted',
    state: 'none',
    allowed: ['bot'],
    call: () => trpcMutation('bot.privateChatStarted', { telegramId: people.client.id }),
  },
  {
    name: 'bot.privateChatBlocked',
    state: 'none',
    allowed: ['bot'],
    call: () => trpcMutation('bot.privateChatBlocked', { telegramId: people.client.id }),
  },
  // file routes
  {
    name: 'POST /miniapp/v1/attachments',
    state: 'draft',
    allowed: formPeople,
    call: () => ({
      method: 'POST',
      path: '/miniapp/v1/attachments',
      body: pdf,
      headers: {
        'content-type': 'application/pdf',
        'x-file-name': 'c.pdf',
        'x-document-kind': 'CONTRACT',
      },
    }),
  },
  // A draft is its room's alone; once submitted, the bank's other agents read its files too,
  // agents of other tenants never (they see a summary of the request).
  {
    name: 'GET /miniapp/v1/documents/:id (draft)',
    state: 'draft',
    allowed: formPeople,
    call: (s) => ({ method: 'GET', path: `/miniapp/v1/documents/${s.documentId}` }),
  },
  {
    name: 'GET /miniapp/v1/documents/:id (submitted)',
    state: 'submitted',
    allowed: [...formPeople, 'masterAgent'],
    call: (s) => ({ method: 'GET', path: `/miniapp/v1/documents/${s.documentId}` }),
  },
  {
    name: 'POST /miniapp/v1/chat-export',
    state: 'draft',
    allowed: ['linkedAgent'],
    call: () => ({
      method: 'POST',
      path: '/miniapp/v1/chat-export',
      body: exportSample,
      headers: { 'content-type': 'application/json' },
    }),
  },
  {
    name: 'POST /bot/v1/chats/:chatId/assets',
    state: 'draft',
    allowed: ['bot'],
    call: () => ({
      method: 'POST',
      path: `/bot/v1/chats/${CHAT}/assets`,
      body: pdf,
      headers: { 'content-type': 'application/pdf', 'x-file-name': 'a.pdf' },
    }),
  },
  {
    name: 'GET /bot/v1/documents/:id',
    state: 'draft',
    allowed: ['bot'],
    call: (s) => ({ method: 'GET', path: `/bot/v1/documents/${s.documentId}` }),
  },
  // the REST shim for 1C
  {
    name: 'GET /onec/v1/requests/:id',
    state: 'submitted',
    allowed: ['onec'],
    call: (s) => ({ method: 'GET', path: `/onec/v1/requests/${s.telegramId}` }),
  },
  {
    name: 'POST /onec/v1/requests/:id/offer',
    state: 'submitted',
    allowed: ['onec'],
    call: (s) => onecWrite(`/onec/v1/requests/${s.telegramId}/offer`, onecOffer(s.version)),
  },
  {
    name: 'POST /onec/v1/requests/:id/status',
    state: 'accepted',
    allowed: ['onec'],
    call: (s) =>
      onecWrite(`/onec/v1/requests/${s.telegramId}/status`, {
        version: s.version,
        status: 'IN_PROGRESS',
      }),
  },
  {
    name: 'POST /onec/v1/requests/:id/documents',
    state: 'submitted',
    allowed: ['onec'],
    call: (s) =>
      onecWrite(`/onec/v1/requests/${s.telegramId}/documents`, {
        Ref_Key: randomUUID(),
        kind: 'INVOICE',
        fileName: 'a.pdf',
        mime: 'application/pdf',
        contentBase64: pdf.toString('base64'),
      }),
  },
];

let exportSample: Buffer;

describe.skipIf(skipSuite)(`access matrix (${dbKind})`, () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
    exportSample = await readFile(path.join(here, '../samples/telegram-desktop-export.json'));
  });
  afterAll(async () => {
    await api?.close();
  });

  async function prepare(state: State): Promise<Setup> {
    const room = await dealRoom(api);
    await seedIntegration(api.prisma);
    const asClient = miniAppClient(
      api.url,
      `Bearer ${api.tokenFor({ kind: 'user', id: room.world.client.id })}`,
    );
    const standard = await asClient.requests.create.mutate({
      fields: completeForm,
      offersDeadline: new Date(Date.now() + 48 * 3600_000).toISOString(),
    });
    const open = await asClient.requests.submit.mutate({
      requestId: standard.id,
      version: standard.version,
    });
    const setup: Setup = {
      room,
      telegramId: null,
      version: 1,
      standardId: open.id,
      standardVersion: open.version,
      companyId: room.world.clientTenant.id,
      documentId: null,
      deadOutboxId: '0',
      deadRequestId: '00000000-0000-4000-8000-000000000000',
      chatFileKey: '',
    };
    // A file Иван sent in the deal room, kept by the bot.
    const asset = await fetch(`${api.url}/bot/v1/chats/${CHAT}/assets`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TEST_BOT_SERVICE_TOKEN}`,
        'content-type': 'application/pdf',
        'x-file-name': 'invoice.pdf',
      },
      body: pdf,
    });
    const { assetId } = (await asset.json()) as { assetId: string };
    await fetch(`${api.url}/trpc/bot.saveMessage`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TEST_BOT_SERVICE_TOKEN}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        chatId: CHAT,
        message: {
          messageId: 501,
          authorName: 'Иван',
          kind: 'document',
          assetId,
          date: Math.floor(Date.now() / 1000),
        },
      }),
    });
    setup.chatFileKey = (
      await api.prisma.chatMessage.findFirstOrThrow({ where: { messageId: 501 } })
    ).id;
    // Анна, the linked agent, is the bank's portal administrator.
    await api.prisma.agent.update({
      where: { id: room.world.anna.id },
      data: { isAdmin: true },
    });
    const dead = await api.prisma.outboxMessage.create({
      data: {
        target: 'ONEC',
        kind: 'onec.createRequest',
        aggregateKey: `request:${open.id}`,
        payload: { requestId: open.id },
        state: 'DEAD',
        attempts: 12,
        lastError: 'gave up',
      },
    });
    setup.deadOutboxId = dead.id.toString();
    setup.deadRequestId = open.id;
    if (state === 'none') return setup;
    const anna = miniAppClient(api.url, tma(signLaunch(people.linkedAgent, room.token)));
    const draft = await anna.miniApp.save.mutate({ fields: completeForm });
    setup.telegramId = draft.id;
    setup.version = draft.version;
    const attached = await attachFile(api.url, tma(signLaunch(people.linkedAgent, room.token)), {
      bytes: pdf,
      fileName: 'k.pdf',
      kind: 'CONTRACT',
    });
    setup.documentId = ((await attached.json()) as { id: string }).id;
    setup.version = (await anna.miniApp.session.query()).request!.version;
    if (state === 'draft') return setup;
    const open2 = await anna.miniApp.setStatus.mutate({
      status: 'COLLECTING_OFFERS',
      version: setup.version,
    });
    setup.version = open2.version;
    if (state === 'submitted') return setup;
    const offer = await fetch(
      `${api.url}/onec/v1/requests/${draft.id}/offer`,
      (() => {
        const body = JSON.stringify(onecOffer(setup.version));
        return {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'x-api-key': ONEC_API_KEY,
            'x-signature': signOnecBody(body, ONEC_HMAC_SECRET),
            'idempotency-key': randomUUID(),
          },
        };
      })(),
    );
    if (offer.status !== 201) throw new Error(`offer: ${offer.status} ${await offer.text()}`);
    setup.version = (await anna.miniApp.session.query()).request!.version;
    return setup;
  }

  async function authFor(
    role: Role,
    setup: Setup,
    call: Call,
    row: Row,
  ): Promise<Record<string, string>> {
    if (row.portal && role !== 'bot' && role !== 'onec' && role !== 'deactivatedAgent') {
      const person = people[role];
      const { token } = await portalSignIn(
        api.url,
        websiteLogin({ id: person.id, first_name: person.first_name }),
      );
      if (!token) throw new Error(`${role} could not sign in to the portal`);
      return { cookie: `${PORTAL_COOKIE}=${token}`, 'x-payreq-portal': '1', origin: api.url };
    }
    if (role === 'bot') return { authorization: `Bearer ${TEST_BOT_SERVICE_TOKEN}` };
    if (role === 'onec') {
      return {
        'x-api-key': ONEC_API_KEY,
        'x-signature': signOnecBody(call.body ?? '', ONEC_HMAC_SECRET),
      };
    }
    return { authorization: tma(signLaunch(people[role], setup.room.token)) };
  }

  it('answers every procedure × caller as the spec says, and refusals write nothing', async () => {
    const mismatches: string[] = [];
    let cells = 0;
    let refusedRows = 0;
    let setup: Setup | null = null;
    let setupState: State | null = null;
    for (const row of table) {
      for (const role of roles) {
        if (!setup || setupState !== row.state) {
          setup = await prepare(row.state);
          setupState = row.state;
        }
        const call = row.call(setup);
        // Signing in (a portal session) is the caller's own write, before the call is measured.
        const auth = await authFor(role, setup, call, row);
        const before = await snapshotRows(api.prisma);
        const response = await fetch(`${api.url}${call.path}`, {
          method: call.method,
          headers: { ...call.headers, ...auth },
          body: call.body,
        });
        const text = await response.text();
        cells += 1;
        const allowed = row.allowed.includes(role);
        const ok = response.status >= 200 && response.status < 300;
        // 409 is the spec's refusal by state (read-only fields, a transition not in the table).
        const refused = [401, 403, 404, 409].includes(response.status);
        if (allowed && !ok)
          mismatches.push(
            `${row.name} × ${role}: expected ok, got ${response.status} ${text.slice(0, 200)}`,
          );
        if (!allowed && !refused)
          mismatches.push(
            `${row.name} × ${role}: expected refusal, got ${response.status} ${text.slice(0, 200)}`,
          );
        const after = await snapshotRows(api.prisma);
        // A stranger's first valid call creates their client record; nothing else may appear.
        const changed = rowsChanged({ ...before, User: new Map() }, { ...after, User: new Map() });
        if (!ok) {
          refusedRows += changed;
          if (changed) mismatches.push(`${row.name} × ${role}: refused but wrote ${changed} rows`);
        }
        if (ok || changed) setup = null;
      }
    }
    const figure = recordFigure({
      name: 'access matrix',
      tried: cells,
      outcome: `as expected ${cells - mismatches.length}, mismatches ${mismatches.length}`,
      rowsWritten: refusedRows,
      target: `cells = ${table.length}×${roles.length}, mismatches 0, refusals write 0`,
      pass: mismatches.length === 0 && cells === table.length * roles.length,
      note: mismatches.length ? mismatches.join(' ; ').slice(0, 2000) : undefined,
    });
    expect(mismatches).toEqual([]);
    expect(figure.pass).toBe(true);
    // About 350 cells, each on a freshly prepared database after a call that went through.
  }, 600_000);
});
