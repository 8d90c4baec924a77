/**
 * Copies the parts of the machine-readable Bot API spec that the test server implements into
 * `spec/bot-api.subset.json` (plus the upstream LICENSE). Tests read only that copy.
 *
 * Usage: tsx scripts/extract-spec.ts [path/to/telegram-bot-api-dir]
 */
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { SpecEntry } from '../src/spec-check';

/** Upstream's whole file; the copy keeps its version and date and the entries below. */
interface Spec {
  version: string;
  release_date: string;
  changelog: string;
  methods: Record<string, SpecEntry>;
  types: Record<string, SpecEntry>;
}

export const COPIED_TYPES = [
  'Update',
  'WebhookInfo',
  'User',
  'Chat',
  'ChatFullInfo',
  'AcceptedGiftTypes',
  'ChatPermissions',
  'Message',
  'MessageEntity',
  'MaybeInaccessibleMessage',
  'InaccessibleMessage',
  'ReplyParameters',
  'LinkPreviewOptions',
  'PhotoSize',
  'Document',
  'Video',
  'Voice',
  'File',
  'WebAppInfo',
  'ReplyKeyboardMarkup',
  'KeyboardButton',
  'ReplyKeyboardRemove',
  'InlineKeyboardMarkup',
  'InlineKeyboardButton',
  'LoginUrl',
  'SwitchInlineQueryChosenChat',
  'CopyTextButton',
  'CallbackGame',
  'CallbackQuery',
  'ForceReply',
  'ChatInviteLink',
  'ChatMemberUpdated',
  'ChatMember',
  'ChatMemberOwner',
  'ChatMemberAdministrator',
  'ChatMemberMember',
  'ChatMemberRestricted',
  'ChatMemberLeft',
  'ChatMemberBanned',
  'BotCommand',
  'BotCommandScope',
  'BotCommandScopeDefault',
  'BotCommandScopeAllPrivateChats',
  'BotCommandScopeAllGroupChats',
  'BotCommandScopeAllChatAdministrators',
  'BotCommandScopeChat',
  'BotCommandScopeChatAdministrators',
  'BotCommandScopeChatMember',
  'ResponseParameters',
  'MessageOrigin',
  'MessageOriginUser',
  'MessageOriginHiddenUser',
  'MessageOriginChat',
  'MessageOriginChannel',
  'InputFile',
];

export const COPIED_METHODS = [
  'getUpdates',
  'setWebhook',
  'deleteWebhook',
  'getWebhookInfo',
  'getMe',
  'logOut',
  'close',
  'sendMessage',
  'sendPhoto',
  'sendDocument',
  'sendChatAction',
  'getFile',
  'leaveChat',
  'getChat',
  'getChatAdministrators',
  'getChatMemberCount',
  'getChatMember',
  'answerCallbackQuery',
  'setMyCommands',
  'deleteMyCommands',
  'getMyCommands',
  'editMessageText',
  'editMessageCaption',
  'editMessageReplyMarkup',
  'deleteMessage',
];

const here = fileURLToPath(new URL('.', import.meta.url));
const sourceDir = process.argv[2] ?? '/work/shared/data/telegram-bot-api';
const spec = JSON.parse(readFileSync(join(sourceDir, 'api.json'), 'utf8')) as Spec;

function pick(table: Record<string, SpecEntry>, names: string[]): Record<string, SpecEntry> {
  const out: Record<string, SpecEntry> = {};
  for (const name of names) {
    const entry = table[name];
    if (!entry) throw new Error(`${name} is not in the source spec`);
    out[name] = entry;
  }
  return out;
}

const subset = {
  source:
    'Subset of api.json from PaulSonOfLars/telegram-bot-api-spec (MIT, see LICENSE), ' +
    'scraped from https://core.telegram.org/bots/api. Copied by scripts/extract-spec.ts.',
  version: spec.version,
  release_date: spec.release_date,
  changelog: spec.changelog,
  methods: pick(spec.methods, COPIED_METHODS),
  types: pick(spec.types, COPIED_TYPES),
};

const specDir = join(here, '..', 'spec');
writeFileSync(join(specDir, 'bot-api.subset.json'), `${JSON.stringify(subset, null, 2)}\n`);
const licensePath = join(specDir, 'LICENSE');
try {
  chmodSync(licensePath, 0o644);
} catch {
  // first copy
}
copyFileSync(join(sourceDir, 'LICENSE'), licensePath);
chmodSync(licensePath, 0o644);
console.log(
  `wrote spec/bot-api.subset.json (${COPIED_METHODS.length} methods, ${COPIED_TYPES.length} types)`,
);
