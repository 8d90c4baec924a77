import type { Locale, Permission } from '@payreq/contracts';
import { countryText, offerStatusLabel } from '@payreq/i18n';
import type { FieldErrors, FieldName, FormValues } from '@payreq/ui';
import { buildPatch } from '@payreq/ui/form-validation';
import {
  Badge,
  Banner,
  Button,
  Form,
  HistoryList,
  PaymentBadge,
  RequestFormFields,
  Row,
  Section,
  StatusBadge,
  TextField,
  changedFields,
  editableAmount,
  fieldErrorsOf,
  fieldNames,
  missingRequired,
  readOnlyText,
  valuesOf,
} from '@payreq/ui';
import { useEffect, useRef, useState } from 'react';

import { failureText, trpc } from '../api';
import { useConfirm } from '../confirm';
import { Failure } from '../parts';
import { navigate } from '../route';
import {
  PaymentSteps,
  RequestDocuments,
  RequestStatusSection,
  useRequestActions,
} from '../screens/RequestSteps';
import type { PortalI18n } from '../words';
import type { OfferItem, StandardView } from './api';
import { issuesOf } from './api';
import { liveErrors, localDateTime, withoutError } from './NewRequest';
import { standardWords } from './words';

type Notice = { tone: 'success' | 'error'; text: string } | null;

function offerTone(status: OfferItem['status']) {
  return status === 'ACCEPTED'
    ? 'success'
    : status === 'REJECTED'
      ? 'danger'
      : status === 'WITHDRAWN'
        ? 'neutral'
        : 'accent';
}

function OfferStatusBadge(props: { i18n: PortalI18n; status: OfferItem['status'] }) {
  return (
    <span data-testid={`offer-status-${props.status}`}>
      <Badge tone={offerTone(props.status)}>
        {offerStatusLabel(props.status, props.i18n.locale)}
      </Badge>
    </span>
  );
}

/** The offers side by side (the client's view): terms, the agent's agency, accept one. */
function OfferComparison(props: {
  i18n: PortalI18n;
  request: StandardView;
  mayAccept: boolean;
  busy: boolean;
  onAccept: (offer: OfferItem) => void;
}) {
  const { i18n, request } = props;
  const s = standardWords(i18n.locale);
  // The accepted one first, then those still open, then the rejected.
  const order = { ACCEPTED: 0, PENDING: 1, REJECTED: 2, WITHDRAWN: 3 } as const;
  const offers = request.offers
    .filter((offer) => offer.status !== 'WITHDRAWN')
    .sort((a, b) => order[a.status] - order[b.status]);
  // An offer priced on an amount or currency the request no longer has is not compared.
  const pending = offers.filter((offer) => offer.status === 'PENDING' && !offer.outdated);
  const best = pending.reduce<OfferItem | null>(
    (low, offer) => (!low || Number(offer.totalToPay) < Number(low.totalToPay) ? offer : low),
    null,
  );
  return (
    <Section title={s('offersTitle')} testId="offers">
      {offers.length === 0 ? (
        <p className="muted">{s('offersNone')}</p>
      ) : (
        <>
          {props.mayAccept ? <p className="muted">{s('offersCompare')}</p> : null}
          {/* On a phone each offer is a card of "term: value" lines (styles.css, .table-cards). */}
          <div className="table-wrap">
            <table className="table table-cards offer-table" data-testid="offer-table">
              <thead>
                <tr>
                  <th>{s('offerWho')}</th>
                  <th className="num">{i18n.t('rate')}</th>
                  <th className="num">{i18n.t('feePercent')}</th>
                  <th className="num">{i18n.t('fixedFee')}</th>
                  <th className="num">{i18n.t('totalToPay')}</th>
                  <th className="num">{i18n.t('settlementDays')}</th>
                  <th>{i18n.t('validUntil')}</th>
                  <th>{s('offerComment')}</th>
                  <th>{s('offerStatus')}</th>
                  {props.mayAccept ? <th /> : null}
                </tr>
              </thead>
              <tbody>
                {offers.map((offer) => (
                  <tr key={offer.id} data-testid="offer-row" data-agency={offer.agentTenantName}>
                    {/* Whose offer: the agency, its agent under it (a phone's card's head). */}
                    <td className="card-head offer-who">
                      <div>{offer.agentTenantName}</div>
                      <div className="muted small" data-testid="offer-agent">
                        {offer.agentName}
                      </div>
                    </td>
                    <td className="num" data-label={i18n.t('rate')}>
                      {i18n.number(offer.rate)}
                    </td>
                    <td className="num" data-label={i18n.t('feePercent')}>
                      {i18n.number(offer.feePercent)}
                    </td>
                    <td className="num" data-label={i18n.t('fixedFee')}>
                      {i18n.money(offer.fixedFee, offer.totalCurrency)}
                    </td>
                    <td className="num" data-label={i18n.t('totalToPay')}>
                      <div>
                        <strong>{i18n.money(offer.totalToPay, offer.totalCurrency)}</strong>
                        {best?.id === offer.id && pending.length > 1 ? (
                          <div className="muted small">{s('best')}</div>
                        ) : null}
                      </div>
                    </td>
                    <td className="num" data-label={i18n.t('settlementDays')}>
                      {offer.settlementDays}
                    </td>
                    <td data-label={i18n.t('validUntil')}>
                      {offer.validUntil ? i18n.dateTime(offer.validUntil) : i18n.t('empty')}
                    </td>
                    <td
                      className="offer-comment"
                      data-label={s('offerComment')}
                      data-testid="offer-comment"
                    >
                      {offer.comment ?? i18n.t('empty')}
                    </td>
                    <td data-label={s('offerStatus')}>
                      <OfferStatusBadge i18n={i18n} status={offer.status} />
                      {offer.status === 'PENDING' && offer.outdated ? (
                        <div className="muted small offer-outdated" data-testid="offer-outdated">
                          {s('offerOutdated', {
                            priced: i18n.money(offer.pricedAmount, offer.pricedCurrency),
                          })}
                        </div>
                      ) : null}
                    </td>
                    {props.mayAccept ? (
                      <td className="offer-accept">
                        {/* One priced on the request's old amount or currency waits for new terms. */}
                        {offer.status === 'PENDING' && !offer.outdated ? (
                          <Button
                            kind="primary"
                            busy={props.busy}
                            onClick={() => props.onAccept(offer)}
                            testId="accept-offer"
                          >
                            {s('accept')}
                          </Button>
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Section>
  );
}

interface OfferDraft {
  rate: string;
  feePercent: string;
  fixedFee: string;
  totalToPay: string;
  settlementDays: string;
  validUntil: string;
  comment: string;
}

/** Without these an offer is no offer; the fees may stay empty (none). */
const offerRequired = ['rate', 'totalToPay', 'settlementDays'] as const;

/** The offer form's field an api issue is about (`terms.validUntil` → validUntil), if any. */
const offerFieldOf = (path: string): keyof OfferDraft | null => {
  const name = path.replace(/^terms\./, '').split('.')[0] ?? '';
  return name in draftOf(null, 'ru') ? (name as keyof OfferDraft) : null;
};

/** A stored rate or percent (`92.35`) as the locale writes it (`92,35`): no grouping. */
const editableDecimal = (stored: string, locale: Locale) =>
  locale === 'ru' ? stored.replace('.', ',') : stored;

/** An offer's stored terms as people type them in their language (`1 500,00`, `92,35`). */
const draftOf = (offer: OfferItem | null, locale: Locale): OfferDraft => ({
  rate: offer ? editableDecimal(offer.rate, locale) : '',
  feePercent: offer ? editableDecimal(offer.feePercent, locale) : '',
  fixedFee: offer ? editableAmount(offer.fixedFee, locale) : '',
  totalToPay: offer ? editableAmount(offer.totalToPay, locale) : '',
  settlementDays: offer ? String(offer.settlementDays) : '',
  validUntil: offer?.validUntil ? localDateTime(new Date(offer.validUntil)) : '',
  comment: offer?.comment ?? '',
});

/** An offering agent's side: what pricing needs, their one offer, send / change / withdraw it. */
function OfferDesk(props: {
  i18n: PortalI18n;
  request: StandardView;
  permissions: readonly Permission[];
  onChanged: (text: string) => void;
}) {
  const { i18n, request } = props;
  const s = standardWords(i18n.locale);
  const own =
    request.offers.find((offer) => offer.status !== 'WITHDRAWN') ?? request.offers.at(-1) ?? null;
  const open = own?.status === 'PENDING' ? own : null;
  const mayOffer = props.permissions.includes('offer.create');
  const [draft, setDraft] = useState<OfferDraft>(() => draftOf(open, i18n.locale));
  const submit = trpc.offers.submit.useMutation({
    onSuccess: () => props.onChanged(s('offerSent')),
  });
  const withdraw = trpc.offers.withdraw.useMutation({
    onSuccess: () => {
      setDraft(draftOf(null, i18n.locale));
      props.onChanged(s('offerWithdrawn'));
    },
  });
  const { confirmThen, dialog } = useConfirm(i18n);
  const issues = issuesOf(submit.error);
  // The terms an offer cannot go without, asked for before anything is sent.
  const [missing, setMissing] = useState<ReadonlyArray<keyof OfferDraft>>([]);
  const errorOf = (name: keyof OfferDraft) =>
    (missing.includes(name) ? s('fillIn') : null) ??
    issues.find((issue) => offerFieldOf(issue.path) === name)?.message ??
    null;
  const field = (name: keyof OfferDraft, label: string) => ({
    name: `offer-${name}`,
    label,
    value: draft[name],
    onChange: (value: string) => {
      setDraft((current) => ({ ...current, [name]: value }));
      setMissing((current) => current.filter((other) => other !== name));
    },
    readOnly: !mayOffer,
    error: errorOf(name),
  });
  const required = { required: mayOffer, requiredText: i18n.t('required') };
  const shownFields = fieldNames.filter((name) => request.fields[name] !== null);
  /** A field as people read it: a direction, an amount, a date or a country in words. */
  const marketValue = (name: (typeof shownFields)[number]) => {
    const { direction, amount, desiredDate, beneficiaryCountry } = request.fields;
    if (name === 'direction' && direction) return i18n.direction(direction);
    if (name === 'amount') return i18n.money(amount, request.currency);
    if (name === 'desiredDate' && desiredDate) return i18n.date(desiredDate);
    if (name === 'beneficiaryCountry' && beneficiaryCountry)
      return countryText(beneficiaryCountry, i18n.locale);
    return request.fields[name];
  };
  return (
    <>
      <Section title={s('marketFields')} testId="market-fields">
        {shownFields.map((name) => (
          <Row key={name} label={i18n.field(name)}>
            {marketValue(name)}
          </Row>
        ))}
      </Section>
      {own && !open ? (
        <Section title={s('myOffer')} testId="my-offer">
          <Row label={s('offerStatus')}>
            <OfferStatusBadge i18n={i18n} status={own.status} />
          </Row>
          <Row label={i18n.t('totalToPay')}>{i18n.money(own.totalToPay, own.totalCurrency)}</Row>
        </Section>
      ) : null}
      {mayOffer ? (
        <Section title={s('offerForm')} testId="offer-form" footer={s('offerFormIntro')}>
          {open ? (
            <Row label={s('offerStatus')}>
              <OfferStatusBadge i18n={i18n} status={open.status} />
            </Row>
          ) : null}
          {open?.outdated ? (
            <Banner tone="warning" testId="own-offer-outdated">
              {s('ownOfferOutdated', {
                priced: i18n.money(open.pricedAmount, open.pricedCurrency),
              })}
            </Banner>
          ) : null}
          <Form
            onSubmit={() => {
              const empty = offerRequired.filter((name) => draft[name].trim() === '');
              setMissing(empty);
              if (empty.length > 0) return;
              const validUntil = draft.validUntil ? new Date(draft.validUntil) : null;
              submit.mutate({
                requestId: request.id,
                terms: {
                  rate: draft.rate.trim(),
                  // Left empty, a fee is none (the contract's `emptyAsZero`).
                  feePercent: draft.feePercent.trim(),
                  fixedFee: draft.fixedFee.trim(),
                  totalToPay: draft.totalToPay.trim(),
                  // «2,5» reads as no number: the contract refuses it in the words of days.
                  settlementDays: Number(draft.settlementDays.trim()),
                  validUntil:
                    validUntil && !Number.isNaN(validUntil.getTime())
                      ? validUntil.toISOString()
                      : null,
                  comment: draft.comment.trim() || null,
                },
              });
            }}
            noValidate
          >
            <div className="terms-grid">
              <TextField {...field('rate', i18n.t('rate'))} {...required} inputMode="decimal" />
              <TextField
                {...field('feePercent', i18n.t('feePercent'))}
                inputMode="decimal"
                placeholder="0"
              />
              <TextField
                {...field('fixedFee', i18n.t('fixedFee'))}
                inputMode="decimal"
                placeholder="0"
              />
              <TextField
                {...field('totalToPay', i18n.t('totalToPay'))}
                {...required}
                inputMode="decimal"
              />
              <TextField
                {...field('settlementDays', i18n.t('settlementDays'))}
                {...required}
                inputMode="numeric"
              />
              <div
                className={`field wide${errorOf('validUntil') ? ' field-invalid' : ''}`}
                data-field="offer-validUntil"
              >
                <label className="field-label" htmlFor="offer-valid-until">
                  {i18n.t('validUntil')}
                </label>
                <input
                  id="offer-valid-until"
                  className="input"
                  type="datetime-local"
                  value={draft.validUntil}
                  aria-invalid={errorOf('validUntil') ? true : undefined}
                  aria-describedby={errorOf('validUntil') ? 'offer-valid-until-error' : undefined}
                  onChange={(event) =>
                    setDraft((current) => ({ ...current, validUntil: event.target.value }))
                  }
                />
                {/* The api's refusal of a time already past («Срок «Действует до» уже прошёл…»). */}
                {errorOf('validUntil') ? (
                  <div
                    className="field-error"
                    id="offer-valid-until-error"
                    data-testid="error-offer-validUntil"
                  >
                    {errorOf('validUntil')}
                  </div>
                ) : null}
              </div>
            </div>
            <TextField {...field('comment', s('offerComment'))} multiline />
            {/* A refusal no field shows is said here, so a sent offer never fails silently. */}
            {(submit.error && !issues.some((issue) => offerFieldOf(issue.path))) ||
            withdraw.error ? (
              <Banner tone="error" testId="offer-error">
                {failureText(submit.error ?? withdraw.error, i18n)}
              </Banner>
            ) : null}
            <div className="section-actions">
              <Button kind="primary" type="submit" busy={submit.isPending} testId="send-offer">
                {open ? s('reviseOffer') : s('sendOffer')}
              </Button>
              {open ? (
                <Button
                  kind="destructive"
                  busy={withdraw.isPending}
                  onClick={() =>
                    confirmThen(
                      {
                        question: s('withdrawConfirm'),
                        action: s('withdrawConfirmYes'),
                        destructive: true,
                      },
                      () => withdraw.mutate({ requestId: request.id, offerId: open.id }),
                    )
                  }
                  testId="withdraw-offer"
                >
                  {s('withdrawOffer')}
                </Button>
              ) : null}
            </div>
          </Form>
        </Section>
      ) : request.status !== 'COLLECTING_OFFERS' && !own ? (
        <Banner tone="info">{s('offerClosed')}</Banner>
      ) : null}
      {dialog}
    </>
  );
}

/**
 * The client's form: edited while a draft or collecting offers, read-only once an offer is
 * accepted. Keyed by the request's version, so each saved version starts it afresh.
 */
function ClientForm(props: {
  i18n: PortalI18n;
  request: StandardView;
  permissions: readonly Permission[];
  onChanged: (text: string) => void;
}) {
  const { i18n, request, permissions } = props;
  const s = standardWords(i18n.locale);
  const saved = valuesOf(request.fields, i18n.locale);
  const [values, setValues] = useState<FormValues>(saved);
  const [errors, setErrors] = useState<FieldErrors>({});
  const editable = permissions.includes('application.edit');
  const changed = changedFields(values, saved);
  const dirty = changed.length > 0;
  const update = trpc.requests.update.useMutation({
    onSuccess: () => props.onChanged(s('saved')),
    onError: (error) => setErrors(fieldErrorsOf(issuesOf(error))),
  });
  const live = liveErrors(values, saved, i18n.locale);
  const errorOf = (name: FieldName) => live[name] ?? errors[name] ?? null;
  const missing = missingRequired(saved);
  return (
    <Form
      className="form"
      onSubmit={() => {
        const { patch, errors: found } = buildPatch(values, changed, i18n.locale);
        setErrors(found);
        if (Object.keys(found).length === 0)
          update.mutate({ requestId: request.id, version: request.version, fields: patch });
      }}
      noValidate
    >
      {!editable ? (
        <Banner tone="info" testId="read-only">
          {readOnlyText(i18n, request)}
        </Banner>
      ) : null}
      {request.status === 'DRAFT' &&
      permissions.includes('application.submit') &&
      missing.length ? (
        <Banner tone="info" testId="submit-needs">
          {s('submitNeeds', { fields: missing.map((name) => i18n.field(name)).join(', ') })}
        </Banner>
      ) : null}
      <RequestFormFields
        i18n={i18n}
        values={values}
        readOnly={!editable}
        errorOf={errorOf}
        onChange={(name, value) => {
          setValues((current) => ({ ...current, [name]: value }));
          setErrors((current) => withoutError(current, name));
        }}
      />
      {Object.keys(errors).length === 0 ? <Failure i18n={i18n} error={update.error} /> : null}
      {editable ? (
        <div className="section-actions sticky-actions">
          <Button
            kind="primary"
            type="submit"
            busy={update.isPending}
            disabled={!dirty}
            testId="save"
          >
            {s('save')}
          </Button>
          <SubmitButton
            i18n={i18n}
            request={request}
            permissions={permissions}
            disabled={dirty || missing.length > 0}
            onChanged={props.onChanged}
          />
        </div>
      ) : null}
    </Form>
  );
}

function SubmitButton(props: {
  i18n: PortalI18n;
  request: StandardView;
  permissions: readonly Permission[];
  disabled: boolean;
  onChanged: (text: string) => void;
}) {
  const { i18n, request } = props;
  const s = standardWords(i18n.locale);
  const submit = trpc.requests.submit.useMutation({
    onSuccess: (view) =>
      props.onChanged(
        s('submitted', { when: view.offersDeadline ? i18n.dateTime(view.offersDeadline) : '' }),
      ),
  });
  if (request.status !== 'DRAFT' || !props.permissions.includes('application.submit')) return null;
  return (
    <>
      <Button
        busy={submit.isPending}
        disabled={props.disabled}
        onClick={() => submit.mutate({ requestId: request.id, version: request.version })}
        testId="submit"
      >
        {s('submitToMarket')}
      </Button>
      <Failure i18n={i18n} error={submit.error} />
    </>
  );
}

/**
 * A standard request's page, as the caller's permissions shape it: the client (a company's
 * person, or the bank's agent who filed it) edits, sends, cancels, compares the offers, accepts
 * one and marks their payment steps; the agent whose offer was accepted carries it out here (the
 * status moves, the payment steps, the documents: the bank's page's own sections); an offering
 * agent sees what pricing needs and works on their one offer.
 */
export function StandardRequest(props: { i18n: PortalI18n; requestId: string }) {
  const { i18n } = props;
  const s = standardWords(i18n.locale);
  const utils = trpc.useUtils();
  const page = trpc.standard.request.useQuery(
    { requestId: props.requestId },
    { refetchInterval: 10_000 },
  );
  const [notice, setNotice] = useState<Notice>(null);
  // A notice (an accepted offer, a refusal) is brought into view: on a phone the button pressed
  // may be a screen below it.
  const noticeRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (notice) noticeRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [notice]);
  const refresh = (text: string) => {
    setNotice({ tone: 'success', text });
    void utils.standard.request.invalidate({ requestId: props.requestId });
    void utils.notifications.list.invalidate();
  };
  const accept = trpc.offers.accept.useMutation({
    onSuccess: () => refresh(s('accepted')),
    onError: (error) => setNotice({ tone: 'error', text: failureText(error, i18n) }),
  });
  const actions = useRequestActions(i18n, props.requestId);
  const { confirmThen, dialog } = useConfirm(i18n);
  if (page.isPending) return <p className="muted">{i18n.t('loading')}</p>;
  if (page.error) return <Failure i18n={i18n} error={page.error} />;
  const { request, permissions } = page.data;
  const has = (permission: Permission) => permissions.includes(permission);
  // The request's own side (its client, the accepted agent) sees it whole; an offering agent, the market's part.
  const ownSide = has('application.viewDetails');
  // Once an offer is accepted the request is carried out: its payment steps and documents.
  const carriedOut = request.acceptedOffer !== null;
  return (
    <section data-testid="standard-request" data-status={request.status}>
      <a
        className="back"
        href="/portal/"
        onClick={(event) => {
          event.preventDefault();
          if (window.history.length > 1) window.history.back();
          else navigate('/portal/');
        }}
      >
        {s('back')}
      </a>
      <div className="request-head">
        <h1 className="page-title" data-testid="request-number">
          {i18n.t('appTitle')} <span className="nowrap">{request.displayNumber}</span>
        </h1>
        <div className="badges">
          <StatusBadge i18n={i18n} status={request.status} inHouse={false} />
          {request.status !== 'DRAFT' && request.status !== 'COLLECTING_OFFERS' ? (
            <PaymentBadge i18n={i18n} status={request.paymentStatus} />
          ) : null}
        </div>
        <p className="muted" data-testid="request-meta">
          {[
            // A deal room's request belongs to the bank's tenant: its chat names it instead.
            request.pipeline === 'TELEGRAM' ? request.chatTitle : request.tenantName,
            // The deadline matters while offers are collected; after the choice it is history.
            request.offersDeadline &&
            (request.status === 'DRAFT' || request.status === 'COLLECTING_OFFERS')
              ? s('deadlineAt', { when: i18n.dateTime(request.offersDeadline) })
              : null,
          ]
            .filter(Boolean)
            .join(' · ')}
        </p>
      </div>
      <div ref={noticeRef}>
        {notice ? (
          <Banner tone={notice.tone} testId={`notice-${notice.tone}`}>
            {notice.text}
          </Banner>
        ) : null}
      </div>
      {ownSide && request.status !== 'DRAFT' ? (
        <OfferComparison
          i18n={i18n}
          request={request}
          mayAccept={has('offer.accept')}
          busy={accept.isPending}
          onAccept={(offer) => {
            const words = {
              agent: offer.agentName,
              agency: offer.agentTenantName,
              total: i18n.money(offer.totalToPay, offer.totalCurrency),
            };
            confirmThen(
              {
                question: s('acceptConfirm', words),
                detail: s('acceptConfirmDetail'),
                action: s('accept'),
              },
              () => accept.mutate({ requestId: request.id, offerId: offer.id }),
            );
          }}
        />
      ) : null}
      {ownSide ? (
        // Carried out, the fields are read-only: on a narrow screen the steps come first.
        <div className={carriedOut ? 'columns steps-first' : 'columns'}>
          <div>
            {/* A new version (a save, an accepted offer) starts the form from the saved values. */}
            <ClientForm
              key={`${request.id}:${request.version}`}
              i18n={i18n}
              request={request}
              permissions={permissions}
              onChanged={refresh}
            />
          </div>
          <div>
            {actions.outcome ? (
              <Banner tone={actions.outcome.tone} testId="action-outcome">
                {actions.outcome.text}
              </Banner>
            ) : null}
            {/* The same steps as the bank's page of a request, as the permission list allows:
                the accepted agent moves it on and confirms the payment; the client marks theirs. */}
            <RequestStatusSection i18n={i18n} data={page.data} actions={actions} />
            {carriedOut ? <PaymentSteps i18n={i18n} data={page.data} actions={actions} /> : null}
            {carriedOut || request.documents.length > 0 ? (
              <RequestDocuments i18n={i18n} data={page.data} actions={actions} />
            ) : null}
            {has('history.view') ? (
              <Section title={i18n.t('sectionHistory')} testId="history">
                <HistoryList i18n={i18n} entries={request.history} />
              </Section>
            ) : null}
          </div>
        </div>
      ) : (
        <OfferDesk
          key={request.id}
          i18n={i18n}
          request={request}
          permissions={permissions}
          onChanged={refresh}
        />
      )}
      {dialog}
      {actions.dialog}
    </section>
  );
}
