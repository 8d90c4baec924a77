import type { ChatMessageInputRaw } from '@payreq/contracts';
import { cutText } from '@payreq/contracts';
import type { Telegraf, Telegram } from 'telegraf';

import type { PlatformApi } from './api';
import type { ChatRegistry } from './chats';
import { documentCommandOf, onDocumentButton, onDocumentCommand } from './document-command';
import type { BotConfig } from './env';
import { boardUrl, groupLaunchLink } from './links';
import type { Logger } from './logger';
import type { TgChat, TgMessage, TgUser } from './messages';
import { userName, withoutNul } from './messages';
import type { Mirror } from './mirror';
import { postedRow } from './mirror';
import { ShutdownError, retrying } from './retry';
import { nextPost } from './update-scope';
import {
  classifyTelegramError,
  isDefiniteRefusal,
  isTransientTelegramError,
  retryAfterOf,
} from './telegram';
import { langOf, texts } from './texts';

export interface HandlerDeps {
  config: BotConfig;
  api: PlatformApi;
  chats: ChatRegistry;
  mirror: Mirror;
  logger: Logger;
  /** Aborted when the bot stops: retry loops give up and the update stays unconfirmed. */
  signal: () => AbortSignal;
  botUsername: () => string;
  /** getMe's can_read_all_group_messages at start. */
  readsAllAtStart: () => boolean;
}

interface TgChatMember {
  status: string;
  user: TgUser;
  is_member?: boolean;
}

interface TgChatMemberUpdated {
  chat: TgChat;
  from: TgUser;
  date: number;
  old_chat_member: TgChatMember;
  new_chat_member: TgChatMember;
}

type InlineKeyboard = { inline_keyboard: Array<Array<Record<string, unknown>>> };

const isGroup = (chat: TgChat) => chat.type === 'group' || chat.type === 'supergroup';

function isActive(member: TgChatMember): boolean {
  return (
    member.status === 'creator' ||
    member.status === 'administrator' ||
    member.status === 'member' ||
    (member.status === 'restricted' && member.is_member === true)
  );
}

const isAdmin = (member: TgChatMember) =>
  member.status === 'administrator' || member.status === 'creator';

/**
 * Posts a message of the bot's own (welcome, refusal, /start answer). Retried only when
 * Telegram surely did not post it (429, 5xx, no connection); an unknown outcome is not retried,
 * so nobody gets the same message twice. An update handled again after a crash does not post
 * again what its first handling posted (`nextPost`, recorded in the journal with the message's
 * archive row). Posted in a deal room, the message joins its archive (`Mirror.posted`).
 */
export async function post(
  telegram: Telegram,
  chatId: number,
  text: string,
  deps: Pick<HandlerDeps, 'config' | 'logger' | 'mirror' | 'signal'>,
  options: { replyMarkup?: InlineKeyboard } = {},
): Promise<number | null> {
  const signal = deps.signal();
  const once = nextPost();
  if (once?.postedBefore) {
    deps.logger.info({ chatId }, 'posted before a restart: not posted again');
    const row = rowOfRecord(once.postedBefore);
    if (row) await deps.mirror.posted(chatId, row, signal);
    return null;
  }
  let sent: TgMessage;
  try {
    sent = await retrying(
      () =>
        telegram.callApi(
          'sendMessage',
          {
            chat_id: chatId,
            text,
            link_preview_options: { is_disabled: true },
            ...(options.replyMarkup ? { reply_markup: options.replyMarkup } : {}),
          } as never,
          {
            signal: AbortSignal.any([
              signal,
              AbortSignal.timeout(deps.config.telegramSendTimeoutMs),
            ]) as never,
          },
        ) as Promise<TgMessage>,
      {
        signal,
        isTransient: isDefiniteRefusal,
        retryAfterMs: retryAfterOf,
        maxAttempts: 6,
        baseMs: 500,
      },
    );
  } catch (error) {
    if (error instanceof ShutdownError) throw error;
    deps.logger.warn(
      { err: error, chatId, failure: classifyTelegramError(error).kind },
      'could not post a message of the bot',
    );
    return null;
  }
  const row = postedRow(sent);
  await once?.posted(JSON.stringify(row)).catch((error: unknown) => {
    deps.logger.warn({ err: error, chatId }, 'a posted message could not be recorded');
  });
  if (row) await deps.mirror.posted(chatId, row, signal);
  return sent.message_id;
}

/** The archive row recorded with a post (`null` for a private chat's, or a journal of before). */
function rowOfRecord(record: string): ChatMessageInputRaw | null {
  try {
    const row = JSON.parse(record) as unknown;
    return row !== null && typeof row === 'object' ? (row as ChatMessageInputRaw) : null;
  } catch {
    return null;
  }
}

export function registerHandlers(bot: Telegraf, deps: HandlerDeps): void {
  bot.on('my_chat_member', (ctx) =>
    onMyChatMember(ctx.telegram, ctx.myChatMember as unknown as TgChatMemberUpdated, deps),
  );
  bot.on('chat_member', (ctx) =>
    onChatMember(ctx.chatMember as unknown as TgChatMemberUpdated, deps),
  );
  bot.on('message', (ctx) =>
    onMessage(ctx.telegram, ctx.message as unknown as TgMessage, deps, false),
  );
  bot.on('edited_message', (ctx) =>
    onMessage(ctx.telegram, ctx.editedMessage as unknown as TgMessage, deps, true),
  );
  bot.on('callback_query', (ctx) =>
    onDocumentButton(
      ctx.telegram,
      ctx.callbackQuery as unknown as Parameters<typeof onDocumentButton>[1],
      deps,
    ),
  );
}

async function onMessage(
  telegram: Telegram,
  message: TgMessage,
  deps: HandlerDeps,
  edited: boolean,
): Promise<void> {
  if (message.chat.type === 'private') {
    if (!edited && /^\/(start|help)(@[A-Za-z0-9_]+)?(\s|$)/.test(message.text ?? ''))
      await onStart(telegram, message, deps);
    return;
  }
  if (!isGroup(message.chat)) return;
  const outcome = await deps.mirror.message(telegram, message, { edited, signal: deps.signal() });
  deps.logger.debug(
    { chatId: message.chat.id, messageId: message.message_id, edited, outcome },
    'chat message',
  );
  // The command is a message like any other (mirrored first), then answered.
  const command = edited ? null : documentCommandOf(message.text, deps.botUsername());
  if (command) await onDocumentCommand(telegram, message, command, deps);
}

/** Private chat: what the bot is, the Mini App (a `web_app` button works here), the board for agents. */
async function onStart(telegram: Telegram, message: TgMessage, deps: HandlerDeps): Promise<void> {
  const signal = deps.signal();
  const from = message.from;
  if (!from) return;
  const lang = langOf(from.language_code);
  let isAgent = false;
  try {
    // Recorded so the bot may write to this person later (reminders), and who they are.
    const who = await deps.api.call(
      'bot.privateChatStarted',
      () => deps.api.trpc.bot.privateChatStarted.mutate({ telegramId: from.id }),
      { signal, maxAttempts: 4 },
    );
    isAgent = who.isAgent;
  } catch (error) {
    if (error instanceof ShutdownError) throw error;
    deps.logger.warn({ err: error }, 'privateChatStarted failed; answering /start as for a client');
  }
  const webappUrl = deps.config.webappUrl;
  const rows: InlineKeyboard['inline_keyboard'] = [];
  if (webappUrl) {
    rows.push([{ text: texts.appButton(lang), web_app: { url: webappUrl } }]);
    if (isAgent)
      rows.push([{ text: texts.boardButton(lang), web_app: { url: boardUrl(webappUrl) } }]);
  }
  const text = [
    texts.privateIntro(lang, Boolean(webappUrl)),
    isAgent ? texts.privateAgent(lang) : null,
  ]
    .filter(Boolean)
    .join('\n\n');
  await post(
    telegram,
    message.chat.id,
    text,
    deps,
    rows.length > 0 ? { replyMarkup: { inline_keyboard: rows } } : {},
  );
}

/**
 * The person blocked the bot in its private chat: the api stops writing to them there (deadline
 * reminders) until they start it again. Nothing is said: a blocked bot cannot be heard.
 */
async function onBlocked(telegramId: number, deps: HandlerDeps): Promise<void> {
  const answer = await deps.api.untilAnswered(
    'bot.privateChatBlocked',
    () => deps.api.trpc.bot.privateChatBlocked.mutate({ telegramId }),
    deps.signal(),
  );
  if (!answer.ok)
    deps.logger.warn({ err: answer.refusal }, 'the api refused a blocked private chat');
}

/** The bot's own membership in a group changed: added (register or leave), promoted, removed. */
async function onMyChatMember(
  telegram: Telegram,
  update: TgChatMemberUpdated,
  deps: HandlerDeps,
): Promise<void> {
  const { chat, from } = update;
  if (chat.type === 'private') {
    if (update.new_chat_member.status === 'kicked') await onBlocked(from.id, deps);
    return;
  }
  if (!isGroup(chat)) return;
  const signal = deps.signal();
  const was = update.old_chat_member;
  const now = update.new_chat_member;
  const log = deps.logger.child({ chatId: chat.id, by: from.id });

  if (!isActive(was) && isActive(now)) {
    await onAdded(telegram, update, deps);
    return;
  }
  const info = await deps.chats.get(chat.id, signal);
  if (!info.registered) return;
  if (isActive(was) && !isActive(now)) {
    log.info({ status: now.status }, 'the bot was removed from a deal room');
    await deps.mirror.membership(chat.id, { joined: [], left: [], botIsAdmin: false }, signal);
    return;
  }
  if (isAdmin(was) !== isAdmin(now)) {
    log.info({ admin: isAdmin(now) }, 'the bot’s admin rights changed');
    await deps.mirror.membership(
      chat.id,
      { joined: [], left: [], botIsAdmin: isAdmin(now) },
      signal,
    );
    deps.chats.forget(chat.id);
    if (isAdmin(now)) {
      // Only a bot that could not see everything has something to thank for.
      if (!info.botReadsAll) await post(telegram, chat.id, texts.thanksAdmin(info.locale), deps);
    } else if (!info.botReadsAll) {
      // Privacy mode on and no admin rights: Telegram hides the members' messages from now on.
      log.warn('the bot lost its admin rights with privacy mode on: the room is not mirrored');
      await post(telegram, chat.id, texts.demotedBlind(info.locale), deps);
      if (info.agentTelegramId !== null)
        await post(
          telegram,
          info.agentTelegramId,
          texts.blindToAgent(info.locale, chatTitle(chat), deps.botUsername()),
          deps,
        );
    }
  }
}

async function onAdded(
  telegram: Telegram,
  update: TgChatMemberUpdated,
  deps: HandlerDeps,
): Promise<void> {
  const { chat, from } = update;
  const signal = deps.signal();
  const botIsAdmin = isAdmin(update.new_chat_member);
  const log = deps.logger.child({ chatId: chat.id, addedBy: from.id });
  // Privacy mode as it is now is the one this group gets (BotFather's /setprivacy changes only
  // later joins): asked at each join, not at start.
  const botReadsAll = await readsAllGroupMessages(telegram, deps);
  const answer = await deps.api.untilAnswered(
    'bot.registerChat',
    () =>
      deps.api.trpc.bot.registerChat.mutate({
        chat: {
          id: chat.id,
          type: chat.type as 'group' | 'supergroup',
          title: typeof chat.title === 'string' ? cutText(withoutNul(chat.title), 256) : null,
        },
        addedBy: { telegramId: from.id, name: userName(from) ?? String(from.id) },
        botIsAdmin,
        botReadsAll,
      }),
    signal,
  );
  if (!answer.ok) {
    log.error({ err: answer.refusal }, 'the api refused to register the chat');
    return;
  }
  const result = answer.value;

  if (result.registered) {
    const lang = langOf(result.locale);
    deps.chats.forget(chat.id);
    const blind = !botIsAdmin && !botReadsAll;
    log.info({ agent: result.agent.name, botIsAdmin, botReadsAll }, 'deal room registered');
    const link = groupLaunchLink({
      botUsername: deps.botUsername(),
      miniAppShortName: deps.config.miniAppShortName,
      launchToken: result.launchToken,
    });
    const text = [texts.welcome(lang, result.agent.name), blind ? texts.askAdmin(lang) : null]
      .filter(Boolean)
      .join('\n\n');
    await post(telegram, chat.id, text, deps, {
      replyMarkup: { inline_keyboard: [[{ text: texts.openButton(lang), url: link }]] },
    });
    if (blind) {
      // The agent hears it privately too (if they have started the bot): the room is not kept.
      log.warn('privacy mode on and no admin rights: the room is not mirrored until promoted');
      await post(
        telegram,
        from.id,
        texts.blindToAgent(lang, chatTitle(chat), deps.botUsername()),
        deps,
      );
    }
    await reportAdministrators(telegram, chat.id, deps);
    return;
  }

  // Not a whitelisted agent: say why, and leave (nothing was registered).
  deps.chats.remember(chat.id, {
    registered: false,
    locale: 'ru',
    agentName: null,
    agentTelegramId: null,
    botReadsAll,
  });
  log.info({ reason: result.reason }, 'added by someone who may not open a deal room; leaving');
  await post(telegram, chat.id, texts.refused(langOf(from.language_code)), deps);
  try {
    await retrying(() => telegram.leaveChat(chat.id), {
      signal,
      isTransient: isTransientTelegramError,
      retryAfterMs: retryAfterOf,
      maxAttempts: 8,
      baseMs: 500,
    });
  } catch (error) {
    if (error instanceof ShutdownError) throw error;
    log.warn({ err: error }, 'could not leave the chat');
  }
}

const chatTitle = (chat: TgChat) =>
  typeof chat.title === 'string' ? cutText(withoutNul(chat.title), 256) : null;

/** getMe's `can_read_all_group_messages` now (privacy mode off); the start's answer if Telegram does not say. */
async function readsAllGroupMessages(telegram: Telegram, deps: HandlerDeps): Promise<boolean> {
  try {
    const me = await retrying(() => telegram.getMe(), {
      signal: deps.signal(),
      isTransient: isTransientTelegramError,
      retryAfterMs: retryAfterOf,
      maxAttempts: 3,
      baseMs: 500,
    });
    return me.can_read_all_group_messages === true;
  } catch (error) {
    if (error instanceof ShutdownError) throw error;
    deps.logger.warn({ err: error }, 'getMe failed; taking privacy mode as it was at start');
    return deps.readsAllAtStart();
  }
}

/**
 * Telegram tells a bot nothing about the members who were there before it; the
 * administrators it can ask for. (The others become known when they write or join.)
 */
async function reportAdministrators(
  telegram: Telegram,
  chatId: number,
  deps: HandlerDeps,
): Promise<void> {
  const signal = deps.signal();
  let admins: TgChatMember[];
  try {
    admins = (await retrying(() => telegram.getChatAdministrators(chatId), {
      signal,
      isTransient: isTransientTelegramError,
      retryAfterMs: retryAfterOf,
      maxAttempts: 4,
      baseMs: 500,
    })) as unknown as TgChatMember[];
  } catch (error) {
    if (error instanceof ShutdownError) throw error;
    deps.logger.warn({ err: error, chatId }, 'could not list the chat administrators');
    return;
  }
  await deps.mirror.membership(
    chatId,
    { joined: admins.map((member) => ({ user: member.user, admin: true })), left: [] },
    signal,
  );
}

/** Someone joined, left, was promoted (needs admin rights and `chat_member` in allowed_updates). */
async function onChatMember(update: TgChatMemberUpdated, deps: HandlerDeps): Promise<void> {
  const { chat } = update;
  if (!isGroup(chat)) return;
  const user = update.new_chat_member.user;
  if (user.is_bot) return;
  const signal = deps.signal();
  const info = await deps.chats.get(chat.id, signal);
  if (!info.registered) return;
  const now = update.new_chat_member;
  await deps.mirror.membership(
    chat.id,
    isActive(now)
      ? { joined: [{ user, admin: isAdmin(now) }], left: [] }
      : { joined: [], left: [user] },
    signal,
  );
}
