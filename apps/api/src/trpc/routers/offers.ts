import { acceptOffer, submitOffer } from '../../services/offers';
import { agentProcedure, router, userProcedure } from '../trpc';
import { AcceptOfferInput, PaymentRequestView, SubmitOfferInput } from './offers.types';

export const offersRouter = router({
  /** An agent's offer: pending in the standard market, accepted at once from a Telegram request's linked agent. */
  submit: agentProcedure
    .input(SubmitOfferInput)
    .output(PaymentRequestView)
    .mutation(({ ctx, input }) => submitOffer(ctx, input)),

  /** The client chooses an offer (standard pipeline). */
  accept: userProcedure
    .input(AcceptOfferInput)
    .output(PaymentRequestView)
    .mutation(({ ctx, input }) => acceptOffer(ctx, input)),
});
