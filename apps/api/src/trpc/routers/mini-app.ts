import {
  miniAppSession,
  saveChatRequest,
  setChatPaymentStatus,
  requireChatRequestId,
  setChatRequestStatus,
} from '../../services/chat-requests';
import { requestDocumentGeneration } from '../../services/documents';
import { historyPage } from '../../services/requests';
import { miniAppProcedure, router } from '../trpc';
import * as types from './mini-app.types';

/** The deal room's Mini App: everything keyed by the chat its launch token binds. */
export const miniAppRouter = router({
  /** Who I am here (with my permission list) and the chat's request, if there is one. */
  session: miniAppProcedure
    .output(types.MiniAppSession)
    .query(({ ctx }) => miniAppSession(ctx, ctx.chat)),

  /** The chat's request's history before the view's `historyBefore`, a page at a time. */
  history: miniAppProcedure
    .input(types.HistoryPageInput)
    .output(types.HistoryPage)
    .query(({ ctx, input }) =>
      historyPage(ctx.db, ctx.actor, { telegramChatId: ctx.chat.chatId }, input, ctx.chat),
    ),

  /** Creates the chat's request on the first save, updates it after (optimistic on `version`). */
  save: miniAppProcedure
    .input(types.SaveChatRequestInput)
    .output(types.PaymentRequestView)
    .mutation(({ ctx, input }) => saveChatRequest(ctx, ctx.chat, input)),

  /** The agent's status menu; DRAFT → COLLECTING_OFFERS submits (in-house: sends to 1C). */
  setStatus: miniAppProcedure
    .input(types.SetChatStatusInput)
    .output(types.PaymentRequestView)
    .mutation(({ ctx, input }) => setChatRequestStatus(ctx, ctx.chat, input)),

  /** "Test payment sent" / "payment sent" for the client; further steps for the agent. */
  setPaymentStatus: miniAppProcedure
    .input(types.SetChatPaymentStatusInput)
    .output(types.PaymentRequestView)
    .mutation(({ ctx, input }) => setChatPaymentStatus(ctx, ctx.chat, input)),

  /** The agent asks 1C for a document (through the outbox); answers with the chat's document queue. */
  requestDocument: miniAppProcedure
    .input(types.RequestDocumentInput)
    .output(types.DocumentRequestList)
    .mutation(async ({ ctx, input }) =>
      requestDocumentGeneration(ctx, {
        requestId: await requireChatRequestId(ctx, ctx.chat),
        kind: input.kind,
      }),
    ),
});
