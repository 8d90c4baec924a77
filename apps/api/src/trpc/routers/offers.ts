import { acceptOffer, submitOffer, withdrawOffer } from '../../services/offers';
import { agentProcedure, authedProcedure, router } from '../trpc';
import {
  AcceptOfferInput,
  PaymentRequestView,
  SubmitOfferInput,
  WithdrawOfferInput,
} from './offers.types';

export const offersRouter = router({
  /** An agent's offer: pending in the standard market, accepted at once from a Telegram request's linked agent. */
  submit: agentProcedure
    .input(SubmitOfferInput)
    .output(PaymentRequestView)
    .mutation(({ ctx, input }) => submitOffer(ctx, input)),

  /** An agent takes back their own open offer before the deadline (standard pipeline). */
  withdraw: agentProcedure
    .input(WithdrawOfferInput)
    .output(PaymentRequestView)
    .mutation(({ ctx, input }) => withdrawOffer(ctx, input)),

  /**
   * The client chooses an offer (standard pipeline): a member of the company, or the bank's
   * agent who filed the request for it. Who may is the domain's `offer.accept`.
   */
  accept: authedProcedure
    .input(AcceptOfferInput)
    .output(PaymentRequestView)
    .mutation(({ ctx, input }) => acceptOffer(ctx, input)),
});
