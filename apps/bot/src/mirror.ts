import { ChatMessageInput } from '@payreq/contracts';
import type { ChatMessageInputRaw } from '@payreq/contracts';
import type { Telegram } from 'telegraf';
import type { Update } from 'telegraf/types';

import type { PlatformApi } from './api';
import { apiStatusOf, isTransientApiError } from './api';
import type { ChatRegistry } from './chats';
import type { Logger } from './logger';
import type { Attachment, TgMessage, TgUser } from './messages';
import { attachmentOf, looksLikeDocumentCommand, toChatMessageInput, userName } from './messages';
import { uploadMimeFor } from './mime';
import type { BotObserver } from './ops';
import { ShutdownError, retrying } from './retry';
import { classifyTelegramError } from './telegram';

/** Bots may download files up to 20 MB with getFile (Bot API limit). */
export const MAX_BOT_DOWNLOAD_BYTES = 20 * 1024 * 1024;

/** A failure worth another try; anything else thrown inside a file step is a final answer. */
class Transient extends Error {
  override readonly name = 'Transient';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface StoredFile {
  assetId: string | null;
  fileTooBig: boolean;
}

export interface MirrorDeps {
  api: PlatformApi;
  chats: ChatRegistry;
  logger: Logger;
  downloadTimeoutMs: number;
  /** Told what was mirrored and what was not (for /metrics). */
  observer?: BotObserver;
}

const isGroup = (type: string) => type === 'group' || type === 'supergroup';

/** A group message (or its edit) whose whole mirroring is its one row. */
export interface PlainMessage {
  message: TgMessage;
  edited: boolean;
}

/**
 * The update as a plain message, or null: a message or edit in a group with no file, no
 * members joining or leaving and no move to a supergroup. Runs of these can be saved together
 * (`Mirror.messages`); anything else takes its own steps.
 */
export function plainMessageOf(update: Update): PlainMessage | null {
  const fields = update as { message?: TgMessage; edited_message?: TgMessage };
  const message = fields.message ?? fields.edited_message;
  if (!message || typeof message !== 'object' || !message.chat || typeof message.chat !== 'object')
    return null;
  try {
    if (
      !isGroup(message.chat.type) ||
      message.new_chat_members !== undefined ||
      message.left_chat_member !== undefined ||
      message.migrate_from_chat_id !== undefined ||
      message.migrate_to_chat_id !== undefined ||
      attachmentOf(message) !== null ||
      // A command the bot answers takes the one-by-one path, through its handler.
      (fields.message !== undefined && looksLikeDocumentCommand(message.text))
    )
      return null;
  } catch {
    return null; // not the shape Telegram sends: the update takes the one-by-one path
  }
  return { message, edited: fields.message === undefined };
}

/** The row the api takes for a message without a file, or null when the api would refuse it. */
function inputOf(message: TgMessage): ChatMessageInputRaw | null {
  try {
    const input = toChatMessageInput(message, null);
    return ChatMessageInput.safeParse(input).success ? input : null;
  } catch {
    return null; // not the shape Telegram sends
  }
}

/**
 * The archive row of a message the bot posted (Telegram's answer to its send), or null: posted
 * in a person's private chat (no archive), or a shape the api would refuse. A file the bot sent
 * is recorded by its kind and name; its bytes are the platform's already.
 */
export function postedRow(message: TgMessage): ChatMessageInputRaw | null {
  try {
    if (!isGroup(message.chat.type)) return null;
    const input = toChatMessageInput(message, attachmentOf(message));
    return ChatMessageInput.safeParse(input).success ? input : null;
  } catch {
    return null; // not the shape Telegram sends
  }
}

/**
 * Mirrors a deal room's messages into the platform: every message of a registered group once
 * (edits update the same row), its file stored with its bytes, name and type, members joining
 * and leaving, and the group's move to a supergroup. Each step retries until the api answers
 * (the caller's update is not confirmed to Telegram before this returns), so an api restart
 * delays mirroring and never drops it; only an answer that says the input itself is wrong
 * (a 4xx) ends the attempt.
 */
export class Mirror {
  private readonly assetsByUniqueId = new Map<string, string>();

  constructor(private readonly deps: MirrorDeps) {}

  /** A group message or its edit. Returns what happened, for logs and tests. */
  async message(
    telegram: Telegram,
    message: TgMessage,
    options: { edited: boolean; signal: AbortSignal },
  ): Promise<'saved' | 'ignored' | 'rejected'> {
    const { signal } = options;
    const chatId = message.chat.id;
    if (!isGroup(message.chat.type)) return 'ignored';

    if (message.migrate_from_chat_id !== undefined)
      await this.followMigration(message.migrate_from_chat_id, chatId, signal);
    if (message.migrate_to_chat_id !== undefined)
      await this.followMigration(chatId, message.migrate_to_chat_id, signal);

    const chat = await this.deps.chats.get(chatId, signal);
    if (!chat.registered) return 'ignored';

    // The row as the api takes it, checked before anything of the message is written: one the
    // api would refuse records nothing (not even the members a service message names).
    const attachment = attachmentOf(message);
    const input = toChatMessageInput(message, attachment);
    if (!ChatMessageInput.safeParse(input).success) {
      this.refusedBeforeSending(chatId, message.message_id);
      return 'rejected';
    }

    if (!options.edited) await this.membershipFromService(message, signal);

    if (attachment) {
      const stored = await this.storeFile(telegram, chatId, attachment, signal);
      input.assetId = stored.assetId;
      input.fileTooBig = stored.fileTooBig;
    }
    return this.save(chatId, input, options.edited, signal);
  }

  /**
   * A run of plain group messages of one chat in Telegram's order (see `plainMessageOf`):
   * one `saveMessages` call for the run instead of one call each. Rows, edits (the last report
   * of a message wins) and the authors' membership come out as the one-by-one path leaves them.
   */
  async messages(
    run: readonly PlainMessage[],
    signal: AbortSignal,
  ): Promise<Array<'saved' | 'ignored' | 'rejected'>> {
    const first = run[0];
    if (!first) return [];
    const chatId = first.message.chat.id;
    const chat = await this.deps.chats.get(chatId, signal);
    if (!chat.registered) return run.map(() => 'ignored');

    const outcomes: Array<'saved' | 'ignored' | 'rejected'> = run.map(() => 'rejected');
    const accepted: Array<{ index: number; input: ChatMessageInputRaw; edited: boolean }> = [];
    for (const [index, { message, edited }] of run.entries()) {
      const input = inputOf(message);
      if (input) accepted.push({ index, input, edited });
      else this.refusedBeforeSending(chatId, message.message_id);
    }
    if (accepted.length === 0) return outcomes;
    if (accepted.length === 1) {
      const only = accepted[0]!;
      outcomes[only.index] = await this.save(chatId, only.input, only.edited, signal);
      return outcomes;
    }
    const answer = await this.deps.api.untilAnswered(
      'bot.saveMessages',
      () =>
        this.deps.api.trpc.bot.saveMessages.mutate({
          chatId,
          messages: accepted.map(({ input }) => input),
        }),
      signal,
    );
    if (!answer.ok) {
      // The api refused the run as a whole (one message it will not take, a proxy's body
      // limit): each goes on its own, so one refusal does not cost the others.
      this.deps.logger.warn(
        {
          err: answer.refusal,
          chatId,
          messages: accepted.length,
          status: apiStatusOf(answer.refusal),
        },
        'the api refused a run of chat messages; saving them one by one',
      );
      for (const { index, input, edited } of accepted)
        outcomes[index] = await this.save(chatId, input, edited, signal);
      return outcomes;
    }
    for (const { index, input, edited } of accepted) {
      this.deps.observer?.messageMirrored(input.kind ?? 'text', edited);
      outcomes[index] = 'saved';
    }
    return outcomes;
  }

  /** One message through `bot.saveMessage`, retried until the api answers. */
  private async save(
    chatId: number,
    input: ChatMessageInputRaw,
    edited: boolean,
    signal: AbortSignal,
  ): Promise<'saved' | 'rejected'> {
    const answer = await this.deps.api.untilAnswered(
      'bot.saveMessage',
      () => this.deps.api.trpc.bot.saveMessage.mutate({ chatId, message: input }),
      signal,
    );
    if (answer.ok) {
      this.deps.observer?.messageMirrored(input.kind ?? 'text', edited);
      return 'saved';
    }
    // The api refused the message itself (4xx): retrying cannot change its mind.
    this.deps.logger.error(
      {
        err: answer.refusal,
        chatId,
        messageId: input.messageId,
        status: apiStatusOf(answer.refusal),
      },
      'the api refused a chat message; it is not mirrored',
    );
    this.deps.observer?.mirroringFailed('rejected');
    return 'rejected';
  }

  /**
   * A message the bot posted in a group (`postedRow`), into the deal room's archive: Telegram
   * never sends a bot its own messages, so the mirror cannot see them. Retried until the api
   * answers; a group that is no deal room (the refusal before leaving) records nothing.
   */
  async posted(chatId: number, row: ChatMessageInputRaw, signal: AbortSignal): Promise<void> {
    const chat = await this.deps.chats.get(chatId, signal);
    if (!chat.registered) return;
    const answer = await this.deps.api.untilAnswered(
      'bot.savePostedMessage',
      () => this.deps.api.trpc.bot.savePostedMessage.mutate({ chatId, message: row }),
      signal,
    );
    if (!answer.ok && apiStatusOf(answer.refusal) !== 404)
      this.deps.logger.warn(
        { err: answer.refusal, chatId, messageId: row.messageId },
        "the api refused the bot's own message; the archive lacks it",
      );
  }

  private refusedBeforeSending(chatId: number, messageId: number): void {
    this.deps.logger.error(
      { chatId, messageId },
      'a chat message the api would refuse; nothing of it is recorded',
    );
    this.deps.observer?.mirroringFailed('rejected');
  }

  /** Members joining and leaving, as the api's chat binding needs them. */
  async membership(
    chatId: number,
    change: {
      joined: Array<{ user: TgUser; admin: boolean }>;
      left: TgUser[];
      botIsAdmin?: boolean;
    },
    signal: AbortSignal,
  ): Promise<void> {
    const joined = change.joined
      .filter(({ user }) => !user.is_bot)
      .map(({ user, admin }) => ({
        telegramId: user.id,
        name: userName(user) ?? String(user.id),
        admin,
      }));
    const left = change.left.filter((user) => !user.is_bot).map((user) => user.id);
    if (joined.length === 0 && left.length === 0 && change.botIsAdmin === undefined) return;
    const answer = await this.deps.api.untilAnswered(
      'bot.membership',
      () =>
        this.deps.api.trpc.bot.membership.mutate({
          chatId,
          joined,
          left,
          ...(change.botIsAdmin !== undefined ? { botIsAdmin: change.botIsAdmin } : {}),
        }),
      signal,
    );
    // 404: not a deal room (any more); nothing to record.
    if (!answer.ok)
      this.deps.logger.warn({ err: answer.refusal, chatId }, 'membership change not recorded');
  }

  private async membershipFromService(message: TgMessage, signal: AbortSignal): Promise<void> {
    if (message.new_chat_members?.length) {
      await this.membership(
        message.chat.id,
        { joined: message.new_chat_members.map((user) => ({ user, admin: false })), left: [] },
        signal,
      );
    }
    if (message.left_chat_member) {
      await this.membership(
        message.chat.id,
        { joined: [], left: [message.left_chat_member] },
        signal,
      );
    }
  }

  /** A group became a supergroup: the api moves the deal room (request, members, tokens) to the new id. */
  async followMigration(fromChatId: number, toChatId: number, signal: AbortSignal): Promise<void> {
    try {
      const answer = await this.deps.api.untilAnswered(
        'bot.migrateChat',
        () => this.deps.api.trpc.bot.migrateChat.mutate({ fromChatId, toChatId }),
        signal,
      );
      if (answer.ok)
        this.deps.logger.info(
          { fromChatId, toChatId },
          'deal room followed its group to a supergroup',
        );
      else if (apiStatusOf(answer.refusal) !== 404)
        this.deps.logger.warn(
          { err: answer.refusal, fromChatId, toChatId },
          'chat migration not recorded',
        );
    } finally {
      this.deps.chats.forget(fromChatId);
      this.deps.chats.forget(toChatId);
    }
  }

  /**
   * getFile + download + upload to the api. Over 20 MB (Telegram will not hand it to a bot)
   * or over the api's limit: `fileTooBig`. A type the deal room does not take, or bytes the
   * api does not believe: no asset (the message is kept, with its kind and file name).
   */
  async storeFile(
    telegram: Telegram,
    chatId: number,
    attachment: Attachment,
    signal: AbortSignal,
  ): Promise<StoredFile> {
    const { file } = attachment;
    const log = this.deps.logger.child({
      chatId,
      fileUniqueId: file.file_unique_id,
      kind: attachment.kind,
    });
    // Telegram always names a file by strings; anything else cannot be fetched, now or later.
    if (typeof file.file_id !== 'string' || typeof file.file_unique_id !== 'string') {
      log.warn('a file without a usable file_id; message kept without it');
      return { assetId: null, fileTooBig: false };
    }
    if (file.file_size !== undefined && file.file_size > MAX_BOT_DOWNLOAD_BYTES)
      return { assetId: null, fileTooBig: true };
    const mime = uploadMimeFor(attachment.mime, attachment.fileName);
    if (!mime) {
      log.info(
        { mime: attachment.mime },
        'file type not taken by the deal room; message kept without it',
      );
      return { assetId: null, fileTooBig: false };
    }
    const known = this.assetsByUniqueId.get(file.file_unique_id);
    if (known) return { assetId: known, fileTooBig: false };

    const attempt = async (): Promise<StoredFile> => {
      let link: URL;
      try {
        link = await telegram.getFileLink(file.file_id);
      } catch (error) {
        const failure = classifyTelegramError(error);
        if (failure.kind === 'refused') {
          if (/too big/i.test(failure.description)) return { assetId: null, fileTooBig: true };
          log.warn({ err: error }, 'Telegram refused getFile; message kept without its file');
          return { assetId: null, fileTooBig: false };
        }
        throw new Transient(`getFile: ${failure.description}`, { cause: error });
      }
      const bytes = await this.download(link, signal);
      if (bytes === 'tooBig') return { assetId: null, fileTooBig: true };
      try {
        const uploaded = await this.deps.api.uploadAsset(chatId, bytes, {
          mime,
          fileName: attachment.fileName,
          telegramFileId: file.file_id,
          telegramFileUniqueId: file.file_unique_id,
        });
        this.rememberAsset(file.file_unique_id, uploaded.assetId);
        return { assetId: uploaded.assetId, fileTooBig: false };
      } catch (error) {
        if (isTransientApiError(error)) throw new Transient('upload failed', { cause: error });
        const status = apiStatusOf(error);
        if (status === 413) return { assetId: null, fileTooBig: true };
        log.warn(
          { err: error, mime, status },
          'the api did not take the file; message kept without it',
        );
        return { assetId: null, fileTooBig: false };
      }
    };

    return retrying(attempt, {
      signal,
      isTransient: (error) => error instanceof Transient,
      baseMs: 500,
      maxMs: 30_000,
      onRetry: (error, attemptNo, delayMs) =>
        (attemptNo >= 5 ? log.warn.bind(log) : log.debug.bind(log))(
          { err: error, attempt: attemptNo, delayMs },
          'storing a chat file failed; retrying',
        ),
    });
  }

  private async download(link: URL, signal: AbortSignal): Promise<Buffer | 'tooBig'> {
    let response: Response;
    try {
      response = await fetch(link, {
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.deps.downloadTimeoutMs)]),
      });
    } catch (error) {
      if (signal.aborted) throw new ShutdownError();
      throw new Transient('download failed', { cause: error });
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      // 404: the file path expired (an hour) — a new getFile gives a fresh one.
      throw new Transient(`download answered ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > MAX_BOT_DOWNLOAD_BYTES) {
      await response.body?.cancel().catch(() => undefined);
      return 'tooBig';
    }
    try {
      const bytes = Buffer.from(await response.arrayBuffer());
      return bytes.byteLength > MAX_BOT_DOWNLOAD_BYTES ? 'tooBig' : bytes;
    } catch (error) {
      if (signal.aborted) throw new ShutdownError();
      throw new Transient('download interrupted', { cause: error });
    }
  }

  private rememberAsset(uniqueId: string, assetId: string): void {
    if (this.assetsByUniqueId.size >= 5_000) {
      const oldest = this.assetsByUniqueId.keys().next().value;
      if (oldest !== undefined) this.assetsByUniqueId.delete(oldest);
    }
    this.assetsByUniqueId.set(uniqueId, assetId);
  }
}
