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
const entity = z.object({
  type: z.string(),
  offset: z.number().int(),
  length: z.number().int(),
  url: z.string().optional(),
});

const schemas = {
  createBot: z.object({
    token: z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]+$/)
      .optional(),
    username: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/)
      .optional(),
    first_name: z.string().min(1).optional(),
    privacyMode: z.boolean().optional(),
    canJoinGroups: z.boolean().optional(),
    mainMiniAppUrl: z.url().optional(),
  }),
  privacy: z.object({ enabled: z.boolean() }),
  sendLimit: z.object({ max: z.number().int().positive(), windowMs: z.number().int().positive() }),
  retention: z.object({ ms: z.number().int().positive() }),
  miniApp: z.object({ url: z.url(), shortName: z.string().min(1).optional() }),
  createUser: z.object({
    id: z.number().int().positive().optional(),
    first_name: z.string().min(1),
    last_name: z.string().optional(),
    username: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/)
      .optional(),
    language_code: z.string().optional(),
    is_premium: z.boolean().optional(),
  }),
  start: z.object({ bot: ref, payload: z.string().max(512).optional() }),
  botOnly: z.object({ bot: ref }),
  openLink: z.object({
    link: z.string().min(1),
    chat: chatRef.optional(),
    platform: z.string().optional(),
    themeParams: z.record(z.string(), z.string()).optional(),
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
  photo: z.object({
    from: ref,
    base64: base64.optional(),
    size: z.number().int().nonnegative().optional(),
    width: z.number().int().positive().optional(),
    height: z.number().int().positive().optional(),
    caption: z.string().optional(),
    replyTo: z.number().int().optional(),
  }),
  document: z.object({
    from: ref,
    fileName: z.string().min(1),
    mimeType: z.string().optional(),
    base64: base64.optional(),
    size: z.number().int().nonnegative().optional(),
    caption: z.string().optional(),
    replyTo: z.number().int().optional(),
  }),
  voice: z.object({
    from: ref,
    base64: base64.optional(),
    size: z.number().int().nonnegative().optional(),
    duration: z.number().int().nonnegative().optional(),
    caption: z.string().optional(),
    replyTo: z.number().int().optional(),
  }),
  video: z.object({
    from: ref,
    base64: base64.optional(),
    size: z.number().int().nonnegative().optional(),
    width: z.number().int().positive().optional(),
    height: z.number().int().positive().optional(),
    duration: z.number().int().nonnegative().optional(),
    fileName: z.string().optional(),
    caption: z.string().optional(),
    replyTo: z.number().int().optional(),
  }),
  album: z.object({
    from: ref,
    caption: z.string().optional(),
    replyTo: z.number().int().optional(),
    items: z
      .array(
        z.object({
          type: z.enum(['photo', 'video', 'document']),
          base64: base64.optional(),
          size: z.number().int().nonnegative().optional(),
          width: z.number().int().positive().optional(),
          height: z.number().int().positive().optional(),
          duration: z.number().int().nonnegative().optional(),
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
    themeParams: z.record(z.string(), z.string()).optional(),
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
    themeParams: z.record(z.string(), z.string()).optional(),
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
};

type Handler = (args: {
  server: TelegramTestServer;
  path: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}) => Promise<ControlReply> | ControlReply;

interface Route {
  method: string;
  pattern: string;
  regex: RegExp;
  keys: string[];
  handler: Handler;
  doc: string;
}

const routes: Route[] = [];

function route(method: string, pattern: string, doc: string, handler: Handler): void {
  const keys: string[] = [];
  const regex = new RegExp(
    `^/__control${pattern.replace(/:([a-zA-Z]+)/g, (_, key: string) => {
      keys.push(key);
      return '([^/]+)';
    })}/?$`,
  );
  routes.push({ method, pattern: `/__control${pattern}`, regex, keys, handler, doc });
}

const ok = (body: unknown, status = 200): ControlReply => ({ status, body });

/** Numbers in paths/queries stay numbers (chat ids, user ids), other values stay strings. */
function refValue(value: string): number | string {
  return /^-?\d+$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : value;
}

function bytes(b64: string | undefined): Uint8Array | undefined {
  return b64 === undefined ? undefined : Buffer.from(b64, 'base64');
}

function withoutUndefined<T extends Record<string, unknown>>(value: T): T {
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

const chatParam = (path: Record<string, string>): ChatRef => refValue(path.chat ?? '');

// ---------------------------------------------------------------- routes

route('GET', '', 'this list', () =>
  ok({ ok: true, routes: routes.map((r) => `${r.method} ${r.pattern} — ${r.doc}`) }),
);

route('GET', '/state', 'bots, users and chats', ({ server }) =>
  ok({ ok: true, url: server.url, bots: server.listBots(), users: server.listUsers() }),
);

route('POST', '/reset', '{keepBots?} drop users, chats, files, logs', ({ server, body }) => {
  const input = schemas.reset.parse(body);
  server.reset(withoutUndefined(input));
  return ok({ ok: true });
});

route('GET', '/bots', 'list bots', ({ server }) => ok({ ok: true, bots: server.listBots() }));

route(
  'POST',
  '/bots',
  '{token?, username?, first_name?, privacyMode?, canJoinGroups?, mainMiniAppUrl?}',
  ({ server, body }) =>
    ok({ ok: true, bot: server.createBot(withoutUndefined(schemas.createBot.parse(body))) }, 201),
);

route('POST', '/bots/:bot/privacy', '{enabled}', ({ server, path, body }) => {
  server.setPrivacyMode(refValue(path.bot ?? ''), schemas.privacy.parse(body).enabled);
  return ok({ ok: true });
});

route(
  'POST',
  '/bots/:bot/mini-apps',
  '{url, shortName?} (no shortName = main Mini App)',
  ({ server, path, body }) => {
    server.setMiniApp(refValue(path.bot ?? ''), withoutUndefined(schemas.miniApp.parse(body)));
    return ok({ ok: true });
  },
);

route('GET', '/bots/:bot/updates', 'updates the bot has not confirmed', ({ server, path }) =>
  ok({ ok: true, updates: server.pendingUpdates(refValue(path.bot ?? '')) }),
);

route(
  'GET',
  '/bots/:bot/expired-updates',
  'updates dropped unconfirmed after the retention',
  ({ server, path }) => ok({ ok: true, ...server.expiredUpdates(refValue(path.bot ?? '')) }),
);

route(
  'GET',
  '/bots/:bot/commands',
  '?scope=&language_code= commands set by the bot',
  ({ server, path, query }) =>
    ok({
      ok: true,
      commands: server.botCommands(
        refValue(path.bot ?? ''),
        query.get('scope') ?? 'default',
        query.get('language_code') ?? '',
      ),
    }),
);

route('GET', '/users', 'list users', ({ server }) => ok({ ok: true, users: server.listUsers() }));

route(
  'POST',
  '/users',
  '{id?, first_name, last_name?, username?, language_code?, is_premium?}',
  ({ server, body }) =>
    ok(
      { ok: true, user: server.createUser(withoutUndefined(schemas.createUser.parse(body))) },
      201,
    ),
);

route(
  'POST',
  '/users/:user/start',
  '{bot, payload?} the user sends /start [payload]',
  ({ server, path, body }) => {
    const input = schemas.start.parse(body);
    return ok({
      ok: true,
      message: server.startBot(refValue(path.user ?? ''), input.bot, input.payload),
    });
  },
);

route('POST', '/users/:user/block', '{bot}', ({ server, path, body }) => {
  server.blockBot(refValue(path.user ?? ''), schemas.botOnly.parse(body).bot);
  return ok({ ok: true });
});

route('POST', '/users/:user/unblock', '{bot}', ({ server, path, body }) => {
  server.unblockBot(refValue(path.user ?? ''), schemas.botOnly.parse(body).bot);
  return ok({ ok: true });
});

route(
  'POST',
  '/users/:user/open-link',
  '{link, chat?, platform?} t.me link: Mini App launch URL or /start',
  ({ server, path, body }) => {
    const input = schemas.openLink.parse(body);
    return ok({
      ok: true,
      ...server.openLink(
        withoutUndefined({
          user: refValue(path.user ?? ''),
          link: input.link,
          chat: input.chat,
          platform: input.platform,
          themeParams: input.themeParams,
        }),
      ),
    });
  },
);

route(
  'GET',
  '/users/:user/chats',
  "the person's chat list (groups, a private chat with each bot), newest first",
  ({ server, path }) => ok({ ok: true, chats: server.userChats(refValue(path.user ?? '')) }),
);

route(
  'GET',
  '/users/:user/chats/:chat/messages',
  'messages of a chat of that list (a group id, or a bot id for the private chat)',
  ({ server, path }) =>
    ok({
      ok: true,
      messages: server.userChatMessages(refValue(path.user ?? ''), chatParam(path)),
    }),
);

route(
  'GET',
  '/changes',
  '?after=&waitMs= waits until the world changes (a message, a member, an update); answers {revision}',
  async ({ server, query }) => {
    const input = schemas.changes.parse(Object.fromEntries(query));
    return ok({ ok: true, revision: await server.waitForChange(input.after, input.waitMs) });
  },
);

route('POST', '/groups', '{by, title, members?} create a basic group', ({ server, body }) => {
  const input = schemas.createGroup.parse(body);
  return ok({ ok: true, chat: server.createGroup(withoutUndefined(input)) }, 201);
});

route(
  'GET',
  '/chats/:chat',
  '?bot= chat, members, migration, bot departures',
  ({ server, path, query }) => {
    const bot = query.get('bot');
    return ok({
      ok: true,
      ...server.chatInfo(chatParam(path), bot !== null ? { bot: refValue(bot) } : {}),
    });
  },
);

route(
  'GET',
  '/chats/:chat/messages',
  '?bot= all messages in the chat',
  ({ server, path, query }) => {
    const bot = query.get('bot');
    return ok({
      ok: true,
      messages: server.chatMessages(chatParam(path), bot !== null ? { bot: refValue(bot) } : {}),
    });
  },
);

route(
  'GET',
  '/chats/:chat/bot-messages',
  '?bot=&waitMs=&count=&includeDeleted= what bots sent (files as base64); waitMs waits for `count` messages',
  async ({ server, path, query }) => {
    const bot = query.get('bot');
    const chat = chatParam(path);
    const waitMs = Number(query.get('waitMs') ?? 0);
    const count = Number(query.get('count') ?? 1);
    const options = bot !== null ? { bot: refValue(bot) } : {};
    if (waitMs > 0) await server.waitForBotMessage(chat, { ...options, timeoutMs: waitMs, count });
    const records = server.botMessages(chat, {
      ...options,
      includeDeleted: query.get('includeDeleted') === 'true',
    });
    return ok({ ok: true, messages: records.map(serializeRecord) });
  },
);

route(
  'POST',
  '/chats/:chat/members',
  '{user, by?} add a user (or bot) to the group',
  ({ server, path, body }) => {
    const input = schemas.addMember.parse(body);
    return ok({
      ok: true,
      message: server.addMember(chatParam(path), input.user, withoutUndefined({ by: input.by })),
    });
  },
);

route(
  'POST',
  '/chats/:chat/members/:user/remove',
  '{by?} remove (by someone) or leave (no by)',
  ({ server, path, body }) => {
    const input = schemas.by.parse(body);
    return ok({
      ok: true,
      message: server.removeMember(
        chatParam(path),
        refValue(path.user ?? ''),
        withoutUndefined(input),
      ),
    });
  },
);

route(
  'POST',
  '/chats/:chat/members/:user/promote',
  '{by?, rights?, customTitle?}',
  ({ server, path, body }) => {
    const input = schemas.promote.parse(body);
    server.promote(chatParam(path), refValue(path.user ?? ''), withoutUndefined(input));
    return ok({ ok: true });
  },
);

route('POST', '/chats/:chat/members/:user/demote', '{by?}', ({ server, path, body }) => {
  server.demote(
    chatParam(path),
    refValue(path.user ?? ''),
    withoutUndefined(schemas.by.parse(body)),
  );
  return ok({ ok: true });
});

route(
  'POST',
  '/chats/:chat/bots',
  '{bot, by, asAdmin?, rights?} a user adds the bot',
  ({ server, path, body }) => {
    const input = schemas.addBot.parse(body);
    return ok({
      ok: true,
      message: server.addBot(
        chatParam(path),
        input.bot,
        withoutUndefined({ by: input.by, asAdmin: input.asAdmin, rights: input.rights }),
      ),
    });
  },
);

route(
  'POST',
  '/chats/:chat/upgrade',
  '{by?, username?} group → supergroup',
  ({ server, path, body }) => {
    const input = schemas.upgrade.parse(body);
    return ok({
      ok: true,
      chat: server.upgradeToSupergroup(chatParam(path), withoutUndefined(input)),
    });
  },
);

route(
  'POST',
  '/chats/:chat/messages',
  '{from, text, replyTo?, entities?} a user sends text',
  ({ server, path, body }) => {
    const input = schemas.text.parse(body);
    return ok({
      ok: true,
      message: server.sendText(withoutUndefined({ ...input, chat: chatParam(path) })),
    });
  },
);

/** A route on one message of a chat: the body, with the chat and the message id, to `act`. */
function messageRoute<Input extends Record<string, unknown>>(
  action: string,
  help: string,
  schema: z.ZodType<Input>,
  act: (server: TelegramTestServer, input: Input & { chat: ChatRef; messageId: number }) => object,
): void {
  route('POST', `/chats/:chat/messages/:id/${action}`, help, ({ server, path, body }) => {
    const input = schema.parse(body);
    return ok({
      ok: true,
      ...act(
        server,
        withoutUndefined({ ...input, chat: chatParam(path), messageId: Number(path.id) }),
      ),
    });
  });
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

/** A route where a user sends a file of one kind Telegram has, its bytes given or generated. */
function mediaRoute<Input extends { base64?: string | undefined }>(
  kind: string,
  help: string,
  schema: z.ZodType<Input>,
  send: (
    server: TelegramTestServer,
    input: Omit<Input, 'base64'> & { bytes: Uint8Array | undefined; chat: ChatRef },
  ) => unknown,
): void {
  route('POST', `/chats/:chat/${kind}`, help, ({ server, path, body }) => {
    const { base64: data, ...input } = schema.parse(body);
    const message = send(
      server,
      withoutUndefined({ ...input, bytes: bytes(data), chat: chatParam(path) }) as Omit<
        Input,
        'base64'
      > & { bytes: Uint8Array | undefined; chat: ChatRef },
    );
    return ok({ ok: true, message });
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

route(
  'POST',
  '/chats/:chat/albums',
  '{from, items:[{type, base64?|size?, ...}], caption?} media group',
  ({ server, path, body }) => {
    const input = schemas.album.parse(body);
    const items = input.items.map(
      ({ base64: data, ...item }) => withoutUndefined({ ...item, bytes: bytes(data) }) as AlbumItem,
    );
    return ok({
      ok: true,
      messages: server.sendAlbum(
        withoutUndefined({
          from: input.from,
          chat: chatParam(path),
          items,
          caption: input.caption,
          replyTo: input.replyTo,
        }),
      ),
    });
  },
);

route(
  'GET',
  '/callback-answers/:id',
  "?waitMs= the bot's answerCallbackQuery",
  async ({ server, path, query }) => {
    const id = path.id ?? '';
    const waitMs = Number(query.get('waitMs') ?? 0);
    const answer =
      waitMs > 0
        ? await server.waitForCallbackAnswer(id, { timeoutMs: waitMs })
        : server.callbackAnswer(id);
    if (!answer) return ok({ ok: false, error: 'not answered' }, 404);
    return ok({ ok: true, answer });
  },
);

route(
  'POST',
  '/webapp/launch-url',
  '{user, bot?, url?, shortName?, startParam?, chat?, chatType?, platform?, version?, themeParams?} signed Mini App launch URL',
  ({ server, body }) => {
    const input = schemas.launch.parse(body);
    return ok({ ok: true, ...server.launchMiniApp(withoutUndefined(input)) });
  },
);

route('GET', '/files/:fileId', 'file metadata', ({ server, path }) => {
  const file = server.getFile(path.fileId ?? '');
  if (!file) return ok({ ok: false, error: 'unknown file' }, 404);
  const { bytes: data, ...meta } = file;
  return ok({ ok: true, file: { ...meta, hasBytes: data !== undefined } });
});

route(
  'GET',
  '/files/:fileId/content',
  '?download=1 file bytes: images inline, anything else as an attachment (served as untrusted)',
  ({ server, path, query }) => {
    const file = server.getFile(path.fileId ?? '');
    if (!file?.bytes) return ok({ ok: false, error: 'unknown file or no bytes kept' }, 404);
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

route(
  'POST',
  '/rate-limits',
  '{telegram?: true, perGroup?: {max, windowMs}, overall?: {max, windowMs}} sending limits (429 + retry_after); {} clears',
  ({ server, body }) => {
    const input = z
      .object({
        telegram: z.literal(true).optional(),
        perGroup: schemas.sendLimit.optional(),
        overall: schemas.sendLimit.optional(),
      })
      .parse(body);
    const limits = input.telegram
      ? TELEGRAM_RATE_LIMITS
      : withoutUndefined({ perGroup: input.perGroup, overall: input.overall });
    server.setRateLimits(Object.keys(limits).length > 0 ? limits : null);
    return ok({ ok: true, limits });
  },
);

route(
  'POST',
  '/update-retention',
  '{ms} how long unconfirmed updates are kept (Telegram: 24 h)',
  ({ server, body }) => {
    server.setPendingUpdateRetention(schemas.retention.parse(body).ms);
    return ok({ ok: true });
  },
);

route(
  'POST',
  '/faults',
  '{kind: rateLimit|internalError|badGateway|hang|dropResponse, method?, bot?, count?, retryAfter?, ms?, respondWith?, html?}',
  ({ server, body }) =>
    ok({ ok: true, fault: server.injectFault(withoutUndefined(schemas.fault.parse(body))) }, 201),
);

route('GET', '/faults', 'pending and fired faults', ({ server }) =>
  ok({ ok: true, ...server.faults() }),
);

route('DELETE', '/faults', 'clear pending faults', ({ server }) => {
  server.clearFaults();
  return ok({ ok: true });
});

route('GET', '/calls', '?method=&bot=&afterSeq= Bot API call log', ({ server, query }) => {
  const method = query.get('method');
  const bot = query.get('bot');
  const afterSeq = query.get('afterSeq');
  return ok({
    ok: true,
    calls: server.calls({
      ...(method !== null ? { method } : {}),
      ...(bot !== null ? { bot: refValue(bot) } : {}),
      ...(afterSeq !== null ? { afterSeq: Number(afterSeq) } : {}),
    }),
  });
});

route('DELETE', '/calls', 'clear the call log', ({ server }) => {
  server.clearCalls();
  return ok({ ok: true });
});

route('GET', '/webhook-deliveries', '?bot= webhook POST attempts', ({ server, query }) => {
  const bot = query.get('bot');
  return ok({
    ok: true,
    deliveries: server.webhookDeliveries(bot !== null ? refValue(bot) : undefined),
  });
});

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
  try {
    return await matched.handler({ server, path: pathParams, query: url.searchParams, body });
  } catch (error) {
    if (error instanceof z.ZodError)
      return ok({ ok: false, error: 'invalid body', issues: error.issues }, 400);
    if (error instanceof WorldError) return ok({ ok: false, error: error.message }, error.status);
    if (error instanceof BotApiError) return ok({ ok: false, error: error.description }, 400);
    throw error;
  }
}
