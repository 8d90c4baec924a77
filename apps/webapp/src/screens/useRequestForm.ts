import type { Locale } from '@payreq/contracts';
import type { RequestView } from '../api';
import { useEffect, useState } from 'react';

import { clearDraft, loadDraft, storeDraft } from '../draft';
import type { FieldErrors, FieldName, FormValues } from '@payreq/ui';
import { changedFields, fieldNames, valuesOf } from '@payreq/ui';
import { setClosingConfirmation } from '../telegram';

/**
 * The form's state against the request it edits:
 * - `saved`: the request's values as last seen (what "changed" is measured against);
 * - `baseVersion`: the version the user's edits were made on, sent with the save, so a save
 *   on a version someone else has replaced is refused (VERSION_CONFLICT), never silently
 *   overwriting theirs;
 * - unsaved edits are kept in localStorage (per chat and user) and restored on reopen, and
 *   Telegram asks before closing while there are any.
 */
export interface FormState {
  requestId: string | null;
  seenVersion: number | null;
  baseVersion: number | null;
  saved: FormValues;
  values: FormValues;
  serverErrors: FieldErrors;
  restoredAt: string | null;
  /** The request changed on the server while the user had unsaved edits. */
  changedElsewhere: boolean;
}

function initialState(
  request: RequestView | null,
  draftKey: string | null,
  locale: Locale,
): FormState {
  const saved = valuesOf(request?.fields ?? null, locale);
  const state: FormState = {
    requestId: request?.id ?? null,
    seenVersion: request?.version ?? null,
    baseVersion: request?.version ?? null,
    saved,
    values: saved,
    serverErrors: {},
    restoredAt: null,
    changedElsewhere: false,
  };
  const draft = draftKey ? loadDraft(draftKey) : null;
  if (!draft) return state;
  const values = { ...saved };
  for (const name of fieldNames) {
    const value = draft.values[name];
    if (typeof value === 'string') values[name] = value;
  }
  if (changedFields(values, saved).length === 0) return state;
  return {
    ...state,
    values,
    baseVersion: draft.baseVersion,
    restoredAt: draft.savedAt,
    changedElsewhere: draft.baseVersion !== (request?.version ?? null),
  };
}

export function useRequestForm(
  request: RequestView | null,
  draftKey: string | null,
  locale: Locale,
) {
  const [state, setState] = useState<FormState>(() => initialState(request, draftKey, locale));

  // A newer version from the server (a refetch, someone else's save): take it when there is
  // nothing unsaved; otherwise keep the edits and their base version (the save will conflict).
  const incomingVersion = request?.version ?? null;
  if (request && (incomingVersion !== state.seenVersion || request.id !== state.requestId)) {
    const dirty = changedFields(state.values, state.saved).length > 0;
    const switched = state.requestId !== null && request.id !== state.requestId;
    if (!dirty || switched) {
      const saved = valuesOf(request.fields, locale);
      setState({
        ...state,
        requestId: request.id,
        seenVersion: request.version,
        baseVersion: request.version,
        saved,
        values: saved,
        serverErrors: {},
        restoredAt: null,
        changedElsewhere: false,
      });
    } else {
      // Keeps baseVersion: null here means "made before the request existed" (a conflict too).
      setState({
        ...state,
        requestId: request.id,
        seenVersion: request.version,
        changedElsewhere: true,
      });
    }
  }

  const changed = changedFields(state.values, state.saved);
  const dirty = changed.length > 0;

  useEffect(() => {
    if (!draftKey) return;
    if (!dirty) {
      clearDraft(draftKey);
      return;
    }
    const values: Partial<Record<FieldName, string>> = {};
    for (const name of changedFields(state.values, state.saved)) values[name] = state.values[name];
    storeDraft(draftKey, {
      baseVersion: state.baseVersion,
      values,
      savedAt: state.restoredAt ?? new Date().toISOString(),
    });
  }, [draftKey, dirty, state.values, state.saved, state.baseVersion, state.restoredAt]);

  useEffect(() => {
    setClosingConfirmation(dirty);
  }, [dirty]);
  useEffect(() => () => setClosingConfirmation(false), []);

  return { state, setState, changed, dirty };
}

/** The state after a successful save: the server's values, keeping what was typed meanwhile. */
export function afterSave(
  state: FormState,
  view: RequestView,
  submitted: FormValues,
  locale: Locale,
): FormState {
  const saved = valuesOf(view.fields, locale);
  const values = { ...saved };
  for (const name of fieldNames) {
    if (state.values[name] !== submitted[name]) values[name] = state.values[name];
  }
  return {
    ...state,
    requestId: view.id,
    seenVersion: view.version,
    baseVersion: view.version,
    saved,
    values,
    serverErrors: {},
    restoredAt: null,
    changedElsewhere: false,
  };
}

/** Rebases the form on a fresh version: theirs, optionally with my changes on top. */
export function rebase(
  state: FormState,
  fresh: RequestView,
  mine: Partial<Record<FieldName, string>> | null,
  locale: Locale,
): FormState {
  const saved = valuesOf(fresh.fields, locale);
  return {
    ...state,
    requestId: fresh.id,
    seenVersion: fresh.version,
    baseVersion: fresh.version,
    saved,
    values: { ...saved, ...mine },
    serverErrors: {},
    restoredAt: null,
    changedElsewhere: false,
  };
}
