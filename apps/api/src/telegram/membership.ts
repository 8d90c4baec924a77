import { z } from 'zod';

const ChatMemberAnswer = z.object({
  ok: z.boolean(),
  result: z.object({ status: z.string(), is_member: z.boolean().optional() }).optional(),
});

/** Asks Telegram whether a user is in a chat (Bot API `getChatMember`). */
export type MembershipCheck = (chatId: bigint, userId: number) => Promise<boolean>;

/**
 * The bot cannot hear about people who were in a group before it arrived and never wrote;
 * for them the api asks Telegram directly. Any failure answers "no": access is never
 * granted on a guess.
 */
export function telegramMembershipCheck(
  apiRoot: string,
  botToken: string,
  timeoutMs = 5000,
): MembershipCheck {
  return async (chatId, userId) => {
    try {
      const response = await fetch(`${apiRoot.replace(/\/$/, '')}/bot${botToken}/getChatMember`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: chatId.toString(), user_id: userId }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const answer = ChatMemberAnswer.safeParse(await response.json());
      if (!answer.success || !answer.data.ok || !answer.data.result) return false;
      const { status, is_member: isMember } = answer.data.result;
      return (
        status === 'creator' ||
        status === 'administrator' ||
        status === 'member' ||
        (status === 'restricted' && isMember === true)
      );
    } catch {
      return false;
    }
  };
}
