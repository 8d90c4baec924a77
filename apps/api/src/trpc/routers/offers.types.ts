export {
  AcceptOfferInput,
  PaymentRequestView,
  SubmitOfferInput,
  WithdrawOfferInput,
} from '@payreq/contracts';
