import { PaymentRequestView, Permission } from '@payreq/contracts';
import { z } from 'zod';

export { ListRequestsInput, ListRequestsOutput, RequestId } from '@payreq/contracts';

/** A standard request as its page shows it: the view and what the caller may do with it. */
export const StandardRequestOutput = z.object({
  request: PaymentRequestView,
  permissions: z.array(Permission),
});
