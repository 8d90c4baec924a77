import { documentKindLabel } from '@payreq/i18n';
import { DocumentKind } from '@payreq/contracts';
import type { BotRequestDocumentResult } from '@payreq/contracts';
import type { Telegram } from 'telegraf';

import type { HandlerDeps } from './handlers';
import { post } from './handlers';
import type { TgMessage, TgUser } from './messages';
import { userName } from './messages';
import { ShutdownError, retrying } from './retry';
import { isDefiniteRefusal, retryAfterOf } from './telegram';
import type { Lang } from './texts';
import { langOf, texts } from './texts';

/**
 * `/document` (or `/doc`) in a deal room: the request's agent asks 1C for a document from the
 * group, as in the Mini App. `/document invoice` (or `счёт`, `акт`, …) asks at once; without a
 * kind the bot offers a keyboard of kinds (callback data `doc:<KIND>`). The api decides who may
 * (the linked agent) and answers the others' refusals, which the bot puts in the chat's words.
 */

const COMMAND = /^\/(document|doc)(@([A-Za-z0-9_]+))?(?:\s+(.*))?$/is;

const kindWords: Record<DocumentKind, readonly string[]> = {
  INVOICE: ['invoice', 'счёт', 'счет'],
  CONTRACT: ['contract', 'договор'],
  ACT: ['act', 'акт'],
  AGENT_REPORT: ['report', 'agent_report', 'отчёт', 'отчет'],
  SWIFT_CONFIRMATION: ['swift', 'mt103', 'swift_confirmation'],
  RECEIPT: ['receipt', 'квитанция'],
  OTHER: ['other', 'документ', 'другое'],
};

/** The kind a word names (`invoice`, `счёт`, `INVOICE`, …), or null. */
export function kindOfWord(word: string): DocumentKind | null {
  const wanted = word.trim().toLowerCase();
  for (const kind of DocumentKind.options) {
    if (kind.toLowerCase() === wanted || kindWords[kind].includes(wanted)) return kind;
  }
  return null;
}

export interface DocumentCommand {
  /** Null: no kind (or one the bot does not know): offer the keyboard. */
  kind: DocumentKind | null;
}

/** The command in a message, or null (not it, or addressed to another bot). */
export function documentCommandOf(
  text: string | undefined,
  botUsername: string,
): DocumentCommand | null {
  const match = text === undefined ? null : COMMAND.exec(text.trim());
  if (!match) return null;
  const addressee = match[3];
  if (addressee && botUsername && addressee.toLowerCase() !== botUsername.toLowerCase())
    return null;
  const argument = match[4]?.trim().split(/\s+/)[0];
  return { kind: argument ? kindOfWord(argument) : null };
}

const CALLBACK = /^doc:([A-Z_]+)$/;

export function documentCallbackData(kind: DocumentKind): string {
  return `doc:${kind}`;
}

export function kindOfCallbackData(data: string | undefined): DocumentKind | null {
  const match = data === undefined ? null : CALLBACK.exec(data);
  const parsed = match ? DocumentKind.safeParse(match[1]) : null;
  return parsed?.success ? parsed.data : null;
}

/** The kinds as buttons, two a row, in the chat's language. */
export function documentKeyboard(lang: Lang) {
  const buttons = DocumentKind.options.map((kind) => ({
    text: documentKindLabel(kind, lang),
    callback_data: documentCallbackData(kind),
  }));
  const rows: (typeof buttons)[] = [];
  for (let i = 0; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
  return { inline_keyboard: rows };
}

async function ask(
  deps: HandlerDeps,
  input: { chatId: number; from: TgUser; kind: DocumentKind | null; commandId: string },
): Promise<BotRequestDocumentResult | null> {
  const signal = deps.signal();
  try {
    return await deps.api.call(
      'bot.requestDocument',
      () =>
        deps.api.trpc.bot.requestDocument.mutate({
          chatId: input.chatId,
          telegramUserId: input.from.id,
          kind: input.kind,
          commandId: input.commandId,
        }),
      { signal, maxAttempts: 6 },
    );
  } catch (error) {
    if (error instanceof ShutdownError) throw error;
    deps.logger.warn(
      { err: error, chatId: input.chatId },
      'the api did not take a document request',
    );
    return null;
  }
}

/** `/document [kind]` in a group (after the message itself was mirrored). */
export async function onDocumentCommand(
  telegram: Telegram,
  message: TgMessage,
  command: DocumentCommand,
  deps: HandlerDeps,
): Promise<void> {
  const from = message.from;
  if (!from || from.is_bot) return;
  const chatId = message.chat.id;
  const result = await ask(deps, {
    chatId,
    from,
    kind: command.kind,
    commandId: `message:${message.message_id}`,
  });
  const lang = langOf(result?.locale);
  const send = (text: string, replyMarkup?: ReturnType<typeof documentKeyboard>) =>
    post(telegram, chatId, text, deps, replyMarkup ? { replyMarkup } : {});
  if (!result) {
    // The api did not take it (its retries are spent): say so, rather than nothing.
    await send(texts.documentTryLater(lang));
  } else if (result.outcome === 'refused') {
    await send(texts.documentRefused(lang, result.reason));
  } else if (result.outcome === 'allowed') {
    await send(texts.documentChoose(lang, result.displayNumber), documentKeyboard(lang));
  } else if (!result.repeated) {
    await send(
      texts.documentQueued(
        lang,
        result.kind,
        result.displayNumber,
        userName(from) ?? String(from.id),
      ),
    );
  }
}

interface TgCallbackQuery {
  id: string;
  from: TgUser;
  data?: string;
  message?: { message_id: number; chat: { id: number; type: string } };
}

/** A press on the kind keyboard: ask as the person who pressed; they see the answer at once. */
export async function onDocumentButton(
  telegram: Telegram,
  callback: TgCallbackQuery,
  deps: HandlerDeps,
): Promise<void> {
  const kind = kindOfCallbackData(callback.data);
  const chat = callback.message?.chat;
  if (!kind || !chat || (chat.type !== 'group' && chat.type !== 'supergroup')) return;
  const result = await ask(deps, {
    chatId: chat.id,
    from: callback.from,
    kind,
    commandId: `callback:${callback.id}`,
  });
  const lang = langOf(result?.locale);
  const signal = deps.signal();
  const answer = (text: string, showAlert: boolean) =>
    retrying(
      () =>
        telegram.callApi('answerCallbackQuery', {
          callback_query_id: callback.id,
          text,
          show_alert: showAlert,
        } as never),
      {
        signal,
        isTransient: isDefiniteRefusal,
        retryAfterMs: retryAfterOf,
        maxAttempts: 4,
        baseMs: 300,
      },
    ).catch((error: unknown) => {
      if (error instanceof ShutdownError) throw error;
      deps.logger.warn({ err: error, chatId: chat.id }, 'could not answer a button press');
    });
  if (!result) {
    // The api did not take the press: the person is told, instead of a spinner until Telegram
    // gives up, and may press again.
    await answer(texts.documentTryLater(lang), true);
    return;
  }
  if (result.outcome === 'refused') {
    // Only the person who pressed sees this: a refusal is theirs, not the room's.
    await answer(texts.documentRefused(lang, result.reason), true);
    return;
  }
  if (result.outcome !== 'queued') return;
  await answer(texts.documentQueuedShort(lang, result.kind), false);
  if (!result.repeated) {
    await post(
      telegram,
      chat.id,
      texts.documentQueued(
        lang,
        result.kind,
        result.displayNumber,
        userName(callback.from) ?? String(callback.from.id),
      ),
      deps,
    );
  }
}
