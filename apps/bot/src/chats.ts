import type { PlatformApi } from './api';
import type { Lang } from './texts';
import { langOf } from './texts';

export interface ChatInfo {
  registered: boolean;
  locale: Lang;
  agentName: string | null;
  /** Where the bot writes to the agent privately (if the agent has started the bot). */
  agentTelegramId: number | null;
  /** The bot joined with privacy mode off: it sees every message even without admin rights. */
  botReadsAll: boolean;
}

/**
 * Which chats are deal rooms (registered in the api), with their language, cached: every
 * group message asks, and the answer rarely changes. A "no" is kept briefly (another bot
 * instance may register the chat); a "yes" for longer (a deal room is never unregistered).
 */
export class ChatRegistry {
  private readonly cache = new Map<number, ChatInfo & { until: number }>();

  constructor(
    private readonly api: PlatformApi,
    private readonly options: {
      registeredTtlMs: number;
      unregisteredTtlMs: number;
      maxEntries: number;
    } = {
      registeredTtlMs: 10 * 60_000,
      unregisteredTtlMs: 15_000,
      maxEntries: 10_000,
    },
  ) {}

  /** Asks the api (retrying until it answers, or shutdown) unless the cache knows. */
  async get(chatId: number, signal: AbortSignal): Promise<ChatInfo> {
    const cached = this.cache.get(chatId);
    if (cached && cached.until > Date.now()) return cached;
    const summary = await this.api.call(
      'bot.chatSummary',
      () => this.api.trpc.bot.chatSummary.query({ chatId }),
      { signal, forever: true },
    );
    const info: ChatInfo = {
      registered: summary.registered,
      locale: langOf(summary.locale),
      agentName: summary.agentName,
      agentTelegramId: summary.agentTelegramId,
      botReadsAll: summary.botReadsAll,
    };
    this.remember(chatId, info);
    return info;
  }

  remember(chatId: number, info: ChatInfo): void {
    if (this.cache.size >= this.options.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.delete(chatId);
    this.cache.set(chatId, {
      ...info,
      until:
        Date.now() +
        (info.registered ? this.options.registeredTtlMs : this.options.unregisteredTtlMs),
    });
  }

  forget(chatId: number): void {
    this.cache.delete(chatId);
  }
}
