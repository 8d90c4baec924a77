import type { ReactNode } from 'react';
import { useId, useRef } from 'react';

/**
 * Small components drawn on Telegram's theme variables (`--tg-theme-*`), in the look of
 * Telegram's own list sections. No UI kit: it would cost more than the whole app.
 */

export function Section(props: {
  title?: string;
  footer?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <section className="section" data-testid={props.testId}>
      {props.title ? <h2 className="section-title">{props.title}</h2> : null}
      <div className="section-body">{props.children}</div>
      {props.footer ? <div className="section-footer">{props.footer}</div> : null}
    </section>
  );
}

export type Tone = 'neutral' | 'accent' | 'success' | 'warning' | 'danger';

export function Badge(props: { tone?: Tone; children: ReactNode; testId?: string }) {
  return (
    <span className={`badge badge-${props.tone ?? 'neutral'}`} data-testid={props.testId}>
      {props.children}
    </span>
  );
}

export function Banner(props: {
  tone: 'info' | 'error' | 'success' | 'warning';
  children: ReactNode;
  testId?: string;
}) {
  return (
    <div
      className={`banner banner-${props.tone}`}
      role={props.tone === 'error' ? 'alert' : 'status'}
      data-testid={props.testId}
    >
      {props.children}
    </div>
  );
}

export function Button(props: {
  children: ReactNode;
  onClick?: () => void;
  kind?: 'primary' | 'plain' | 'destructive';
  disabled?: boolean;
  busy?: boolean;
  testId?: string;
  type?: 'button' | 'submit';
}) {
  return (
    <button
      type={props.type ?? 'button'}
      className={`button button-${props.kind ?? 'plain'}`}
      onClick={props.onClick}
      disabled={props.disabled || props.busy}
      aria-busy={props.busy || undefined}
      data-testid={props.testId}
    >
      {props.busy ? <span className="spinner" aria-hidden="true" /> : null}
      {props.children}
    </button>
  );
}

/**
 * A button that opens the file picker: the chosen file is handed to `onFile`, and the picker is
 * cleared so that the same file can be chosen again.
 */
export function FileButton(props: {
  children: ReactNode;
  onFile: (file: File) => void;
  busy?: boolean;
  accept?: string;
  testId?: string;
  inputTestId?: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <Button busy={props.busy} onClick={() => input.current?.click()} testId={props.testId}>
        {props.children}
      </Button>
      <input
        ref={input}
        type="file"
        hidden
        accept={props.accept}
        data-testid={props.inputTestId}
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = '';
          if (file) props.onFile(file);
        }}
      />
    </>
  );
}

/** A form that submits in the page, without a reload: `onSubmit` is called instead. */
export function Form(props: {
  onSubmit: () => void;
  className?: string;
  noValidate?: boolean;
  children: ReactNode;
}) {
  return (
    <form
      className={props.className}
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit();
      }}
      noValidate={props.noValidate}
    >
      {props.children}
    </form>
  );
}

/**
 * An input without a field's label (a search box, a number to look up): `label` is its
 * placeholder and names it to screen readers.
 */
export function InlineInput(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  search?: boolean;
  testId?: string;
}) {
  return (
    <input
      className={props.search ? 'input search' : 'input'}
      type={props.search ? 'search' : undefined}
      value={props.value}
      placeholder={props.label}
      aria-label={props.label}
      onChange={(event) => props.onChange(event.target.value)}
      data-testid={props.testId}
    />
  );
}

/** What a field shows around its control: the label, the required mark, an error or a hint. */
interface FieldFrame {
  name: string;
  label: string;
  required?: boolean;
  requiredText?: string;
  error?: string | null;
  hint?: ReactNode;
}

function FieldShell(
  props: FieldFrame & { children: (id: string, describedBy: string | undefined) => ReactNode },
) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = props.error ? errorId : props.hint ? hintId : undefined;
  return (
    <div className={`field${props.error ? ' field-invalid' : ''}`} data-field={props.name}>
      <label className="field-label" htmlFor={id}>
        {props.label}
        {props.required ? (
          <span className="field-required" title={props.requiredText}>
            *
          </span>
        ) : null}
      </label>
      {props.children(id, describedBy)}
      {props.error ? (
        <div className="field-error" id={errorId} data-testid={`error-${props.name}`}>
          {props.error}
        </div>
      ) : props.hint ? (
        <div className="field-hint" id={hintId}>
          {props.hint}
        </div>
      ) : null}
    </div>
  );
}

export function TextField(
  props: FieldFrame & {
    value: string;
    onChange?: (value: string) => void;
    onBlur?: () => void;
    readOnly?: boolean;
    multiline?: boolean;
    type?: 'text' | 'date';
    inputMode?: 'text' | 'decimal' | 'numeric';
    autoCapitalize?: 'characters' | 'sentences' | 'off';
    maxLength?: number;
    placeholder?: string;
    list?: string;
  },
) {
  return (
    <FieldShell {...props}>
      {(id, describedBy) => {
        const common = {
          id,
          name: props.name,
          value: props.value,
          readOnly: props.readOnly,
          'aria-invalid': props.error ? true : undefined,
          'aria-describedby': describedBy,
          className: `input${props.readOnly ? ' input-readonly' : ''}`,
          onBlur: props.onBlur,
          placeholder: props.readOnly ? '—' : props.placeholder,
          maxLength: props.maxLength,
          'data-testid': `field-${props.name}`,
        };
        return props.multiline ? (
          <textarea
            {...common}
            rows={1}
            onChange={(event) => props.onChange?.(event.target.value)}
          />
        ) : (
          <input
            {...common}
            type={props.readOnly && props.type === 'date' ? 'text' : (props.type ?? 'text')}
            inputMode={props.inputMode}
            autoCapitalize={props.autoCapitalize}
            autoComplete="off"
            spellCheck={false}
            list={props.readOnly ? undefined : props.list}
            onChange={(event) => props.onChange?.(event.target.value)}
          />
        );
      }}
    </FieldShell>
  );
}

export function SelectField(
  props: Omit<FieldFrame, 'hint'> & {
    value: string;
    options: { value: string; label: string }[];
    placeholder: string;
    onChange?: (value: string) => void;
    readOnly?: boolean;
  },
) {
  const selected = props.options.find((option) => option.value === props.value);
  return (
    <FieldShell {...props}>
      {(id, describedBy) =>
        props.readOnly ? (
          // A read-only select cannot be copied from: show the chosen words as text.
          <input
            id={id}
            className="input input-readonly"
            readOnly
            value={selected?.label ?? ''}
            data-testid={`field-${props.name}`}
          />
        ) : (
          <select
            id={id}
            name={props.name}
            className="input select"
            value={props.value}
            aria-invalid={props.error ? true : undefined}
            aria-describedby={describedBy}
            onChange={(event) => props.onChange?.(event.target.value)}
            data-testid={`field-${props.name}`}
          >
            <option value="">{props.placeholder}</option>
            {props.options.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        )
      }
    </FieldShell>
  );
}

/**
 * A select on its own, without a field's label (a list's filter, a choice beside a button):
 * `label` names it to screen readers, and `placeholder` is an empty first option when given.
 */
export function Select<V extends string>(props: {
  value: V;
  options: readonly { value: V; label: string }[];
  onChange: (value: V) => void;
  placeholder?: string;
  id?: string;
  label?: string;
  testId?: string;
}) {
  return (
    <select
      id={props.id}
      className="input select"
      value={props.value}
      onChange={(event) => props.onChange(event.target.value as V)}
      aria-label={props.label}
      data-testid={props.testId}
    >
      {props.placeholder === undefined ? null : <option value="">{props.placeholder}</option>}
      {props.options.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </select>
  );
}

/** A label and a value in one row (offer terms, facts). */
export function Row(props: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="row" data-testid={props.testId}>
      <span className="row-label">{props.label}</span>
      <span className="row-value">{props.children}</span>
    </div>
  );
}
