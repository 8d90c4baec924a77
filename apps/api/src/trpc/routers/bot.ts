import { whoIs } from '../../services/agents';
import { recordPrivateChat } from '../../services/bot-private-chats';
import { requestDocumentFromChat } from '../../services/chat-documents';
import { saveChatMessages } from '../../services/chat-messages';
import {
  chatSummary,
  launchTokenFor,
  migrateChat,
  recordMembership,
  registerChat,
  revokeLaunchTokens,
} from '../../services/chats';
import { botProcedure, router } from '../trpc';
import {
  BotRequestDocumentInput,
  BotRequestDocumentResult,
  ChatRef,
  ChatSummary,
  LaunchTokenResult,
  MembershipInput,
  MigrateChatInput,
  Ok,
  RegisterChatInput,
  RegisterChatResult,
  Revoked,
  SaveMessageInput,
  SaveMessagesInput,
  SaveMessagesResult,
  PrivateChatStartedInput,
  WhoIsInput,
  WhoIsResult,
} from './bot.types';

/** What the Telegram bot process reports and asks, keyed by the Telegram chat id. */
export const botRouter = router({
  registerChat: botProcedure
    .input(RegisterChatInput)
    .output(RegisterChatResult)
    .mutation(({ ctx, input }) => registerChat(ctx.db, input)),

  launchToken: botProcedure
    .input(ChatRef)
    .output(LaunchTokenResult)
    .mutation(({ ctx, input }) => launchTokenFor(ctx.db, input.chatId)),

  revokeLaunchTokens: botProcedure
    .input(ChatRef)
    .output(Revoked)
    .mutation(async ({ ctx, input }) => ({
      revoked: await revokeLaunchTokens(ctx.db, input.chatId),
    })),

  membership: botProcedure
    .input(MembershipInput)
    .output(Ok)
    .mutation(async ({ ctx, input }) => {
      await recordMembership(ctx.db, input);
      return { ok: true as const };
    }),

  migrateChat: botProcedure
    .input(MigrateChatInput)
    .output(Ok)
    .mutation(async ({ ctx, input }) => {
      await migrateChat(ctx.db, input);
      return { ok: true as const };
    }),

  /** One message; an edit of a known message updates its row. */
  saveMessage: botProcedure
    .input(SaveMessageInput)
    .output(SaveMessagesResult)
    .mutation(({ ctx, input }) =>
      saveChatMessages(ctx.db, input.chatId, [input.message], { markAuthorsMembers: true }),
    ),

  /** A batch of messages, idempotent on the Telegram message id. */
  saveMessages: botProcedure
    .input(SaveMessagesInput)
    .output(SaveMessagesResult)
    .mutation(({ ctx, input }) =>
      saveChatMessages(ctx.db, input.chatId, input.messages, { markAuthorsMembers: true }),
    ),

  /**
   * `/document` in a deal room: asks 1C for a document as the Telegram user who sent it (the
   * request's linked agent only; `kind: null` checks without writing). Refusals are answers.
   */
  requestDocument: botProcedure
    .input(BotRequestDocumentInput)
    .output(BotRequestDocumentResult)
    .mutation(({ ctx, input }) => requestDocumentFromChat(ctx.db, ctx.now(), input)),

  chatSummary: botProcedure
    .input(ChatRef)
    .output(ChatSummary)
    .query(({ ctx, input }) => chatSummary(ctx.db, input.chatId)),

  /** Whether a Telegram user is a whitelisted agent (the bot's private-chat menu). */
  whoIs: botProcedure
    .input(WhoIsInput)
    .output(WhoIsResult)
    .query(({ ctx, input }) => whoIs(ctx.db, input.telegramId)),

  /** /start in a private chat: the bot may write to this person now (deadline reminders). */
  privateChatStarted: botProcedure
    .input(PrivateChatStartedInput)
    .output(WhoIsResult)
    .mutation(async ({ ctx, input }) => {
      await recordPrivateChat(ctx.db, input.telegramId, ctx.now());
      return whoIs(ctx.db, input.telegramId);
    }),
});
