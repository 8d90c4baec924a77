export type { AppRouter } from './trpc/router';
export { appRouter } from './trpc/router';
export { buildServer } from './server';
export { issuePlatformToken, verifyPlatformToken } from './auth/platform-token';
export { expireOverdueRequests } from './jobs/expire-deadlines';
export { sendDeadlineReminders } from './jobs/deadline-reminders';
export {
  claimOutboxBatch,
  completeOutbox,
  failOutbox,
  requeueDead,
  listDeadOutbox,
  OutboxWorker,
  OutboxHandlerRegistry,
  OutboxDeliveryError,
} from './outbox';
export type { ClaimedOutboxMessage, OutboxHandler } from './outbox';
export { requestDocumentGeneration } from './services/documents';
export { enqueueOutbox } from './services/outbox';
