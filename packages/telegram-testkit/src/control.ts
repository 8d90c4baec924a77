import { z } from 'zod';
import { TELEGRAM_RATE_LIMITS } from './bot-api';
import { BotApiError, WorldError } from './errors';
import { sniffImage } from './media';
import type { TelegramTestServer } from './server';
import type { BotMessageRecord } from './state';
import type { AlbumItem, ChatRef } from './world';

/**
 * The JSON control API under /__control: the same operations as the TypeScript world API, for
 * tests in other processes and for demos. Bodies are validated with zod; errors answer
 * `{ ok: false, error }` with 400 (bad input), 404 (unknown thing) or 408 (wait timed out).
 */

export interface ControlReply {
  status: number;
  body?: unknown;
  raw?: Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

const ref = z.union([z.number().int(), z.string().min(1)]);
const chatRef = z.union([ref, z.object({ user: ref, bot: ref })]);
const base64 = z.string().regex(/^[A-Za-z0-9+/=_-]*$/, 'base64 expected');
const rights = z
  .object({
    can_manage_chat: z.boolean(),
    can_delete_messages: z.boolean(),
    can_manage_video_chats: z.boolean(),
    can_restrict_members: z.boolean(),
    can_promote_members: z.boolean(),
    can_change_info: z.boolean(),
    can_invite_users: z.boolean(),
    can_post_stories: z.boolean(),
    can_edit_stories: z.boolean(),
    can_delete_stories: z.boolean(),
    can_pin_messages: z.boolean(),
    can_manage_topics: z.boolean(),
  })
  .partial();
const username = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/);
const themeParams = z.record(z.string(), z.string());
const entity = z.object({
  type: z.string(),
  offset: z.number().int(),
  length: z.number().int(),
  url: z.string().optional(),
});

/** Who sends a message, and its caption and reply; then a file's bytes (given or generated). */
const sentBy = {
  from: ref,
  caption: z.string().optional(),
  replyTo: z.number().int().optional(),
};
const fileBytes = {
  base64: base64.optional(),
  size: z.number().int().nonnegative().optional(),
};
const sentFile = { ...sentBy, ...fileBytes };
const dimensions = {
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
};
const duration = z.number().int().nonnegative().optional();
const sendLimit = z.object({
  max: z.number().int().positive(),
  windowMs: z.number().int().positive(),
});

const schemas = {
  createBot: z.object({
    token: z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]+$/)
      .optional(),
    username: username.optional(),
    first_name: z.string().min(1).optional(),
    privacyMode: z.boolean().optional(),
    canJoinGroups: z.boolean().optional(),
    mainMiniAppUrl: z.url().optional(),
  }),
  privacy: z.object({ enabled: z.boolean() }),
  retention: z.object({ ms: z.number().int().positive() }),
  miniApp: z.object({ url: z.url(), shortName: z.string().min(1).optional() }),
  createUser: z.object({
    id: z.number().int().positive().optional(),
    first_name: z.string().min(1),
    last_name: z.string().optional(),
    username: username.optional(),
    language_code: z.string().optional(),
    is_premium: z.boolean().optional(),
  }),
  start: z.object({ bot: ref, payload: z.string().max(512).optional() }),
  botOnly: z.object({ bot: ref }),
  openLink: z.object({
    link: z.string().min(1),
    chat: chatRef.optional(),
    platform: z.string().optional(),
    themeParams: themeParams.optional(),
  }),
  changes: z.object({
    after: z.coerce.number().int().default(-1),
    waitMs: z.coerce.number().int().min(0).max(60_000).default(25_000),
  }),
  createGroup: z.object({
    by: ref,
    title: z.string().min(1).max(128),
    members: z.array(ref).optional(),
  }),
  addMember: z.object({ user: ref, by: ref.optional() }),
  by: z.object({ by: ref.optional() }),
  promote: z.object({
    by: ref.optional(),
    rights: rights.optional(),
    customTitle: z.string().optional(),
  }),
  addBot: z.object({
    bot: ref,
    by: ref,
    asAdmin: z.boolean().optional(),
    rights: rights.optional(),
  }),
  upgrade: z.object({ by: ref.optional(), username: z.string().optional() }),
  text: z.object({
    from: ref,
    text: z.string().min(1),
    replyTo: z.number().int().optional(),
    entities: z.array(entity).optional(),
  }),
  edit: z.object({ from: ref.optional(), text: z.string().min(1) }),
  photo: z.object({ ...sentFile, ...dimensions }),
  document: z.object({ ...sentFile, fileName: z.string().min(1), mimeType: z.string().optional() }),
  voice: z.object({ ...sentFile, duration }),
  video: z.object({ ...sentFile, ...dimensions, duration, fileName: z.string().optional() }),
  album: z.object({
    ...sentBy,
    items: z
      .array(
        z.object({
          type: z.enum(['photo', 'video', 'document']),
          ...fileBytes,
          ...dimensions,
          duration,
          fileName: z.string().optional(),
          mimeType: z.string().optional(),
          caption: z.string().optional(),
        }),
      )
      .min(2)
      .max(10),
  }),
  press: z
    .object({ from: ref, data: z.string().optional(), text: z.string().optional() })
    .refine((v) => v.data !== undefined || v.text !== undefined, 'give data or text'),
  openWebApp: z.object({
    from: ref,
    text: z.string().optional(),
    platform: z.string().optional(),
    themeParams: themeParams.optional(),
  }),
  launch: z.object({
    user: ref,
    bot: ref.optional(),
    url: z.url().optional(),
    shortName: z.string().optional(),
    startParam: z.string().max(512).optional(),
    chat: chatRef.optional(),
    chatType: z.string().optional(),
    platform: z.string().optional(),
    version: z.string().optional(),
    themeParams: themeParams.optional(),
  }),
  fault: z.object({
    kind: z.enum(['rateLimit', 'internalError', 'badGateway', 'hang', 'dropResponse']),
    method: z.string().optional(),
    bot: ref.optional(),
    count: z.number().int().positive().optional(),
    retryAfter: z.number().int().positive().optional(),
    ms: z.number().int().nonnegative().optional(),
    respondWith: z.union([z.literal('reset'), z.literal(500), z.literal(502)]).optional(),
    html: z.boolean().optional(),
  }),
  reset: z.object({ keepBots: z.boolean().optional() }),
  rateLimits: z.object({
    telegram: z.literal(true).optional(),
    perGroup: sendLimit.optional(),
    overall: sendLimit.optional(),
  }),
};

/** What a route's answer gets: the server, the request, and its parsed input. */
interface ControlRequest<Input> {
  server: TelegramTestServer;
  /** The body, parsed by the route's schema, without its undefined values. */
  input: Input;
  query: URLSearchParams;
  path: Record<string, string>;
  /** A path parameter naming a chat, user or bot: numbers stay numbers, usernames strings. */
  ref: (key: string) => number | string;
}

/** A JSON answer: its fields go beside `ok: true` (none: `{ok: true}`). */
type Answer = object | void | Promise<object | void>;

interface Route {
  method: string;
  pattern: string;
  regex: RegExp;
  keys: string[];
  reply: (request: ControlRequest<unknown>) => Promise<ControlReply> | ControlReply;
  doc: string;
}

const routes: Route[] = [];

/** A route answered in full by `reply` (the one that serves file bytes). */
function rawRoute(method: string, pattern: string, doc: string, reply: Route['reply']): void {
  const keys: string[] = [];
  const regex = new RegExp(
    `^/__control${pattern.replace(/:([a-zA-Z]+)/g, (_, key: string) => {
      keys.push(key);
      return '([^/]+)';
    })}/?$`,
  );
  routes.push({ method, pattern: `/__control${pattern}`, regex, keys, reply, doc });
}

/** A route answering JSON; one with a `schema` parses its body with it first. */
function route<Input>(
  method: 'GET' | 'POST' | 'DELETE',
  pattern: string,
  doc: string,
  schema: z.ZodType<Input> | null,
  answer: (request: ControlRequest<Input>) => Answer,
  status = 200,
): void {
  rawRoute(method, pattern, doc, async (request) => {
    const input = schema ? withoutUndefined(schema.parse(request.input) as object) : null;
    const fields = await answer({ ...request, input: input as Input });
    return ok({ ok: true, ...fields }, status);
  });
}

const get = (pattern: string, doc: string, answer: (request: ControlRequest<null>) => Answer) =>
  route('GET', pattern, doc, null, answer);

const remove = (pattern: string, doc: string, answer: (request: ControlRequest<null>) => Answer) =>
  route('DELETE', pattern, doc, null, answer);

const post = <Input>(
  pattern: string,
  doc: string,
  schema: z.ZodType<Input>,
  answer: (request: ControlRequest<Input>) => Answer,
  status?: number,
) => route('POST', pattern, doc, schema, answer, status);

const ok = (body: unknown, status = 200): ControlReply => ({ status, body });

/** Numbers in paths/queries stay numbers (chat ids, user ids), other values stay strings. */
function refValue(value: string): number | string {
  return /^-?\d+$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : value;
}

/** `?bot=` of a query, as the options of the world's reads. */
function botOption(query: URLSearchParams): { bot?: number | string } {
  const bot = query.get('bot');
  return bot !== null ? { bot: refValue(bot) } : {};
}

function bytes(b64: string | undefined): Uint8Array | undefined {
  return b64 === undefined ? undefined : Buffer.from(b64, 'base64');
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function serializeRecord(record: BotMessageRecord): unknown {
  return {
    ...record,
    files: record.files.map(({ bytes: data, ...file }) => ({
      ...file,
      ...(data ? { base64: data.toString('base64') } : {}),
    })),
  };
}

// ---------------------------------------------------------------- routes

get('', 'this list', () => ({
  routes: routes.map((r) => `${r.method} ${r.pattern} — ${r.doc}`),
}));

get('/state', 'bots, users and chats', ({ server }) => ({
  url: server.url,
  bots: server.listBots(),
  users: server.listUsers(),
}));

post('/reset', '{keepBots?} drop users, chats, files, logs', schemas.reset, ({ server, input }) =>
  server.reset(input),
);

get('/bots', 'list bots', ({ server }) => ({ bots: server.listBots() }));

post(
  '/bots',
  '{token?, username?, first_name?, privacyMode?, canJoinGroups?, mainMiniAppUrl?}',
  schemas.createBot,
  ({ server, input }) => ({ bot: server.createBot(input) }),
  201,
);

post('/bots/:bot/privacy', '{enabled}', schemas.privacy, ({ server, ref, input }) =>
  server.setPrivacyMode(ref('bot'), input.enabled),
);

post(
  '/bots/:bot/mini-apps',
  '{url, shortName?} (no shortName = main Mini App)',
  schemas.miniApp,
  ({ server, ref, input }) => server.setMiniApp(ref('bot'), input),
);

get('/bots/:bot/updates', 'updates the bot has not confirmed', ({ server, ref }) => ({
  updates: server.pendingUpdates(ref('bot')),
}));

get(
  '/bots/:bot/expired-updates',
  'updates dropped unconfirmed after the retention',
  ({ server, ref }) => server.expiredUpdates(ref('bot')),
);

get(
  '/bots/:bot/commands',
  '?scope=&language_code= commands set by the bot',
  ({ server, ref, query }) => ({
    commands: server.botCommands(
      ref('bot'),
      query.get('scope') ?? 'default',
      query.get('language_code') ?? '',
    ),
  }),
);

get('/users', 'list users', ({ server }) => ({ users: server.listUsers() }));

post(
  '/users',
  '{id?, first_name, last_name?, username?, language_code?, is_premium?}',
  schemas.createUser,
  ({ server, input }) => ({ user: server.createUser(input) }),
  201,
);

post(
  '/users/:user/start',
  '{bot, payload?} the user sends /start [payload]',
  schemas.start,
  ({ server, ref, input }) => ({ message: server.startBot(ref('user'), input.bot, input.payload) }),
);

post('/users/:user/block', '{bot}', schemas.botOnly, ({ server, ref, input }) =>
  server.blockBot(ref('user'), input.bot),
);

post('/users/:user/unblock', '{bot}', schemas.botOnly, ({ server, ref, input }) =>
  server.unblockBot(ref('user'), input.bot),
);

post(
  '/users/:user/open-link',
  '{link, chat?, platform?} t.me link: Mini App launch URL or /start',
  schemas.openLink,
  ({ server, ref, input }) => server.openLink({ user: ref('user'), ...input }),
);

get(
  '/users/:user/chats',
  "the person's chat list (groups, a private chat with each bot), newest first",
  ({ server, ref }) => ({ chats: server.userChats(ref('user')) }),
);

get(
  '/users/:user/chats/:chat/messages',
  'messages of a chat of that list (a group id, or a bot id for the private chat)',
  ({ server, ref }) => ({ messages: server.userChatMessages(ref('user'), ref('chat')) }),
);

get(
  '/changes',
  '?after=&waitMs= waits until the world changes (a message, a member, an update); answers {revision}',
  async ({ server, query }) => {
    const input = schemas.changes.parse(Object.fromEntries(query));
    return { revision: await server.waitForChange(input.after, input.waitMs) };
  },
);

post(
  '/groups',
  '{by, title, members?} create a basic group',
  schemas.createGroup,
  ({ server, input }) => ({ chat: server.createGroup(input) }),
  201,
);

get('/chats/:chat', '?bot= chat, members, migration, bot departures', ({ server, ref, query }) =>
  server.chatInfo(ref('chat'), botOption(query)),
);

get('/chats/:chat/messages', '?bot= all messages in the chat', ({ server, ref, query }) => ({
  messages: server.chatMessages(ref('chat'), botOption(query)),
}));

get(
  '/chats/:chat/bot-messages',
  '?bot=&waitMs=&count=&includeDeleted= what bots sent (files as base64); waitMs waits for `count` messages',
  async ({ server, ref, query }) => {
    const chat = ref('chat');
    const waitMs = Number(query.get('waitMs') ?? 0);
    const count = Number(query.get('count') ?? 1);
    const options = botOption(query);
    if (waitMs > 0) await server.waitForBotMessage(chat, { ...options, timeoutMs: waitMs, count });
    const records = server.botMessages(chat, {
      ...options,
      includeDeleted: query.get('includeDeleted') === 'true',
    });
    return { messages: records.map(serializeRecord) };
  },
);

post(
  '/chats/:chat/members',
  '{user, by?} add a user (or bot) to the group',
  schemas.addMember,
  ({ server, ref, input: { user, ...options } }) => ({
    message: server.addMember(ref('chat'), user, options),
  }),
);

/** A route on one member of a group: the chat, the member and the body, to `act`. */
function memberRoute<Input extends object>(
  action: string,
  help: string,
  schema: z.ZodType<Input>,
  act: (server: TelegramTestServer, chat: ChatRef, user: number | string, input: Input) => Answer,
): void {
  post(`/chats/:chat/members/:user/${action}`, help, schema, ({ server, ref, input }) =>
    act(server, ref('chat'), ref('user'), input),
  );
}

memberRoute(
  'remove',
  '{by?} remove (by someone) or leave (no by)',
  schemas.by,
  (server, chat, user, input) => ({ message: server.removeMember(chat, user, input) }),
);
memberRoute(
  'promote',
  '{by?, rights?, customTitle?}',
  schemas.promote,
  (server, chat, user, input) => server.promote(chat, user, input),
);
memberRoute('demote', '{by?}', schemas.by, (server, chat, user, input) =>
  server.demote(chat, user, input),
);

post(
  '/chats/:chat/bots',
  '{bot, by, asAdmin?, rights?} a user adds the bot',
  schemas.addBot,
  ({ server, ref, input: { bot, ...options } }) => ({
    message: server.addBot(ref('chat'), bot, options),
  }),
);

post(
  '/chats/:chat/upgrade',
  '{by?, username?} group → supergroup',
  schemas.upgrade,
  ({ server, ref, input }) => ({ chat: server.upgradeToSupergroup(ref('chat'), input) }),
);

post(
  '/chats/:chat/messages',
  '{from, text, replyTo?, entities?} a user sends text',
  schemas.text,
  ({ server, ref, input }) => ({ message: server.sendText({ ...input, chat: ref('chat') }) }),
);

/** A route on one message of a chat: the body, with the chat and the message id, to `act`. */
function messageRoute<Input extends object>(
  action: string,
  help: string,
  schema: z.ZodType<Input>,
  act: (server: TelegramTestServer, input: Input & { chat: ChatRef; messageId: number }) => object,
): void {
  post(`/chats/:chat/messages/:id/${action}`, help, schema, ({ server, ref, path, input }) =>
    act(server, { ...input, chat: ref('chat'), messageId: Number(path.id) }),
  );
}

messageRoute('edit', '{from?, text} a user edits their message', schemas.edit, (server, input) => ({
  message: server.editText(input),
}));
messageRoute(
  'press',
  '{from, data? | text?} press a callback button',
  schemas.press,
  (server, input) => server.pressButton(input),
);
messageRoute(
  'open-web-app',
  '{from, text?, platform?} press a web_app button',
  schemas.openWebApp,
  (server, input) => server.openWebAppButton(input),
);

type WithBytes<Input> = Omit<Input, 'base64'> & { bytes?: Uint8Array; chat: ChatRef };

/** A route where a user sends a file of one kind Telegram has, its bytes given or generated. */
function mediaRoute<Input extends { base64?: string | undefined }>(
  kind: string,
  help: string,
  schema: z.ZodType<Input>,
  send: (server: TelegramTestServer, input: WithBytes<Input>) => unknown,
): void {
  post(`/chats/:chat/${kind}`, help, schema, ({ server, ref, input }) => {
    const { base64: data, ...sent } = input;
    const file = data === undefined ? {} : { bytes: bytes(data) };
    return { message: send(server, { ...sent, ...file, chat: ref('chat') }) };
  });
}

mediaRoute(
  'photos',
  '{from, base64?|size?, width?, height?, caption?, replyTo?}',
  schemas.photo,
  (server, input) => server.sendPhoto(input),
);
mediaRoute(
  'documents',
  '{from, fileName, mimeType?, base64?|size?, caption?, replyTo?}',
  schemas.document,
  (server, input) => server.sendDocument(input),
);
mediaRoute('voices', '{from, base64?|size?, duration?, caption?}', schemas.voice, (server, input) =>
  server.sendVoice(input),
);
mediaRoute(
  'videos',
  '{from, base64?|size?, width?, height?, duration?, fileName?, caption?}',
  schemas.video,
  (server, input) => server.sendVideo(input),
);

post(
  '/chats/:chat/albums',
  '{from, items:[{type, base64?|size?, ...}], caption?} media group',
  schemas.album,
  ({ server, ref, input }) => {
    const items = input.items.map(
      ({ base64: data, ...item }) => withoutUndefined({ ...item, bytes: bytes(data) }) as AlbumItem,
    );
    return { messages: server.sendAlbum({ ...input, chat: ref('chat'), items }) };
  },
);

get(
  '/callback-answers/:id',
  "?waitMs= the bot's answerCallbackQuery",
  async ({ server, path, query }) => {
    const id = path.id ?? '';
    const waitMs = Number(query.get('waitMs') ?? 0);
    const answer =
      waitMs > 0
        ? await server.waitForCallbackAnswer(id, { timeoutMs: waitMs })
        : server.callbackAnswer(id);
    if (!answer) throw new WorldError('not answered', 404);
    return { answer };
  },
);

post(
  '/webapp/launch-url',
  '{user, bot?, url?, shortName?, startParam?, chat?, chatType?, platform?, version?, themeParams?} signed Mini App launch URL',
  schemas.launch,
  ({ server, input }) => server.launchMiniApp(input),
);

get('/files/:fileId', 'file metadata', ({ server, path }) => {
  const file = server.getFile(path.fileId ?? '');
  if (!file) throw new WorldError('unknown file', 404);
  const { bytes: data, ...meta } = file;
  return { file: { ...meta, hasBytes: data !== undefined } };
});

rawRoute(
  'GET',
  '/files/:fileId/content',
  '?download=1 file bytes: images inline, anything else as an attachment (served as untrusted)',
  ({ server, path, query }) => {
    const file = server.getFile(path.fileId ?? '');
    if (!file?.bytes) throw new WorldError('unknown file or no bytes kept', 404);
    // What people send is untrusted: only real images are shown inline (typed by their bytes),
    // everything else downloads; nothing is sniffed, nothing runs.
    const image = sniffImage(file.bytes);
    const inline = image !== undefined && query.get('download') !== '1';
    const name = file.fileName ?? `${file.fileId}.${image?.format ?? 'bin'}`;
    return {
      status: 200,
      raw: file.bytes,
      contentType: inline ? `image/${image.format}` : (file.mimeType ?? 'application/octet-stream'),
      headers: {
        'x-content-type-options': 'nosniff',
        'content-security-policy': "sandbox; default-src 'none'",
        'content-disposition': `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(name)}`,
      },
    };
  },
);

post(
  '/rate-limits',
  '{telegram?: true, perGroup?: {max, windowMs}, overall?: {max, windowMs}} sending limits (429 + retry_after); {} clears',
  schemas.rateLimits,
  ({ server, input: { telegram, ...given } }) => {
    const limits = telegram ? TELEGRAM_RATE_LIMITS : given;
    server.setRateLimits(Object.keys(limits).length > 0 ? limits : null);
    return { limits };
  },
);

post(
  '/update-retention',
  '{ms} how long unconfirmed updates are kept (Telegram: 24 h)',
  schemas.retention,
  ({ server, input }) => server.setPendingUpdateRetention(input.ms),
);

post(
  '/faults',
  '{kind: rateLimit|internalError|badGateway|hang|dropResponse, method?, bot?, count?, retryAfter?, ms?, respondWith?, html?}',
  schemas.fault,
  ({ server, input }) => ({ fault: server.injectFault(input) }),
  201,
);

get('/faults', 'pending and fired faults', ({ server }) => server.faults());

remove('/faults', 'clear pending faults', ({ server }) => server.clearFaults());

get('/calls', '?method=&bot=&afterSeq= Bot API call log', ({ server, query }) => {
  const method = query.get('method');
  const afterSeq = query.get('afterSeq');
  return {
    calls: server.calls({
      ...(method !== null ? { method } : {}),
      ...botOption(query),
      ...(afterSeq !== null ? { afterSeq: Number(afterSeq) } : {}),
    }),
  };
});

remove('/calls', 'clear the call log', ({ server }) => server.clearCalls());

get('/webhook-deliveries', '?bot= webhook POST attempts', ({ server, query }) => ({
  deliveries: server.webhookDeliveries(botOption(query).bot),
}));

// ---------------------------------------------------------------- dispatch

export async function handleControl(
  server: TelegramTestServer,
  method: string,
  url: URL,
  body: unknown,
): Promise<ControlReply> {
  const path = url.pathname;
  const candidates = routes.filter((r) => r.regex.test(path));
  const matched = candidates.find((r) => r.method === method);
  if (!matched) {
    return candidates.length > 0
      ? ok({ ok: false, error: `method ${method} not allowed` }, 405)
      : ok({ ok: false, error: 'unknown control route; GET /__control lists them' }, 404);
  }
  const values = matched.regex.exec(path) ?? [];
  const pathParams: Record<string, string> = {};
  matched.keys.forEach((key, i) => {
    pathParams[key] = decodeURIComponent(values[i + 1] ?? '');
  });
  const ref = (key: string): number | string => refValue(pathParams[key] ?? '');
  try {
    return await matched.reply({
      server,
      input: body,
      query: url.searchParams,
      path: pathParams,
      ref,
    });
  } catch (error) {
    if (error instanceof z.ZodError)
      return ok({ ok: false, error: 'invalid body', issues: error.issues }, 400);
    if (error instanceof WorldError) return ok({ ok: false, error: error.message }, error.status);
    if (error instanceof BotApiError) return ok({ ok: false, error: error.description }, 400);
    throw error;
  }
}
