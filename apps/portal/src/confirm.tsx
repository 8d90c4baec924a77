import { Button } from '@payreq/ui';
import type { ReactNode } from 'react';
import { useCallback, useEffect, useId, useRef, useState } from 'react';

import type { PortalI18n } from './words';

/** What a confirmation asks: the question, maybe a line more, and the action's own word. */
export interface ConfirmQuestion {
  question: string;
  detail?: string;
  /** The confirming button's words: the action itself («Отменить заявку»), not "OK". */
  action: string;
  /** A destructive action's button is drawn as a danger. */
  destructive?: boolean;
}

/**
 * A confirmation in the portal's look, on the native `<dialog>` opened with `showModal()`: the
 * browser traps focus in it and closes it on Esc (a "no"). "Go back" comes first, so it has the
 * focus: Enter alone never confirms.
 */
export function ConfirmDialog(
  props: ConfirmQuestion & { cancel: string; onAnswer: (yes: boolean) => void },
) {
  const ref = useRef<HTMLDialogElement>(null);
  const questionId = useId();
  const detailId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  // Every way it closes (either button, Esc) ends here, once; only "yes" confirms.
  const close = (answer: 'yes' | 'no') => ref.current?.close(answer);
  return (
    <dialog
      ref={ref}
      className="confirm"
      role="alertdialog"
      aria-labelledby={questionId}
      aria-describedby={props.detail ? detailId : undefined}
      onClose={() => props.onAnswer(ref.current?.returnValue === 'yes')}
      data-testid="confirm-dialog"
    >
      <p id={questionId} className="confirm-question">
        {props.question}
      </p>
      {props.detail ? (
        <p id={detailId} className="confirm-detail">
          {props.detail}
        </p>
      ) : null}
      <div className="confirm-actions">
        <Button onClick={() => close('no')} testId="confirm-no">
          {props.cancel}
        </Button>
        <Button
          kind={props.destructive ? 'destructive' : 'primary'}
          onClick={() => close('yes')}
          testId="confirm-yes"
        >
          {props.action}
        </Button>
      </div>
    </dialog>
  );
}

/**
 * `confirm(question)` resolves true once the person confirms, false on "Go back" or Esc;
 * `confirmThen(question, onYes)` runs `onYes` once confirmed. The `dialog` it returns is to be
 * rendered where the hook is used. Asked again while open, the
 * earlier question is answered "no"; so is one left open when its screen goes.
 */
export function useConfirm(i18n: PortalI18n): {
  confirm: (question: ConfirmQuestion) => Promise<boolean>;
  confirmThen: (question: ConfirmQuestion, onYes: () => void) => void;
  dialog: ReactNode;
} {
  const [asked, setAsked] = useState<{ key: number; question: ConfirmQuestion } | null>(null);
  const pending = useRef<{ key: number; resolve: (yes: boolean) => void } | null>(null);
  const asks = useRef(0);
  const settle = useCallback((key: number | null, yes: boolean) => {
    if (!pending.current || (key !== null && pending.current.key !== key)) return;
    pending.current.resolve(yes);
    pending.current = null;
    setAsked(null);
  }, []);
  useEffect(() => () => settle(null, false), [settle]);
  const confirm = useCallback(
    (question: ConfirmQuestion) =>
      new Promise<boolean>((resolve) => {
        settle(null, false);
        const key = ++asks.current;
        pending.current = { key, resolve };
        setAsked({ key, question });
      }),
    [settle],
  );
  const dialog = asked ? (
    <ConfirmDialog
      key={asked.key}
      {...asked.question}
      cancel={i18n.p('confirmCancel')}
      onAnswer={(yes) => settle(asked.key, yes)}
    />
  ) : null;
  const confirmThen = (question: ConfirmQuestion, onYes: () => void) =>
    void confirm(question).then((yes) => {
      if (yes) onYes();
    });
  return { confirm, confirmThen, dialog };
}
