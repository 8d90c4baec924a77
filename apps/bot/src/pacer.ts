import Bottleneck from 'bottleneck';
import type { Telegram } from 'telegraf';

import { ShutdownError } from './retry';

/**
 * Keeps the bot's messages below Telegram's sending limits (about 20 a minute to one group,
 * about 30 a second overall), so a burst of announcements is spread out instead of meeting
 * 429s; a 429 that still comes is handled as before (the outbox waits its retry_after).
 *
 * Bottleneck does the scheduling: one limiter per chat (`Bottleneck.Group`, idle ones dropped)
 * chained to one overall limiter, each spacing its slots evenly (`minTime`). Even spacing
 * rather than a window refilled at once: any stretch of the window then holds at most `max`
 * sends, however Telegram measures it.
 */

export interface SendLimit {
  max: number;
  windowMs: number;
}

export interface SendLimits {
  perChat: SendLimit;
  overall: SendLimit;
}

/**
 * The gap between two sends that keeps `max` in any `windowMs`, 10 % wider: a send reaches
 * Telegram a little earlier or later than its slot (the network, a busy process), and over a
 * window those differences must not add up to one send too many.
 */
export function spacingMs(limit: SendLimit): number {
  return Math.ceil((limit.windowMs * 11) / (limit.max * 10));
}

export class SendPacer {
  private readonly overall: Bottleneck;
  private readonly perChat: Bottleneck.Group;

  constructor(readonly limits: SendLimits) {
    this.overall = new Bottleneck({ minTime: spacingMs(limits.overall) });
    this.perChat = new Bottleneck.Group({
      minTime: spacingMs(limits.perChat),
      // A chat's limiter is dropped once idle for this long: by then it holds no spacing.
      timeout: Math.max(60_000, 2 * limits.perChat.windowMs),
    });
    this.perChat.on('created', (limiter) => {
      limiter.chain(this.overall);
    });
  }

  /** Resolves when a message may go to `chatId` (the slot is taken); ShutdownError on abort. */
  async slot(chatId: number | string, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new ShutdownError();
    const granted = this.perChat.key(String(chatId)).schedule(() => Promise.resolve());
    if (!signal) return granted;
    let onAbort: (() => void) | undefined;
    try {
      await Promise.race([
        granted,
        new Promise<never>((_, reject) => {
          onAbort = () => reject(new ShutdownError());
          signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }
}

/** The Bot API methods that post a message: what Telegram's limits count. */
const PACED_METHODS = new Set([
  'sendMessage',
  'sendPhoto',
  'sendDocument',
  'sendVideo',
  'sendAudio',
  'sendVoice',
  'sendAnimation',
  'sendVideoNote',
  'sendSticker',
  'sendMediaGroup',
  'sendLocation',
  'sendVenue',
  'sendContact',
  'sendPoll',
  'sendDice',
  'copyMessage',
  'copyMessages',
  'forwardMessage',
  'forwardMessages',
]);

/**
 * Makes a telegraf client's sends wait for their slot (every part of the bot that posts uses
 * such a client). Its own methods (`sendMessage`, ...) all go through `callApi`.
 */
export function paced(telegram: Telegram, pacer: SendPacer): Telegram {
  const call = telegram.callApi.bind(telegram);
  telegram.callApi = (async (
    method: string,
    payload: unknown,
    options: { signal?: unknown } = {},
  ) => {
    const chatId = (payload as { chat_id?: number | string } | undefined)?.chat_id;
    if (PACED_METHODS.has(method) && chatId !== undefined)
      await pacer.slot(chatId, options.signal as AbortSignal | undefined);
    return call(method as never, payload as never, options as never);
  }) as Telegram['callApi'];
  return telegram;
}
