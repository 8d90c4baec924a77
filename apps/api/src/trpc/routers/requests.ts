import {
  changePaymentStatus,
  changeStatus,
  createStandardRequest,
  getRequestView,
  historyPage,
  listRequests,
  submitRequest,
  updateRequestFields,
} from '../../services/requests';
import { authedProcedure, callService, router } from '../trpc';
import * as types from './requests.types';

/** Every change of a request answers with the request as the caller now sees it. */
const requestChange = authedProcedure.output(types.PaymentRequestView);

/** Payment requests by id: the platform's own road (standard pipeline) and the agents' board. */
export const requestsRouter = router({
  /** A company's member, or the bank's agent for a client company (`companyId`). */
  create: requestChange
    .input(types.CreateStandardRequestInput)
    .mutation(callService(createStandardRequest)),

  get: authedProcedure
    .input(types.RequestId)
    .output(types.PaymentRequestView)
    .query(({ ctx, input }) => getRequestView(ctx.db, ctx.actor, input.requestId)),

  /** The history entries before a view's `historyBefore` (or a page's `before`), a page at a time. */
  history: authedProcedure
    .input(types.RequestHistoryInput)
    .output(types.HistoryPage)
    .query(({ ctx, input: { requestId, ...page } }) =>
      historyPage(ctx.db, ctx.actor, { id: requestId }, page),
    ),

  list: authedProcedure
    .input(types.ListRequestsInput)
    .output(types.ListRequestsOutput)
    .query(callService(listRequests)),

  update: requestChange.input(types.UpdateRequestInput).mutation(callService(updateRequestFields)),
  submit: requestChange.input(types.VersionedRequestInput).mutation(callService(submitRequest)),
  setStatus: requestChange.input(types.SetStatusInput).mutation(callService(changeStatus)),
  setPaymentStatus: requestChange
    .input(types.SetPaymentStatusInput)
    .mutation(callService(changePaymentStatus)),
});
