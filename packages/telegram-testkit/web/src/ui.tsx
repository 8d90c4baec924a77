import type { FormEvent, InputHTMLAttributes, ReactNode } from 'react';
import { useEffect } from 'react';

import type { IconName } from './icons';
import { Icon } from './icons';

/** Small pieces the stand-in's screens share: dialogs, a checkbox and a passing notice. */

export function Dialog(props: {
  title: string;
  onClose(): void;
  children: ReactNode;
  testId?: string;
}) {
  const { onClose } = props;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="dialog-backdrop" onClick={onClose}>
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-label={props.title}
        data-testid={props.testId}
        onClick={(event) => event.stopPropagation()}
      >
        <header className="dialog-header">
          <h2>{props.title}</h2>
          <button type="button" className="icon-button" aria-label="✕" onClick={onClose}>
            <Icon name="close" />
          </button>
        </header>
        <div className="dialog-body">{props.children}</div>
      </div>
    </div>
  );
}

/** A dialog holding a form: Cancel closes it, and so does a submit that `onSubmit` accepts. */
export function FormDialog(props: {
  title: string;
  testId: string;
  cancelLabel: string;
  submitLabel: string;
  submitTestId?: string;
  onClose(): void;
  onSubmit(): Promise<boolean>;
  children: ReactNode;
}) {
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await props.onSubmit()) props.onClose();
  };
  return (
    <Dialog title={props.title} onClose={props.onClose} testId={props.testId}>
      <form className="form" onSubmit={(event) => void submit(event)}>
        {props.children}
        <div className="form-actions">
          <button type="button" className="text-button" onClick={props.onClose}>
            {props.cancelLabel}
          </button>
          <button type="submit" className="primary-button" data-testid={props.submitTestId}>
            {props.submitLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** A text input with its label; `onChange` gets the text. */
export function TextField(
  props: { label: string; value: string; onChange(value: string): void } & Omit<
    InputHTMLAttributes<HTMLInputElement>,
    'value' | 'onChange'
  >,
) {
  const { label, onChange, ...input } = props;
  return (
    <label>
      {label}
      <input {...input} onChange={(event) => onChange(event.target.value)} />
    </label>
  );
}

/** A checkbox with its label. */
export function Check(props: {
  checked: boolean;
  onChange(checked: boolean): void;
  testId: string;
  children: ReactNode;
}) {
  return (
    <label className="check">
      <input
        type="checkbox"
        checked={props.checked}
        onChange={(event) => props.onChange(event.target.checked)}
        data-testid={props.testId}
      />
      {props.children}
    </label>
  );
}

/** The icon button that opens and closes a menu beside it (the chat list's, the attachments'). */
export function MenuToggle(props: {
  icon: IconName;
  label: string;
  open: boolean;
  onToggle(open: boolean): void;
  testId: string;
}) {
  return (
    <button
      type="button"
      className="icon-button"
      aria-label={props.label}
      aria-expanded={props.open}
      data-testid={props.testId}
      onClick={() => props.onToggle(!props.open)}
    >
      <Icon name={props.icon} />
    </button>
  );
}

export function Toast(props: { text: string; onDone(): void }) {
  const { onDone, text } = props;
  useEffect(() => {
    const timer = setTimeout(onDone, 4000);
    return () => clearTimeout(timer);
  }, [onDone, text]);
  return (
    <div className="toast" role="status" data-testid="toast" onClick={onDone}>
      {text}
    </div>
  );
}
