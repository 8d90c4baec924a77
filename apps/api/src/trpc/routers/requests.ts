import {
  changePaymentStatus,
  changeStatus,
  createStandardRequest,
  getRequestView,
  listRequests,
  submitRequest,
  updateRequestFields,
} from '../../services/requests';
import { authedProcedure, router } from '../trpc';
import {
  CreateStandardRequestInput,
  ListRequestsInput,
  ListRequestsOutput,
  PaymentRequestView,
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
