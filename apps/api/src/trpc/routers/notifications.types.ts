import { z } from 'zod';

export {
  ListNotificationsInput,
  ListNotificationsOutput,
  MarkNotificationsReadInput,
} from '@payreq/contracts';

export const MarkNotificationsReadOutput = z.object({ marked: z.number().int() });
