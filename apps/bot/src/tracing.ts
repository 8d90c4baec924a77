import { inTrace } from '@payreq/telemetry';

/**
 * The bot's part of the trace (see @payreq/telemetry): each outbox message is delivered in the
 * trace of the change that wrote it, so its calls to the api (fetch carries the traceparent)
 * and its log lines belong to the Mini App's call that caused it.
 */
export function inDeliveryTrace<T>(
  message: { id: string; kind: string; attempts: number; traceparent?: string | null },
  deliver: () => Promise<T>,
): Promise<T> {
  return inTrace(
    message.traceparent,
    `deliver ${message.kind}`,
    {
      'payreq.outbox.id': message.id,
      'payreq.outbox.target': 'TELEGRAM',
      'payreq.outbox.attempt': message.attempts,
    },
    deliver,
  );
}
