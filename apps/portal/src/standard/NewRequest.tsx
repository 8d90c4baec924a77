import type { CompanyView } from '@payreq/contracts';
import { isOffersDeadlineTooSoon } from '@payreq/domain';
import type { FieldErrors, FieldName, FormValues } from '@payreq/ui';
import { buildPatch, validateField } from '@payreq/ui/form-validation';
import {
  Banner,
  Button,
  Form,
  RequestFormFields,
  Section,
  fieldErrorsOf,
  fieldNames,
  valuesOf,
} from '@payreq/ui';
import { useDeferredValue, useRef, useState } from 'react';

import { failureText, trpc } from '../api';
import { Failure } from '../parts';
import { navigate } from '../route';
import type { PortalI18n } from '../words';
import { issuesOf } from './api';
import { InviteButton } from './Company';
import { standardPath } from './StandardList';
import { standardWords } from './words';

/** `YYYY-MM-DDTHH:mm` in the browser's time zone, as a datetime-local input reads it. */
export function localDateTime(date: Date): string {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 16);
}

type StandardWords = ReturnType<typeof standardWords>;

/** What is wrong with a typed deadline (`YYYY-MM-DDTHH:mm`) at `now`, in words; null when nothing. */
export function deadlineProblem(value: string, now: Date, s: StandardWords): string | null {
  const at = value ? new Date(value) : null;
  if (!at || Number.isNaN(at.getTime())) return s('deadlineMissing');
  return isOffersDeadlineTooSoon(at, now) ? s('deadlineTooSoon') : null;
}

/** The api's refusal of the deadline (its issue at `offersDeadline`), to show under its field. */
function deadlineRefusal(error: unknown): string | null {
  return issuesOf(error).find((issue) => issue.path.startsWith('offersDeadline'))?.message ?? null;
}

/** The form's changed fields, checked as the user types (the shared contracts' words). */
export function liveErrors(values: FormValues, base: FormValues, locale: PortalI18n['locale']) {
  const errors: FieldErrors = {};
  for (const name of fieldNames) {
    if (values[name] === base[name]) continue;
    const message = validateField(name, values[name], locale);
    if (message) errors[name] = message;
  }
  return errors;
}

/** The errors without the one of a field the user has just changed. */
export function withoutError(errors: FieldErrors, name: FieldName): FieldErrors {
  const next = { ...errors };
  delete next[name];
  return next;
}

/** The payer is, most often, the company the request is filed for: its name and INN to start. */
function withPayer(values: FormValues, company: Pick<CompanyView, 'name' | 'taxId'>): FormValues {
  return {
    ...values,
    payerName: values.payerName || company.name,
    payerTaxId: values.payerTaxId || (company.taxId ?? ''),
  };
}

function CompanyPicker(props: {
  i18n: PortalI18n;
  companyId: string | null;
  /** Said when saving with no company chosen. */
  error: string | null;
  onChoose: (company: CompanyView) => void;
}) {
  const { i18n } = props;
  const s = standardWords(i18n.locale);
  const [search, setSearch] = useState('');
  const deferred = useDeferredValue(search.trim());
  const companies = trpc.companies.list.useQuery(deferred ? { search: deferred } : {});
  const list = companies.data ?? [];
  return (
    <Section title={s('forCompany')} testId="company-picker">
      <input
        className="input search"
        type="search"
        value={search}
        placeholder={s('companySearch')}
        aria-label={s('companySearch')}
        onChange={(event) => setSearch(event.target.value)}
        data-testid="company-search"
      />
      {companies.error ? (
        <Banner tone="error">{failureText(companies.error, i18n)}</Banner>
      ) : list.length === 0 && !companies.isPending ? (
        <p className="muted">{s('noCompanies')}</p>
      ) : (
        <div className="choices" role="radiogroup" aria-label={s('chooseCompany')}>
          {list.map((company) => (
            <label className="radio" key={company.id} data-testid="company-choice">
              <input
                type="radio"
                name="company"
                checked={props.companyId === company.id}
                onChange={() => props.onChoose(company)}
              />
              <span>
                {company.name} · {s('companyTaxId')} {company.taxId}
              </span>
            </label>
          ))}
        </div>
      )}
      {props.error ? (
        <div className="field-error" role="alert" data-testid="error-company">
          {props.error}
        </div>
      ) : null}
      {props.companyId ? <InviteButton i18n={i18n} companyId={props.companyId} /> : null}
    </Section>
  );
}

/**
 * A new standard request: the Mini App's own form (shared from `@payreq/ui`), the offers
 * deadline, and, for a bank agent, the client company it is filed for. It is saved as a draft;
 * its page sends it to the market.
 */
export function NewRequest(props: { i18n: PortalI18n; forClient: boolean }) {
  const { i18n } = props;
  const s = standardWords(i18n.locale);
  const [base] = useState(() => valuesOf(null, i18n.locale));
  const [values, setValues] = useState<FormValues>(base);
  const [deadline, setDeadline] = useState(() =>
    localDateTime(new Date(Date.now() + 48 * 3600_000)),
  );
  const [companyId, setCompanyId] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const mine = trpc.companies.mine.useQuery(undefined, { enabled: !props.forClient });
  const myCompany = mine.data ?? null;
  // Once, when the person's company arrives (React's adjusting of state while rendering).
  const [payerSet, setPayerSet] = useState(false);
  if (myCompany && !payerSet) {
    setPayerSet(true);
    setValues((current) => withPayer(current, myCompany));
  }
  const create = trpc.requests.create.useMutation({
    onSuccess: (view) => navigate(standardPath(view.id)),
    onError: (error) => setErrors(fieldErrorsOf(issuesOf(error))),
  });
  const live = liveErrors(values, base, i18n.locale);
  const errorOf = (name: FieldName) => live[name] ?? errors[name] ?? null;
  // The deadline checked here before anything is sent, and the api's refusal of it, both
  // under its field (at the top of a long form: it is brought into view).
  const [deadlineChecked, setDeadlineChecked] = useState<string | null>(null);
  const deadlineInput = useRef<HTMLInputElement>(null);
  const refused = deadlineRefusal(create.error);
  const deadlineError = deadlineChecked ?? refused;
  const noCompany = props.forClient && !companyId;
  const [companyAsked, setCompanyAsked] = useState(false);

  function save() {
    const filled = fieldNames.filter((name) => values[name].trim() !== '');
    const { patch, errors: found } = buildPatch(values, filled, i18n.locale);
    setErrors(found);
    const problem = deadlineProblem(deadline, new Date(), s);
    setDeadlineChecked(problem);
    setCompanyAsked(noCompany);
    if (problem) {
      create.reset();
      deadlineInput.current?.focus();
      deadlineInput.current?.scrollIntoView({ block: 'center' });
    }
    if (problem || noCompany || Object.keys(found).length > 0) return;
    create.mutate({
      fields: patch,
      offersDeadline: new Date(deadline).toISOString(),
      ...(props.forClient && companyId ? { companyId } : {}),
    });
  }

  return (
    <section data-testid="new-request-page">
      <h1 className="page-title">{s('newTitle')}</h1>
      <p className="muted">{s('newIntro')}</p>
      {props.forClient ? (
        <CompanyPicker
          i18n={i18n}
          companyId={companyId}
          error={companyAsked && noCompany ? s('companyMissing') : null}
          onChoose={(company) => {
            setCompanyId(company.id);
            setValues((current) => withPayer(current, company));
          }}
        />
      ) : null}
      <Form className="form" onSubmit={save} noValidate>
        <Section title={s('deadline')} testId="deadline-section">
          <div className={`field${deadlineError ? ' field-invalid' : ''}`} data-field="deadline">
            <label className="field-label" htmlFor="offers-deadline">
              {s('deadline')}
            </label>
            <input
              id="offers-deadline"
              className="input"
              type="datetime-local"
              value={deadline}
              onChange={(event) => {
                setDeadline(event.target.value);
                setDeadlineChecked(null);
                if (refused) create.reset();
              }}
              ref={deadlineInput}
              aria-invalid={deadlineError ? true : undefined}
              aria-describedby="offers-deadline-note"
              data-testid="offers-deadline"
            />
            <div
              id="offers-deadline-note"
              className={deadlineError ? 'field-error' : 'field-hint'}
              data-testid={deadlineError ? 'error-offers-deadline' : undefined}
            >
              {deadlineError ?? s('deadlineHint')}
            </div>
          </div>
        </Section>
        <RequestFormFields
          i18n={i18n}
          values={values}
          readOnly={false}
          errorOf={errorOf}
          onChange={(name, value) => {
            setValues((current) => ({ ...current, [name]: value }));
            setErrors((current) => withoutError(current, name));
          }}
        />
        {/* The api's refusal said here too, where «Сохранить черновик» was pressed. */}
        {Object.keys(errors).length === 0 ? (
          <Failure i18n={i18n} error={create.error} testId="create-error" />
        ) : null}
        <div className="section-actions">
          <Button kind="primary" type="submit" busy={create.isPending} testId="save-draft">
            {s('saveDraft')}
          </Button>
        </div>
      </Form>
    </section>
  );
}
