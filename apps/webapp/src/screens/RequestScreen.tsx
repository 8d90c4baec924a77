import type {
  DocumentKind,
  PaymentRequestPatchInput,
  PaymentStatus,
  Permission,
  RequestStatus,
} from '@payreq/contracts';
import { opensInPlace } from '@payreq/contracts';
import { useMutation } from '@tanstack/react-query';
import { Suspense, lazy, useCallback, useEffect, useRef, useState } from 'react';

import type { Failure, HistoryPage, ImportResult, RequestView } from '../api';
import { failureOf } from '../api';
import {
  Banner,
  DocumentList,
  DocumentKindSelect,
  DocumentsSection,
  FileButton,
  Form,
  RequestFormFields,
  Section,
  StatusSection,
  changedFields,
  fieldErrorsOf,
  loadFormValidation,
  missingRequired,
  readOnlyText,
  requiredFields,
  useFormValidation,
} from '@payreq/ui';
import type { FieldName, FormValues, I18n } from '@payreq/ui';
import { confirmAction, haptic, setBackButton, setMainButton } from '../telegram';
import type { Conflict } from './ConflictPanel';
import { HistorySection, OfferSection, PaymentSection, RequestHeader } from './sections';
import { afterSave, rebase, useRequestForm } from './useRequestForm';

const loadConflictPanel = () => import('./ConflictPanel');
const ConflictPanel = lazy(loadConflictPanel);

/** What the screen can do with its request; absent actions hide their controls. */
export interface RequestActions {
  save(input: { version?: number; fields: PaymentRequestPatchInput }): Promise<RequestView>;
  /** A fresh read of the request (after a conflict). */
  fresh(): Promise<RequestView | null>;
  /** After any change: refresh what surrounds the screen (permissions follow the status). */
  changed(view: RequestView | null): void;
  setStatus?(status: RequestStatus, version: number): Promise<RequestView>;
  setPaymentStatus?(status: PaymentStatus): Promise<RequestView>;
  requestDocument?(kind: DocumentKind): Promise<void>;
  uploadAttachment?(file: File, kind: DocumentKind): Promise<void>;
  importChat?(file: File): Promise<ImportResult>;
  openDocument?(documentId: string): Promise<Blob>;
  /** The history entries before a cursor (the view carries only the latest ones). */
  olderHistory?(before: string): Promise<HistoryPage>;
}

interface Props {
  i18n: I18n;
  request: RequestView | null;
  permissions: readonly Permission[];
  draftKey: string | null;
  actions: RequestActions;
  chatTitle?: string | null;
  onBack?: () => void;
}

/** One of the screen's actions as the mutation runs it (see `perform`). */
interface Action {
  key: string;
  run: () => Promise<void>;
  /** Answers a failure itself instead of the usual message. */
  onFailure?: (failure: Failure) => Promise<void> | void;
}

type Notice = { tone: 'success' | 'error' | 'info'; text: string; at?: string } | null;

export function RequestScreen(props: Props) {
  const { i18n, request, permissions, actions } = props;
  const locale = i18n.locale;
  const { state, setState, changed, dirty } = useRequestForm(request, props.draftKey, locale);
  // A conflict can only follow a save of edits: fetch its panel once there are any, so it is
  // at hand before the save that needs it returns.
  useEffect(() => {
    if (dirty) void loadConflictPanel();
  }, [dirty]);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [opening, setOpening] = useState<string | null>(null);
  const [attachKind, setAttachKind] = useState<DocumentKind>('INVOICE');

  useEffect(() => {
    if (notice?.tone !== 'success') return;
    const timer = setTimeout(() => setNotice(null), 3_000);
    return () => clearTimeout(timer);
  }, [notice]);

  const has = (permission: Permission) => permissions.includes(permission);
  const canEdit = has('application.edit') || (!request && has('application.create'));

  // Errors as the user types: the changed fields against the shared schemas, plus what the
  // api said about a field until it is edited again. The schemas load beside the first screen.
  const validation = useFormValidation();
  const liveErrors = validation ? validation.validateAll(state.values, changed, locale) : {};
  const errorOf = (name: FieldName) => liveErrors[name] ?? state.serverErrors[name] ?? null;
  const missing = request ? missingRequired(state.saved) : [...requiredFields];
  const readyToSubmit =
    request?.status === 'DRAFT' && has('application.submit') && !dirty && missing.length === 0;

  const setValue = (name: FieldName, value: string) => {
    setState((current) => {
      const serverErrors = { ...current.serverErrors };
      delete serverErrors[name];
      return { ...current, values: { ...current.values, [name]: value }, serverErrors };
    });
    if (notice?.tone !== 'info') setNotice(null);
  };

  const fail = (failure: Failure) => {
    haptic('error');
    setNotice({ tone: 'error', text: failure.message });
  };
  /**
   * The screen's actions, one at a time, through one react-query mutation: `busy` names the one
   * running (its button shows it), a success buzzes, a failure is told in words unless the
   * action answers it itself.
   */
  const action = useMutation({
    mutationFn: ({ run }: Action) => run(),
    onSuccess: () => haptic('success'),
    onError: (error, { onFailure }) => {
      const failure = failureOf(error, i18n);
      return onFailure ? onFailure(failure) : fail(failure);
    },
  });
  const busy = action.isPending ? action.variables.key : null;
  const perform = (key: string, run: () => Promise<void>, onFailure?: Action['onFailure']) =>
    action.mutate({ key, run, ...(onFailure ? { onFailure } : {}) });
  /** A refused status change: told, and the request read again (someone may have moved it). */
  const failAndReload = (failure: Failure) => {
    fail(failure);
    actions.changed(null);
  };
  // After a refused save, bring the first field in error into view.
  const showFirstError = () =>
    requestAnimationFrame(() =>
      document.querySelector('.field-invalid')?.scrollIntoView({ block: 'center' }),
    );

  async function openConflict(mine: Partial<Record<FieldName, string>>, saved: FormValues) {
    const theirs = await actions.fresh();
    if (!theirs) {
      setNotice({ tone: 'error', text: i18n.t('unknownError') });
      return;
    }
    const theirsValues = rebase(state, theirs, null, locale).saved;
    setConflict({
      theirs,
      mine,
      alsoChanged: changedFields(saved, theirsValues).filter((name) => !(name in mine)),
    });
    haptic('warning');
  }

  async function save(
    values: FormValues,
    names: FieldName[],
    version: number | null,
    saved: FormValues,
  ) {
    let checks;
    try {
      checks = await loadFormValidation();
    } catch (error) {
      fail(failureOf(error, i18n));
      return;
    }
    const { buildPatch } = checks;
    const { patch, errors } = buildPatch(values, names, locale);
    if (Object.keys(errors).length > 0) {
      setState((current) => ({ ...current, serverErrors: { ...current.serverErrors, ...errors } }));
      haptic('error');
      setNotice({ tone: 'error', text: i18n.t('fixErrors') });
      showFirstError();
      return;
    }
    const mine: Partial<Record<FieldName, string>> = {};
    for (const name of names) mine[name] = values[name];
    if (request && version === null) {
      // Edits made before the request existed: someone created it meanwhile.
      await openConflict(mine, saved);
      return;
    }
    setNotice(null);
    perform(
      'save',
      async () => {
        const view = await actions.save({ version: version ?? undefined, fields: patch });
        setState((current) => afterSave(current, view, values, locale));
        setNotice({ tone: 'success', text: i18n.t('saved') });
        actions.changed(view);
      },
      async (failure) => {
        if (failure.code === 'VERSION_CONFLICT') return openConflict(mine, saved);
        const fieldErrors = fieldErrorsOf(failure.issues);
        setState((current) => ({
          ...current,
          serverErrors: { ...current.serverErrors, ...fieldErrors },
        }));
        fail(failure);
        if (Object.keys(fieldErrors).length > 0) showFirstError();
      },
    );
  }

  const saveNow = () => save(state.values, changed, state.baseVersion, state.saved);

  const keepTheirs = () => {
    if (!conflict) return;
    setState((current) => rebase(current, conflict.theirs, null, locale));
    setConflict(null);
    setNotice(null);
    actions.changed(conflict.theirs);
  };

  const applyMine = () => {
    if (!conflict) return;
    const next = rebase(state, conflict.theirs, conflict.mine, locale);
    setState(next);
    setConflict(null);
    const names = changedFields(next.values, next.saved);
    if (names.length === 0) return;
    void save(next.values, names, next.baseVersion, next.saved);
  };

  async function submit() {
    if (!request || !actions.setStatus) return;
    const ok = await confirmAction({
      title: i18n.t('submitConfirmTitle'),
      message: i18n.t('submitConfirm'),
      confirmText: i18n.t('submit'),
    });
    if (!ok) return;
    const setStatus = actions.setStatus;
    perform(
      'submit',
      async () => {
        const view = await setStatus('COLLECTING_OFFERS', request.version);
        setNotice({ tone: 'success', text: i18n.t('submitted') });
        actions.changed(view);
      },
      failAndReload,
    );
  }

  async function changeStatus(status: RequestStatus, message: string, destructive: boolean) {
    if (!request || !actions.setStatus) return;
    const ok = await confirmAction({ message, confirmText: i18n.t('confirm'), destructive });
    if (!ok) return;
    const setStatus = actions.setStatus;
    perform(
      status,
      async () => actions.changed(await setStatus(status, request.version)),
      failAndReload,
    );
  }

  async function changePayment(status: PaymentStatus, message: string) {
    if (!actions.setPaymentStatus) return;
    const ok = await confirmAction({ message, confirmText: i18n.t('confirmYes') });
    if (!ok) return;
    const setPaymentStatus = actions.setPaymentStatus;
    perform(status, async () => actions.changed(await setPaymentStatus(status)));
  }

  async function requestDocument(kind: DocumentKind) {
    if (!actions.requestDocument) return;
    const ask = actions.requestDocument;
    perform('requestDocument', async () => {
      await ask(kind);
      setNotice({ tone: 'success', text: i18n.t('requestQueued') });
      actions.changed(null);
    });
  }

  async function openDocument(id: string, fileName: string, download: boolean) {
    if (!actions.openDocument) return;
    setOpening(id);
    try {
      const blob = await actions.openDocument(id);
      // The api says what may open in place (PDF, images); anything else is a download, never
      // a page: a document from outside must not run script on the Mini App's origin.
      const safe = opensInPlace(blob.type);
      const url = URL.createObjectURL(
        safe ? blob : new Blob([blob], { type: 'application/octet-stream' }),
      );
      const link = document.createElement('a');
      link.href = url;
      if (download || !safe) link.download = fileName;
      else link.target = '_blank';
      link.rel = 'noopener';
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      fail(failureOf(error, i18n));
    } finally {
      setOpening(null);
    }
  }

  async function attach(file: File) {
    if (!actions.uploadAttachment) return;
    const upload = actions.uploadAttachment;
    perform('attach', async () => {
      await upload(file, attachKind);
      setNotice({ tone: 'success', text: i18n.t('attached') });
      actions.changed(null);
    });
  }

  async function importChat(file: File) {
    if (!actions.importChat) return;
    const importExport = actions.importChat;
    perform('import', async () => {
      const result = await importExport(file);
      setNotice({ tone: 'success', text: i18n.t('imported', { ...result }) });
    });
  }

  // Telegram's main button: the one primary action of the moment.
  const primary =
    conflict !== null
      ? null
      : dirty && canEdit
        ? { key: 'save', text: busy === 'save' ? i18n.t('saving') : i18n.t('save'), run: saveNow }
        : readyToSubmit && actions.setStatus
          ? { key: 'submit', text: i18n.t('submit'), run: () => void submit() }
          : null;
  const primaryRun = useRef<() => void>(() => undefined);
  useEffect(() => {
    primaryRun.current = primary?.run ?? (() => undefined);
  });
  const primaryKey = primary?.key ?? null;
  const primaryText = primary?.text ?? '';
  const primaryBusy = busy === 'save' || busy === 'submit';
  useEffect(
    () =>
      setMainButton(
        primaryKey
          ? { text: primaryText, busy: primaryBusy, onClick: () => primaryRun.current() }
          : null,
      ),
    [primaryKey, primaryText, primaryBusy],
  );
  useEffect(() => () => void setMainButton(null), []);

  // The back button: out of the conflict screen, or back to the board.
  const closeConflict = useCallback(() => setConflict(null), []);
  const back = conflict ? closeConflict : (props.onBack ?? null);
  useEffect(() => setBackButton(back), [back]);

  const readOnly = !canEdit;
  const uploads = request?.documents.filter((document) => document.source === 'UPLOAD') ?? [];

  return (
    <main className="screen" data-testid="request-screen" data-dirty={dirty || undefined}>
      <RequestHeader
        i18n={i18n}
        request={request}
        permissions={permissions}
        chatTitle={props.chatTitle}
      />

      {conflict ? (
        <Suspense fallback={null}>
          <ConflictPanel
            i18n={i18n}
            conflict={conflict}
            busy={busy === 'save'}
            onKeepTheirs={keepTheirs}
            onApplyMine={applyMine}
          />
        </Suspense>
      ) : null}

      {state.restoredAt && dirty ? (
        <Banner tone="info" testId="draft-restored">
          {i18n.t('draftRestored', { time: i18n.dateTime(state.restoredAt) })}{' '}
          <button
            type="button"
            className="link-button"
            onClick={() =>
              setState((current) =>
                request
                  ? rebase(current, request, null, locale)
                  : { ...current, values: current.saved, restoredAt: null },
              )
            }
            data-testid="discard-draft"
          >
            {i18n.t('discardChanges')}
          </button>
        </Banner>
      ) : null}
      {state.changedElsewhere && dirty && !conflict ? (
        <Banner tone="warning" testId="changed-elsewhere">
          {i18n.t('changedElsewhere')}
        </Banner>
      ) : null}
      {request && readOnly ? (
        <Banner tone="info" testId="read-only">
          {readOnlyText(i18n, request)}
        </Banner>
      ) : null}
      {request?.status === 'DRAFT' && has('application.submit') && !readyToSubmit && !dirty ? (
        <Banner tone="info" testId="submit-needs">
          {i18n.t('submitNeedsFields')} {missing.map((name) => i18n.field(name)).join(', ')}
        </Banner>
      ) : null}
      {/* The client fills the form the agent confirms: told what is still missing, as the agent is. */}
      {request?.status === 'DRAFT' &&
      !has('application.submit') &&
      canEdit &&
      missing.length > 0 &&
      !dirty ? (
        <Banner tone="info" testId="fields-needed">
          {i18n.t('agentNeedsFields')} {missing.map((name) => i18n.field(name)).join(', ')}
        </Banner>
      ) : null}

      {notice ? (
        <div className="toast" onClick={() => setNotice(null)}>
          <Banner tone={notice.tone} testId={`notice-${notice.tone}`}>
            {notice.text}
          </Banner>
        </div>
      ) : null}

      <Form
        className={`form${readOnly ? ' form-readonly' : ''}`}
        onSubmit={() => {
          if (dirty && canEdit) void saveNow();
        }}
        noValidate
      >
        <RequestFormFields
          i18n={i18n}
          values={state.values}
          readOnly={readOnly}
          errorOf={errorOf}
          onChange={setValue}
          beforeComment={
            <Section
              title={i18n.t('sectionAttachments')}
              testId="section-attachments"
              footer={!request && canEdit ? i18n.t('attachSaveFirst') : undefined}
            >
              {request && has('documents.view') ? (
                <DocumentList
                  i18n={i18n}
                  documents={uploads}
                  onOpen={actions.openDocument ? openDocument : undefined}
                  opening={opening}
                  empty={i18n.t('attachmentsNone')}
                />
              ) : null}
              {request && has('application.edit') && actions.uploadAttachment ? (
                <div className="inline" data-testid="attach">
                  <DocumentKindSelect
                    i18n={i18n}
                    label={i18n.t('attachKind')}
                    value={attachKind}
                    onChange={setAttachKind}
                  />
                  <FileButton
                    busy={busy === 'attach'}
                    testId="attach-button"
                    inputTestId="attach-input"
                    onFile={(file) => void attach(file)}
                  >
                    {i18n.t('attach')}
                  </FileButton>
                </div>
              ) : null}
            </Section>
          }
        />
      </Form>

      {request ? (
        <>
          <OfferSection i18n={i18n} request={request} permissions={permissions} />
          <PaymentSection
            i18n={i18n}
            request={request}
            permissions={permissions}
            busy={busy}
            onSet={(status, message) => void changePayment(status, message)}
          />
          <StatusSection
            i18n={i18n}
            request={request}
            permissions={permissions}
            busy={busy}
            onSet={(status, message, destructive) =>
              void changeStatus(status, message, destructive)
            }
          />
          <DocumentsSection
            i18n={i18n}
            request={request}
            documents={request.documents.filter((document) => document.source !== 'UPLOAD')}
            permissions={permissions}
            opening={opening}
            busy={busy}
            onOpen={actions.openDocument ? openDocument : undefined}
            onRequest={actions.requestDocument ? (kind) => void requestDocument(kind) : undefined}
          >
            {has('chat.import') && actions.importChat ? (
              <div className="import" data-testid="chat-import">
                <FileButton
                  busy={busy === 'import'}
                  accept="application/json,.json"
                  onFile={(file) => void importChat(file)}
                >
                  {i18n.t('importChat')}
                </FileButton>
                <div className="field-hint">{i18n.t('importChatHint')}</div>
              </div>
            ) : null}
          </DocumentsSection>
          <HistorySection
            i18n={i18n}
            request={request}
            permissions={permissions}
            loadOlder={actions.olderHistory}
          />
        </>
      ) : null}
    </main>
  );
}
