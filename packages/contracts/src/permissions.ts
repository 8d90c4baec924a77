import { z } from 'zod';

/**
 * What a caller may do. The server computes the list (domain layer) and enforces it in
 * every procedure; the Mini App renders from it and never from its own role checks.
 */
export const permissions = [
  'application.view',
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
