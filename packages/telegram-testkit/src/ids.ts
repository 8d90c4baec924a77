import { createHash, randomBytes } from 'node:crypto';

/**
 * Realistic-looking identifiers. Numbers are deterministic per server instance (counters with
 * fixed gaps), strings that Telegram makes opaque (file ids, callback ids) are random.
 */
export class IdFactory {
  private userSeq = 0;
  private botSeq = 0;
  private groupSeq = 0;
  private supergroupSeq = 0;
  private fileSeq = 0;
  private mediaGroupSeq = 0;
  private callbackSeq = 0;

  /** ~10-digit user ids, e.g. 6123450017. */
  nextUserId(): number {
    this.userSeq += 1;
    return 6_123_450_000 + this.userSeq * 17;
  }

  /** Bot ids look like user ids (the numeric prefix of the token). */
  nextBotId(): number {
    this.botSeq += 1;
    return 7_345_610_000 + this.botSeq * 23;
  }

  /** Basic groups: negative 10-digit ids, e.g. -4081230031. */
  nextGroupId(): number {
    this.groupSeq += 1;
    return -(4_081_230_000 + this.groupSeq * 31);
  }

  /** Supergroups: -100 followed by 10 digits, e.g. -1002214560043. */
  nextSupergroupId(): number {
    this.supergroupSeq += 1;
    return -(1_000_000_000_000 + 2_214_560_000 + this.supergroupSeq * 43);
  }

  nextFileNumber(): number {
    const n = this.fileSeq;
    this.fileSeq += 1;
    return n;
  }

  /** media_group_id: an 18-digit decimal string. */
  nextMediaGroupId(): string {
    this.mediaGroupSeq += 1;
    return String(13_928_473_829_384_700n + BigInt(this.mediaGroupSeq) * 97n);
  }

  /** callback_query.id: a ~19-digit decimal string. */
  nextCallbackQueryId(): string {
    this.callbackSeq += 1;
    const random = BigInt(`0x${randomBytes(6).toString('hex')}`) % 1_000_000_000n;
    return String(2_632_145_100_000_000_000n + random * 1000n + BigInt(this.callbackSeq));
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
