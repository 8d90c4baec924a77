export {
  CreateStandardRequestInput,
  ListRequestsInput,
  ListRequestsOutput,
  PaymentRequestView,
  RequestId,
  SetPaymentStatusInput,
  SetStatusInput,
  UpdateRequestInput,
  VersionedRequestInput,
} from '@payreq/contracts';
