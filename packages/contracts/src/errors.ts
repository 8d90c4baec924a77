import { z } from 'zod';

/** Stable error codes every boundary answers with (tRPC `data.appCode`, REST `error.code`). */
export const ErrorCode = z.enum([
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'VERSION_CONFLICT',
  /** 1C posted an offer or a status computed on fields that have changed since. */
  'STALE_VERSION',
  'TRANSITION_NOT_ALLOWED',
  'READ_ONLY',
  'INCOMPLETE_REQUEST',
  'ALREADY_EXISTS',
  'IDEMPOTENCY_MISMATCH',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    /** With VERSION_CONFLICT and STALE_VERSION: the request's version now. */
    currentVersion: z.number().int().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
