export {
  MiniAppSession,
  PaymentRequestView,
  SaveChatRequestInput,
  SetChatPaymentStatusInput,
  SetChatStatusInput,
} from '@payreq/contracts';
