import { acceptOffer, submitOffer, withdrawOffer } from '../../services/offers';
import { agentProcedure, authedProcedure, callService, router } from '../trpc';
import * as types from './offers.types';

/** An agent's move on the market: it answers with the request as the agent now sees it. */
const agentMove = agentProcedure.output(types.PaymentRequestView);

export const offersRouter = router({
  /** An agent's offer: pending in the standard market, accepted at once from a Telegram request's linked agent. */
  submit: agentMove.input(types.SubmitOfferInput).mutation(callService(submitOffer)),

  /** An agent takes back their own open offer before the deadline (standard pipeline). */
  withdraw: agentMove.input(types.WithdrawOfferInput).mutation(callService(withdrawOffer)),

  /**
   * The client chooses an offer (standard pipeline): a member of the company, or the bank's
   * agent who filed the request for it. Who may is the domain's `offer.accept`.
   */
  accept: authedProcedure
    .input(types.AcceptOfferInput)
    .output(types.PaymentRequestView)
    .mutation(callService(acceptOffer)),
});
