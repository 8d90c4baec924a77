import { z } from 'zod';

/**
 * What a caller may do. The server computes the list (domain layer) and enforces it in
 * every procedure; the Mini App renders from it and never from its own role checks.
 */
export const permissions = [
  'application.view',
  /** Every field, the people and the chat: the parties and the request's own tenant; others see a summary. */
  'application.viewDetails',
  'application.create',
  'application.edit',
  'application.submit',
  'application.setStatus',
  'application.cancel',
  'payment.markSent',
  'payment.setStatus',
  'offer.view',
  'offer.create',
  'offer.accept',
  'documents.view',
  'documents.generate',
  'history.view',
  'chat.import',
] as const;
export const Permission = z.enum(permissions);
export type Permission = z.infer<typeof Permission>;
