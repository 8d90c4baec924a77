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
import { authedProcedure, router } from '../trpc';
import {
  CreateStandardRequestInput,
  HistoryPage,
  ListRequestsInput,
  ListRequestsOutput,
  PaymentRequestView,
  RequestHistoryInput,
  RequestId,
  SetPaymentStatusInput,
  SetStatusInput,
  UpdateRequestInput,
  VersionedRequestInput,
} from './requests.types';

/** Payment requests by id: the platform's own road (standard pipeline) and the agents' board. */
export const requestsRouter = router({
  /** A company's member, or the bank's agent for a client company (`companyId`). */
  create: authedProcedure
    .input(CreateStandardRequestInput)
    .output(PaymentRequestView)
    .mutation(({ ctx, input }) => createStandardRequest(ctx, input)),

  get: authedProcedure
    .input(RequestId)
    .output(PaymentRequestView)
    .query(({ ctx, input }) => getRequestView(ctx.db, ctx.actor, input.requestId)),

  /** The history entries before a view's `historyBefore` (or a page's `before`), a page at a time. */
  history: authedProcedure
    .input(RequestHistoryInput)
    .output(HistoryPage)
    .query(({ ctx, input: { requestId, ...page } }) =>
      historyPage(ctx.db, ctx.actor, { id: requestId }, page),
    ),

  list: authedProcedure
    .input(ListRequestsInput)
    .output(ListRequestsOutput)
    .query(({ ctx, input }) => listRequests(ctx, input)),

  update: authedProcedure
    .input(UpdateRequestInput)
    .output(PaymentRequestView)
    .mutation(({ ctx, input }) => updateRequestFields(ctx, input)),

  submit: authedProcedure
    .input(VersionedRequestInput)
    .output(PaymentRequestView)
    .mutation(({ ctx, input }) => submitRequest(ctx, input)),

  setStatus: authedProcedure
    .input(SetStatusInput)
    .output(PaymentRequestView)
    .mutation(({ ctx, input }) => changeStatus(ctx, input)),

  setPaymentStatus: authedProcedure
    .input(SetPaymentStatusInput)
    .output(PaymentRequestView)
    .mutation(({ ctx, input }) => changePaymentStatus(ctx, input)),
});
