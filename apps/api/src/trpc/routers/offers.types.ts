export { AcceptOfferInput, PaymentRequestView, SubmitOfferInput } from '@payreq/contracts';
