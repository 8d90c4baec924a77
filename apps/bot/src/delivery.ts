import type { ClaimedTelegramMessage, DeliveryFailureReason } from '@payreq/contracts';
import { announcementText, createFormatter, documentCaption } from '@payreq/i18n';
import type { Telegram } from 'telegraf';

import type { PlatformApi } from './api';
import { apiStatusOf, isTransientApiError } from './api';
import type { Logger } from './logger';
import type { SentRecord } from './journal';
import type { TgMessage } from './messages';
import { postedRow } from './mirror';
import type { BotObserver } from './ops';
import { retrying } from './retry';
import { classifyTelegramError } from './telegram';
import { inDeliveryTrace } from './tracing';

/** A claimed message as the api hands it out: the contract's message and the card to word it. */
export type ClaimedOutboxMessage = ClaimedTelegramMessage;

/** A message that can never be delivered as it is (unknown kind, bad payload, request gone). */
class Undeliverable extends Error {
  override readonly name = 'Undeliverable';
}

interface Prepared {
  chatId: number;
  /** Posts the message; resolves with Telegram's message. */
  send(chatId: number): Promise<TgMessage>;
}

export interface DeliveryOptions {
  workerId: string;
  pollMs: number;
  leaseMs: number;
  batchSize: number;
  sendTimeoutMs: number;
}

export interface DeliveryDeps {
  api: PlatformApi;
  /** A client without keep-alive (see telegram.ts). */
  telegram: Telegram;
  logger: Logger;
  /** A send found the group had become a supergroup: record it in the api. */
  onMigrated(fromChatId: number, toChatId: number): Promise<void>;
  /** Told each delivery's outcome and each send's answer (for /healthz and /metrics). */
  observer?: BotObserver;
  /**
   * What was posted and not yet reported (the update journal, on disk): a message posted before
   * a crash is reported when it is claimed again, not posted again.
   */
  sent?: SentLedger;
}

/** Posted outbox messages the api has not heard of yet (`UpdateJournal` keeps them). */
export interface SentLedger {
  sentBefore(outboxId: string): SentRecord | null;
  recordSent(outboxId: string, record: SentRecord): Promise<void>;
  forgetSent(outboxId: string): Promise<void>;
}

export type DeliveryOutcome = 'delivered' | 'retry' | 'dead' | 'unknown';

/**
 * Delivers the api's TELEGRAM outbox: claims due messages (a lease; at most one per chat, in
 * the order they were written), renders each in the chat's language and posts it.
 *
 * - A posted message is completed at once, before anything else is done. It is first noted on
 *   local disk (`SentLedger`), so one posted just before a crash is completed when it is
 *   claimed again, not posted again.
 * - Only a definite refusal is retried: 429 (the outbox waits Telegram's `retry_after`), 5xx
 *   and a connection never made. An answer lost on the way (reset, timeout) may mean the
 *   message is in the chat already, so it is not retried: the row is parked as DEAD with the
 *   reason (the outbox's dead letters; requeue after checking the chat). Other 4xx (kicked
 *   from the chat, ...) are final too; a 403 in a private chat also tells the api that the
 *   person has closed it (blocked the bot), so it stops writing there.
 * - A group upgraded to a supergroup answers 400 with migrate_to_chat_id: the message goes to
 *   the new id at once (nothing was posted) and the api learns of the move.
 */
export class DeliveryLoop {
  private stopping = false;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private claimFailures = 0;

  constructor(
    private readonly deps: DeliveryDeps,
    private readonly options: DeliveryOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.run();
  }

  /** Stops after the delivery in flight; claimed messages not started yet are released. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = null;
  }

  /** Runs one claim-and-deliver round now (also what the loop does every DELIVERY_POLL_MS). */
  poke(): void {
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let claimed = 0;
      try {
        claimed = await this.tick();
      } catch (error) {
        this.deps.logger.error({ err: error }, 'delivery round failed');
      }
      this.deps.observer?.deliveryRound();
      if (this.stopping) break;
      if (claimed < this.options.batchSize) await this.idle(this.options.pollMs);
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  /** One round: claim a batch and deliver it. Returns how many were claimed. */
  async tick(): Promise<number> {
    let messages: ClaimedOutboxMessage[];
    try {
      const result = await this.deps.api.trpc.botOutbox.claim.mutate({
        limit: this.options.batchSize,
        leaseMs: this.options.leaseMs,
        workerId: this.options.workerId,
      });
      messages = result.messages;
      this.claimFailures = 0;
    } catch (error) {
      this.claimFailures += 1;
      // The api restarting is normal; said loudly only when it lasts.
      const loud =
        !isTransientApiError(error) || this.claimFailures === 10 || this.claimFailures % 300 === 0;
      (loud ? this.deps.logger.warn : this.deps.logger.debug).call(
        this.deps.logger,
        { err: error, failures: this.claimFailures },
        'could not claim outbox messages',
      );
      return 0;
    }
    for (let index = 0; index < messages.length; index += 1) {
      const message = messages[index]!;
      if (this.stopping) {
        await this.release(messages.slice(index));
        break;
      }
      const outcome = await inDeliveryTrace({ ...message, kind: message.message.kind }, () =>
        this.deliver(message),
      );
      this.deps.observer?.deliveryOutcome(message.message.kind, outcome);
    }
    return messages.length;
  }

  async deliver(message: ClaimedOutboxMessage): Promise<DeliveryOutcome> {
    const log = this.deps.logger.child({
      outboxId: message.id,
      kind: message.message.kind,
      attempts: message.attempts,
    });
    const postedBefore = this.deps.sent?.sentBefore(message.id);
    if (postedBefore) {
      log.info(
        { telegramMessageId: postedBefore.telegramMessageId, chatId: postedBefore.chatId },
        'posted before a restart; reporting it, not posting it again',
      );
      await this.complete(message, postedBefore, log);
      return 'delivered';
    }
    let prepared: Prepared;
    try {
      prepared = await this.prepare(message);
    } catch (error) {
      const final = error instanceof Undeliverable;
      log.warn(
        { err: error },
        final ? 'outbox message cannot be delivered' : 'could not prepare an outbox message',
      );
      return this.fail(
        message,
        { error: describe(error), retryable: !final, reason: final ? 'gone' : 'internal' },
        log,
      );
    }

    let chatId = prepared.chatId;
    for (let hop = 0; hop < 3; hop += 1) {
      let sent: TgMessage;
      try {
        sent = await prepared.send(chatId);
        this.deps.observer?.telegramAnswered();
      } catch (error) {
        const failure = classifyTelegramError(error);
        // Refusals (4xx, 429) are answers; no answer, or a 5xx, is Telegram failing.
        if (['notSent', 'serverError', 'unknown'].includes(failure.kind))
          this.deps.observer?.telegramFailed(error);
        else this.deps.observer?.telegramAnswered();
        switch (failure.kind) {
          case 'migrated':
            log.info(
              { chatId, toChatId: failure.toChatId },
              'the group became a supergroup; sending there',
            );
            await this.deps
              .onMigrated(chatId, failure.toChatId)
              .catch((err: unknown) => log.warn({ err }, 'could not record the migration'));
            chatId = failure.toChatId;
            continue;
          case 'rateLimited':
            log.info({ retryAfterMs: failure.retryAfterMs }, 'Telegram asked to slow down');
            return this.fail(
              message,
              {
                error: `429: ${failure.description}`,
                retryable: true,
                retryAfterMs: failure.retryAfterMs,
                reason: 'rateLimited',
                status: 429,
              },
              log,
            );
          case 'serverError':
          case 'notSent':
            log.info(
              { failure: failure.kind, description: failure.description },
              'Telegram did not take the message; will retry',
            );
            return this.fail(
              message,
              failure.kind === 'serverError'
                ? {
                    error: failure.description,
                    retryable: true,
                    reason: 'unavailable',
                    status: failure.status,
                  }
                : { error: failure.description, retryable: true, reason: 'unreachable' },
              log,
            );
          case 'refused':
            log.warn(
              { status: failure.status, description: failure.description },
              'Telegram refused the message',
            );
            // 403 in a private chat (blocked, deactivated, never started): the api stops writing
            // there, even when the bot missed the my_chat_member update that said so.
            if (failure.status === 403 && chatId > 0) await this.privateChatClosed(chatId, log);
            return this.fail(
              message,
              {
                error: `${failure.status}: ${failure.description}`,
                retryable: false,
                reason: failure.status === 403 ? 'forbidden' : 'refused',
                status: failure.status,
              },
              log,
            );
          case 'unknown':
            log.error(
              { description: failure.description, chatId },
              'the outcome of a send is unknown (the answer was lost): not retried so that it is not posted twice; check the chat and requeue the dead message if it is missing',
            );
            await this.fail(
              message,
              {
                error: `outcome unknown (answer lost: ${failure.description}); check the chat before requeueing`,
                retryable: false,
                reason: 'outcomeUnknown',
              },
              log,
            );
            return 'unknown';
        }
      }
      // Posted in a group: the message joins the deal room's archive with the report.
      const row = postedRow(sent);
      const result: SentRecord = {
        telegramMessageId: sent.message_id,
        chatId,
        ...(row ? { message: row } : {}),
      };
      await this.deps.sent
        ?.recordSent(message.id, result)
        .catch((err: unknown) => log.warn({ err }, 'could not note a posted message on disk'));
      await this.complete(message, result, log);
      return 'delivered';
    }
    return this.fail(
      message,
      { error: 'the chat kept moving (migrations)', retryable: true, reason: 'internal' },
      log,
    );
  }

  private async prepare(claimed: ClaimedOutboxMessage): Promise<Prepared> {
    const { api } = this.deps;
    const { message, card } = claimed;
    if (!card) throw new Undeliverable(`request ${message.payload.requestId} no longer exists`);
    // The chat the request lives in now (after a group became a supergroup, its new id).
    const chatId = card.chatId ?? message.payload.chatId;
    const format = createFormatter(card.locale);
    // The send to a chat id: each attempt (a migrated chat is tried again at its new id) has a
    // timeout of its own.
    const post = (method: 'sendMessage' | 'sendDocument', params: object) => (to: number) =>
      this.deps.telegram.callApi(method, { chat_id: to, ...params } as never, {
        signal: AbortSignal.timeout(this.options.sendTimeoutMs) as never,
      }) as Promise<TgMessage>;
    if (message.kind !== 'telegram.document') {
      const body = announcementText(message, card, format);
      // A chat file added to the request is answered where it was sent (if that message is gone,
      // the words stand alone).
      const replyTo =
        message.kind === 'telegram.chatFileAdded' && message.payload.replyTo
          ? { message_id: message.payload.replyTo, allow_sending_without_reply: true }
          : undefined;
      return {
        chatId,
        send: post('sendMessage', {
          text: body,
          link_preview_options: { is_disabled: true },
          ...(replyTo ? { reply_parameters: replyTo } : {}),
        }),
      };
    }
    let document;
    try {
      document = await api.call(
        'GET /bot/v1/documents',
        () => api.fetchDocument(message.payload.documentId),
        { maxAttempts: 3 },
      );
    } catch (error) {
      if (apiStatusOf(error) === 404 || apiStatusOf(error) === 400)
        throw new Undeliverable(`document ${message.payload.documentId}: ${describe(error)}`);
      throw error;
    }
    const caption = documentCaption(card, format);
    return {
      chatId,
      send: post('sendDocument', {
        document: { source: document.bytes, filename: document.fileName },
        caption,
      }),
    };
  }

  /** Reports a delivery; retried for a while, because an unreported delivery would be sent again. */
  private async complete(
    message: ClaimedOutboxMessage,
    result: SentRecord,
    log: Logger,
  ): Promise<void> {
    try {
      const { completed } = await retrying(
        () =>
          this.deps.api.trpc.botOutbox.complete.mutate({
            id: message.id,
            workerId: this.options.workerId,
            telegramMessageId: result.telegramMessageId,
            chatId: result.chatId,
            ...(result.message ? { message: result.message } : {}),
          }),
        {
          isTransient: isTransientApiError,
          maxAttempts: 12,
          baseMs: 250,
          maxMs: 5_000,
          onRetry: (err, attempt) =>
            log.warn({ err, attempt }, 'could not report a delivery; retrying'),
        },
      );
      // Answered: the api knows of it either way (delivered, or another worker's lease now).
      await this.deps.sent
        ?.forgetSent(message.id)
        .catch((err: unknown) => log.warn({ err }, 'could not forget a reported message'));
      if (completed)
        log.info(
          { chatId: result.chatId, telegramMessageId: result.telegramMessageId },
          'delivered',
        );
      else
        log.error(
          { chatId: result.chatId },
          'delivered, but the lease had expired: the message may be delivered again',
        );
    } catch (error) {
      log.error(
        { err: error },
        'delivered, but could not report it: the message may be delivered again',
      );
    }
  }

  /** Tells the api the person's private chat is closed to the bot; a failure is only logged. */
  private async privateChatClosed(telegramId: number, log: Logger): Promise<void> {
    try {
      await this.deps.api.call('bot.privateChatBlocked', () =>
        this.deps.api.trpc.bot.privateChatBlocked.mutate({ telegramId }),
      );
    } catch (error) {
      log.warn({ err: error }, 'could not record a private chat closed to the bot');
    }
  }

  private async fail(
    message: ClaimedOutboxMessage,
    failure: {
      error: string;
      retryable: boolean;
      retryAfterMs?: number;
      reason: DeliveryFailureReason;
      status?: number;
    },
    log: Logger,
  ): Promise<DeliveryOutcome> {
    try {
      const outcome = await this.deps.api.call(
        'botOutbox.fail',
        () =>
          this.deps.api.trpc.botOutbox.fail.mutate({
            id: message.id,
            workerId: this.options.workerId,
            error: failure.error.slice(0, 2_000) || 'failed',
            retryable: failure.retryable,
            reason: failure.reason,
            ...(failure.status !== undefined ? { status: failure.status } : {}),
            ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
          }),
        { maxAttempts: 4 },
      );
      if (outcome.state === 'DEAD')
        log.warn({ error: failure.error }, 'outbox message parked as DEAD');
      return outcome.state === 'DEAD' ? 'dead' : 'retry';
    } catch (error) {
      // The lease runs out and the message is claimed again.
      log.warn({ err: error }, 'could not report a failed delivery');
      return failure.retryable ? 'retry' : 'dead';
    }
  }

  private async release(messages: ClaimedOutboxMessage[]): Promise<void> {
    for (const message of messages) {
      await this.deps.api.trpc.botOutbox.fail
        .mutate({
          id: message.id,
          workerId: this.options.workerId,
          error: 'released: the bot is stopping',
          retryable: true,
          retryAfterMs: 0,
        })
        .catch(() => undefined);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
