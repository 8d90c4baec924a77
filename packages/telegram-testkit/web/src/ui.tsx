import type { ReactNode } from 'react';
import { useEffect } from 'react';

import { Icon } from './icons';

/** Small pieces the stand-in's screens share: a dialog and a passing notice. */

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
