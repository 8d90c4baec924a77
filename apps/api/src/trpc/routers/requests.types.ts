export {
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
} from '@payreq/contracts';
