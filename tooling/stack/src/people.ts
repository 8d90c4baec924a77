/**
 * Development credentials shared by the local parts, and the people of the demo deal room.
 * Production sets its own credentials; none of these values is a secret.
 */
export const DEV_BOT_TOKEN = '1000000001:development-only-bot-token-xxxxxxxx';
export const DEV_BOT_USERNAME = 'payreq_deal_bot';
/** The name the bank's bot goes by in the stand-in's chats (BotFather's /setname). */
export const DEV_BOT_NAME = 'Сделки банка';
export const DEV_MINI_APP = 'app';
export const DEV_SERVICE_TOKEN = 'development-only-bot-service-token';
export const DEV_ONEC_KEY = 'development-only-onec-api-key';
/** The 1C emulator's Basic credentials (its defaults). */
export const DEV_ONEC_USER = { username: 'payreq', password: 'payreq' };

export interface Person {
  id: number;
  first_name: string;
  last_name: string;
  username: string;
  language_code: string;
}

export const people = {
  /** A bank manager on the agents' whitelist: she opens deal rooms. */
  anna: {
    id: 7000000001,
    first_name: 'Анна',
    last_name: 'Смирнова',
    username: 'anna_bank',
    language_code: 'ru',
  },
  /** Another whitelisted manager: sees in-house requests on the board, read-only. */
  boris: {
    id: 7000000002,
    first_name: 'Борис',
    last_name: 'Орлов',
    username: 'boris_bank',
    language_code: 'ru',
  },
  /** The client: ООО «Ромашка» pays a supplier in China. */
  ivan: {
    id: 5000000001,
    first_name: 'Иван',
    last_name: 'Петров',
    username: 'ivan_romashka',
    language_code: 'ru',
  },
} satisfies Record<string, Person>;

export const fullName = (person: Person) => `${person.first_name} ${person.last_name}`;

/** `SEED_AGENTS` for the api: the whitelist of the demo's agents; Анна administers the portal. */
export const seedAgents = [
  `${fullName(people.anna)}:${people.anna.id}:admin`,
  `${fullName(people.boris)}:${people.boris.id}`,
].join(',');

export const DEAL_ROOM_TITLE = 'Сделка: ООО «Ромашка» — платёж в Китай';
