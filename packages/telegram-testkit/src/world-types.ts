import type { ChatMember, Message } from './bot-api-types';

/**
 * Shapes of the world as clients outside the server read it (the control API's answers), with
 * no code: the web stand-in's browser code imports them too.
 */

/** One chat in a person's chat list, as their Telegram client shows it. */
export interface UserChat {
  /** The id the person's client knows it by: the group's (negative), or the bot's (a private chat). */
  id: number;
  type: 'private' | 'group' | 'supergroup';
  /** The group's title, or the bot's name. */
  title: string;
  /** A private chat's bot username. */
  username?: string;
  /** The person's place in a group. */
  status?: ChatMember['status'];
  memberCount: number;
  lastMessage: Message | null;
}
