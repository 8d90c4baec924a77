import { createHash, randomBytes } from 'node:crypto';

type Sequence = 'user' | 'bot' | 'group' | 'supergroup' | 'file' | 'mediaGroup' | 'callback';

/**
 * Realistic-looking identifiers. Numbers are deterministic per server instance (counters with
 * fixed gaps), strings that Telegram makes opaque (file ids, callback ids) are random.
 */
export class IdFactory {
  /** How many of each sequence have been handed out. */
  private readonly issued = new Map<Sequence, number>();

  /** The next number of a sequence: 1, 2, 3, ... */
  private next(sequence: Sequence): number {
    const count = (this.issued.get(sequence) ?? 0) + 1;
    this.issued.set(sequence, count);
    return count;
  }

  /** ~10-digit user ids, e.g. 6123450017. */
  nextUserId(): number {
    return 6_123_450_000 + this.next('user') * 17;
  }

  /** Bot ids look like user ids (the numeric prefix of the token). */
  nextBotId(): number {
    return 7_345_610_000 + this.next('bot') * 23;
  }

  /** Basic groups: negative 10-digit ids, e.g. -4081230031. */
  nextGroupId(): number {
    return -(4_081_230_000 + this.next('group') * 31);
  }

  /** Supergroups: -100 followed by 10 digits, e.g. -1002214560043. */
  nextSupergroupId(): number {
    return -(1_000_000_000_000 + 2_214_560_000 + this.next('supergroup') * 43);
  }

  /** File numbers start at 0. */
  nextFileNumber(): number {
    return this.next('file') - 1;
  }

  /** media_group_id: an 18-digit decimal string. */
  nextMediaGroupId(): string {
    return String(13_928_473_829_384_700n + BigInt(this.next('mediaGroup')) * 97n);
  }

  /** callback_query.id: a ~19-digit decimal string. */
  nextCallbackQueryId(): string {
    const random = BigInt(`0x${randomBytes(6).toString('hex')}`) % 1_000_000_000n;
    return String(2_632_145_100_000_000_000n + random * 1000n + BigInt(this.next('callback')));
  }
}

const FILE_ID_PREFIX: Record<FileKind, string> = {
  document: 'BQACAgIAAxkBAAI',
  photo: 'AgACAgIAAxkBAAI',
  voice: 'AwACAgIAAxkBAAI',
  video: 'BAACAgIAAxkBAAI',
};
const FILE_UNIQUE_PREFIX: Record<FileKind, string> = {
  document: 'AgAD',
  photo: 'AQAD',
  voice: 'AgAD',
  video: 'AgAD',
};

export type FileKind = 'document' | 'photo' | 'voice' | 'video';

/** file_id: opaque base64url, ~70 characters, type-dependent prefix like Telegram's. */
export function makeFileId(kind: FileKind): string {
  return FILE_ID_PREFIX[kind] + randomBytes(42).toString('base64url');
}

/** file_unique_id: short opaque base64url. */
export function makeFileUniqueId(kind: FileKind): string {
  return FILE_UNIQUE_PREFIX[kind] + randomBytes(8).toString('base64url').slice(0, 11);
}

/** A bot token in Telegram's format: `<bot id>:<35 characters>`. */
export function makeBotToken(botId: number): string {
  return `${botId}:AA${randomBytes(33).toString('base64url').slice(0, 33)}`;
}

/** chat_instance: a stable signed 64-bit decimal string per (chat, bot) pair. */
export function makeChatInstance(chatKey: string, botId: number): string {
  const digest = createHash('sha256').update(`${chatKey}|${botId}`).digest();
  return BigInt.asIntN(64, digest.readBigUInt64BE(0)).toString();
}
