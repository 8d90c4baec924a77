import type { FieldName } from '@payreq/ui';

/**
 * Unsaved edits survive an accidental close: kept in localStorage per chat and user, with the
 * version they were made on, so a restored draft that has gone stale meets the conflict screen
 * instead of overwriting someone else's save.
 */
export interface StoredDraft {
  /** The request version the edits were made on; null before the request exists. */
  baseVersion: number | null;
  values: Partial<Record<FieldName, string>>;
  savedAt: string;
}

const prefix = 'payreq.draft.v1';

/** Per chat (or request, outside a chat) and per user. */
export function draftKey(scope: number | string, userId: number | string): string {
  return `${prefix}:${scope}:${userId}`;
}

export function loadDraft(key: string): StoredDraft | null {
  try {
    const raw = window.localStorage.getItem(key);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as StoredDraft;
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.values !== 'object')
      return null;
    return parsed;
  } catch {
    return null;
  }
}

export function storeDraft(key: string, draft: StoredDraft): void {
  try {
    window.localStorage.setItem(key, JSON.stringify(draft));
  } catch {
    // Storage full or disabled: the closing confirmation still guards the edits.
  }
}

export function clearDraft(key: string): void {
  try {
    window.localStorage.removeItem(key);
  } catch {
    // nothing to do
  }
}
