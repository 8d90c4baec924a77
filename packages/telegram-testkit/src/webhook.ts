import type { Update } from './bot-api-types';
import { nowSeconds, type BotState, type WebhookState, type WorldState } from './state';

export interface WebhookDelivery {
  botId: number;
  updateId: number;
  url: string;
  at: Date;
  status?: number;
  error?: string;
  /** The method the webhook answered with in its response body (executed like Telegram does). */
  replyMethod?: string;
}

export interface WebhookOptions {
  /** First retry delay after a failed delivery; doubles up to maxRetryDelayMs. Default 250 ms. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** How long to wait for the webhook's response. Default 10 000 ms. */
  timeoutMs?: number;
}

type ReplyExecutor = (
  bot: BotState,
  method: string,
  params: Record<string, unknown>,
  files: FormData | undefined,
) => Promise<void>;

/**
 * Delivers a bot's updates to its webhook one at a time, in order: POST JSON with
 * `X-Telegram-Bot-Api-Secret-Token`, retried on non-2xx / network errors with backoff; the
 * update is confirmed on 2xx. A method call in the response body is executed (Telegram's
 * "reply to the webhook" feature used by telegraf's webhookReply).
 */
export class WebhookDispatcher {
  private readonly running = new Set<string>();
  private readonly controllers = new Set<AbortController>();
  private readonly sleepers = new Set<() => void>();
  private stopped = false;
  readonly deliveries: WebhookDelivery[] = [];

  constructor(
    private readonly state: WorldState,
    private readonly executeReply: ReplyExecutor,
    private readonly options: WebhookOptions = {},
  ) {}

  kick(bot: BotState): void {
    if (this.stopped || !bot.webhook || this.running.has(bot.token)) return;
    this.running.add(bot.token);
    void this.run(bot).finally(() => {
      this.running.delete(bot.token);
      if (!this.stopped && bot.webhook && bot.queue.length > 0) this.kick(bot);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const controller of this.controllers) controller.abort();
    for (const wake of this.sleepers) wake();
  }

  private async run(bot: BotState): Promise<void> {
    const baseDelay = this.options.retryDelayMs ?? 250;
    let delay = baseDelay;
    while (!this.stopped && bot.webhook && bot.queue.length > 0) {
      this.state.expire(bot);
      const update = bot.queue[0];
      const hook = bot.webhook;
      if (!update) break;
      const ok = await this.deliver(bot, hook, update);
      if (ok) {
        if (bot.queue[0] === update) {
          bot.queue.shift();
          bot.queuedAt.delete(update.update_id);
          this.state.events.emit('confirmed', bot);
        }
        delay = baseDelay;
      } else {
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.options.maxRetryDelayMs ?? 5000);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private async deliver(bot: BotState, hook: WebhookState, update: Update): Promise<boolean> {
    const controller = new AbortController();
    this.controllers.add(controller);
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs);
    const record: WebhookDelivery = {
      botId: bot.user.id,
      updateId: update.update_id,
      url: hook.url,
      at: new Date(),
    };
    this.deliveries.push(record);
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (hook.secretToken) headers['x-telegram-bot-api-secret-token'] = hook.secretToken;
      const response = await fetch(hook.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(update),
        signal: controller.signal,
      });
      record.status = response.status;
      if (response.status < 200 || response.status > 299) {
        await response.arrayBuffer().catch(() => undefined);
        hook.lastErrorDate = nowSeconds();
        hook.lastErrorMessage = `Wrong response from the webhook: ${response.status} ${response.statusText}`;
        return false;
      }
      await this.handleReply(bot, response, record);
      return true;
    } catch (error) {
      const timedOut = controller.signal.aborted && !this.stopped;
      hook.lastErrorDate = nowSeconds();
      hook.lastErrorMessage = timedOut ? 'Read timeout expired' : 'Connection refused';
      record.error = error instanceof Error ? error.message : String(error);
      return false;
    } finally {
      clearTimeout(timer);
      this.controllers.delete(controller);
    }
  }

  private async handleReply(
    bot: BotState,
    response: Response,
    record: WebhookDelivery,
  ): Promise<void> {
    const type = (response.headers.get('content-type') ?? '').toLowerCase();
    let fields: Record<string, unknown> | undefined;
    let form: FormData | undefined;
    try {
      if (type.includes('application/json')) {
        const text = await response.text();
        if (text.trim() !== '') {
          const parsed = JSON.parse(text) as unknown;
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
            fields = parsed as Record<string, unknown>;
        }
      } else if (
        type.includes('multipart/form-data') ||
        type.includes('application/x-www-form-urlencoded')
      ) {
        form = await response.formData();
        fields = {};
        for (const [key, value] of form) if (typeof value === 'string') fields[key] = value;
      } else {
        await response.arrayBuffer();
      }
    } catch {
      return;
    }
    const method = fields?.method;
    if (typeof method !== 'string' || !fields) return;
    const { method: _method, ...params } = fields;
    record.replyMethod = method;
    await this.executeReply(bot, method, params, form);
  }
}
