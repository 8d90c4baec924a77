import type { Person } from './people';
import { DEAL_ROOM_TITLE } from './people';
import type { BotMessage, TelegramControl } from './telegram-control';
import { launchLinkOf, startParamOf } from './telegram-control';

export interface DealRoom {
  chatId: number;
  title: string;
  /** The launch token in the welcome's Mini App button (`startapp=`); null if none came. */
  startParam: string | null;
  /** That button's link (`https://t.me/<bot>/<app>?startapp=…`); null if none came. */
  launchLink: string | null;
  welcome: BotMessage | null;
}

/**
 * A manager opens a deal room as she would in Telegram: the people exist, she creates the
 * group with the client and adds the bot as an administrator; the bot's welcome (with the
 * Mini App button) is read back from the test server.
 */
export async function openDealRoom(
  control: TelegramControl,
  options: {
    botToken: string;
    agent: Person;
    members: Person[];
    others?: Person[];
    title?: string;
    /** How long to wait for the welcome; 0: do not wait (read it back later). */
    welcomeTimeoutMs?: number;
  },
): Promise<DealRoom> {
  // A test server with a data file may know them from an earlier run.
  const known = new Set((await control.users()).map((user) => user.id));
  for (const person of [options.agent, ...options.members, ...(options.others ?? [])])
    if (!known.has(person.id)) await control.createUser(person);
  const title = options.title ?? DEAL_ROOM_TITLE;
  const chatId = await control.createGroup(
    options.agent.id,
    title,
    options.members.map((member) => member.id),
  );
  await control.addBot(chatId, options.botToken, options.agent.id, true);
  // The update waits in the test server until the bot polls: no need to wait for the bot first.
  let messages: BotMessage[] = [];
  const waitMs = options.welcomeTimeoutMs ?? 60_000;
  try {
    messages = await control.botMessages(chatId, waitMs, waitMs > 0 ? 1 : 0);
  } catch {
    // no welcome in time: the caller says so
  }
  const welcome = messages.find((message) => startParamOf(message.replyMarkup)) ?? null;
  return {
    chatId,
    title,
    startParam: welcome ? startParamOf(welcome.replyMarkup) : null,
    launchLink: welcome ? launchLinkOf(welcome.replyMarkup) : null,
    welcome,
  };
}

/**
 * The deal room an earlier start opened, if nobody has touched it since: the agent's newest
 * group of that title whose last message is still the bot's welcome. Starting again opens that
 * one instead of one more identical group in everyone's chat list; a room someone wrote in, or
 * filled a request in (the bot posts about it), is left as it is and a new one is opened.
 */
export async function untouchedDealRoom(
  control: TelegramControl,
  options: { botToken: string; agent: Person; title?: string },
): Promise<DealRoom | null> {
  const title = options.title ?? DEAL_ROOM_TITLE;
  const botId = Number(options.botToken.split(':')[0]);
  const chats = await control.userChats(options.agent.id).catch(() => []);
  const candidate = chats.find(
    (chat) =>
      chat.type !== 'private' && chat.title === title && chat.lastMessage?.from?.id === botId,
  );
  if (!candidate) return null;
  const last = candidate.lastMessage?.message_id;
  const welcome = (await control.botMessages(candidate.id)).find(
    (message) => message.messageId === last && startParamOf(message.replyMarkup),
  );
  if (!welcome) return null;
  return {
    chatId: candidate.id,
    title,
    startParam: startParamOf(welcome.replyMarkup),
    launchLink: launchLinkOf(welcome.replyMarkup),
    welcome,
  };
}
