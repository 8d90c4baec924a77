import { DocumentRequestView } from '@payreq/contracts';
import { z } from 'zod';

export {
  HistoryPage,
  HistoryPageInput,
  MiniAppSession,
  PaymentRequestView,
  RequestDocumentInput,
  SaveChatRequestInput,
  SetChatPaymentStatusInput,
  SetChatStatusInput,
} from '@payreq/contracts';

export const DocumentRequestList = z.array(DocumentRequestView);
