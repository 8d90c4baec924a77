import { whoIs } from '../../services/agents';
import { recordPrivateChat, recordPrivateChatBlocked } from '../../services/bot-private-chats';
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
import { answerDone, botProcedure, Done, router } from '../trpc';
import * as types from './bot.types';

/** What the Telegram bot process reports and asks, keyed by the Telegram chat id. */
export const botRouter = router({
  registerChat: botProcedure
    .input(types.RegisterChatInput)
    .output(types.RegisterChatResult)
    .mutation(({ ctx, input }) => registerChat(ctx.db, input)),

  launchToken: botProcedure
    .input(types.ChatRef)
    .output(types.LaunchTokenResult)
    .mutation(({ ctx, input }) => launchTokenFor(ctx.db, input.chatId)),

  revokeLaunchTokens: botProcedure
    .input(types.ChatRef)
    .output(types.Revoked)
    .mutation(async ({ ctx, input }) => ({
      revoked: await revokeLaunchTokens(ctx.db, input.chatId),
    })),

  membership: botProcedure
    .input(types.MembershipInput)
    .output(Done)
    .mutation(answerDone(({ ctx, input }) => recordMembership(ctx.db, input))),

  migrateChat: botProcedure
    .input(types.MigrateChatInput)
    .output(Done)
    .mutation(answerDone(({ ctx, input }) => migrateChat(ctx.db, input))),

  /** One message; an edit of a known message updates its row. */
  saveMessage: botProcedure
    .input(types.SaveMessageInput)
    .output(types.SaveMessagesResult)
    .mutation(({ ctx, input }) =>
      saveChatMessages(ctx.db, input.chatId, [input.message], { markAuthorsMembers: true }),
    ),

  /**
   * A message the bot itself posted in a deal room (its welcome, an answer to a command), for
   * the room's archive: Telegram never sends a bot its own messages, so the mirror cannot see
   * them. Idempotent like `saveMessage`; the bot is not recorded as a member of the room.
   */
  savePostedMessage: botProcedure
    .input(types.SaveMessageInput)
    .output(types.SaveMessagesResult)
    .mutation(({ ctx, input }) =>
      saveChatMessages(ctx.db, input.chatId, [input.message], { markAuthorsMembers: false }),
    ),

  /** A batch of messages, idempotent on the Telegram message id. */
  saveMessages: botProcedure
    .input(types.SaveMessagesInput)
    .output(types.SaveMessagesResult)
    .mutation(({ ctx, input }) =>
      saveChatMessages(ctx.db, input.chatId, input.messages, { markAuthorsMembers: true }),
    ),

  /**
   * `/document` in a deal room: asks 1C for a document as the Telegram user who sent it (the
   * request's linked agent only; `kind: null` checks without writing). Refusals are answers.
   */
  requestDocument: botProcedure
    .input(types.BotRequestDocumentInput)
    .output(types.BotRequestDocumentResult)
    .mutation(({ ctx, input }) => requestDocumentFromChat(ctx.db, ctx.now(), input)),

  chatSummary: botProcedure
    .input(types.ChatRef)
    .output(types.ChatSummary)
    .query(({ ctx, input }) => chatSummary(ctx.db, input.chatId)),

  /** Whether a Telegram user is a whitelisted agent (the bot's private-chat menu). */
  whoIs: botProcedure
    .input(types.WhoIsInput)
    .output(types.WhoIsResult)
    .query(({ ctx, input }) => whoIs(ctx.db, input.telegramId)),

  /** /start in a private chat: the bot may write to this person now (deadline reminders). */
  privateChatStarted: botProcedure
    .input(types.PrivateChatStartedInput)
    .output(types.WhoIsResult)
    .mutation(async ({ ctx, input }) => {
      await recordPrivateChat(ctx.db, input.telegramId, ctx.now());
      return whoIs(ctx.db, input.telegramId);
    }),

  /** The person blocked the bot in private: no more private messages until they start it again. */
  privateChatBlocked: botProcedure
    .input(types.PrivateChatBlockedInput)
    .output(Done)
    .mutation(
      answerDone(({ ctx, input }) => recordPrivateChatBlocked(ctx.db, input.telegramId, ctx.now())),
    ),
});
