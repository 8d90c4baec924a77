import type { Db } from '../db';

/**
 * Someone wrote /start to the bot in private: from now on it may write to them there (Telegram
 * lets a bot message a person only after they have started it). Starting again after a block
 * opens the chat again.
 */
export async function recordPrivateChat(db: Db, telegramId: number, now: Date): Promise<void> {
  const telegramUserId = BigInt(telegramId);
  await db.botPrivateChat.upsert({
    where: { telegramUserId },
    create: { telegramUserId, startedAt: now },
    update: { startedAt: now, blockedAt: null },
  });
}

/**
 * The person blocked the bot: nothing more is sent to them in private (deadline reminders skip
 * them) until they start it again. A repeated report keeps the first time.
 */
export async function recordPrivateChatBlocked(
  db: Db,
  telegramId: number,
  now: Date,
): Promise<void> {
  await db.botPrivateChat.updateMany({
    where: { telegramUserId: BigInt(telegramId), blockedAt: null },
    data: { blockedAt: now },
  });
}
