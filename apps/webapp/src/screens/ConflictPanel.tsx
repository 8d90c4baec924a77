import type { PaymentDirection } from '@payreq/contracts';
import { Button } from '@payreq/ui';
import type { FieldName, I18n } from '@payreq/ui';

import type { RequestView } from '../api';

// Its own chunk: a conflict is rare, and the first screen should not wait for it (bench/RESULTS.md).

export interface Conflict {
  theirs: RequestView;
  mine: Partial<Record<FieldName, string>>;
  /** Fields the other side changed that I did not touch (kept as theirs either way). */
  alsoChanged: FieldName[];
}

function shown(name: FieldName, value: string | null | undefined, i18n: I18n): string {
  if (value === null || value === undefined || value.trim() === '') return i18n.t('empty');
  if (name === 'direction') return i18n.direction(value as PaymentDirection);
  return value;
}

/** Both versions side by side: theirs (fresh from the server) and mine; the user decides. */
export default function ConflictPanel(props: {
  i18n: I18n;
  conflict: Conflict;
  busy: boolean;
  onKeepTheirs: () => void;
  onApplyMine: () => void;
}) {
  const { i18n, conflict } = props;
  const who = [...conflict.theirs.history].reverse().find((entry) => entry.actor.name)?.actor.name;
  const mine = Object.keys(conflict.mine) as FieldName[];
  return (
    <div
      className="conflict"
      role="alertdialog"
      aria-labelledby="conflict-title"
      data-testid="conflict"
    >
      <h2 className="conflict-title" id="conflict-title">
        {i18n.t('conflictTitle')}
      </h2>
      <p className="conflict-text">
        {i18n.t('conflictText', { who: who ?? i18n.t('conflictSomeone') })}
      </p>
      <div className="conflict-table">
        {mine.map((name) => (
          <div className="conflict-row" key={name} data-testid={`conflict-${name}`}>
            <div className="conflict-field">{i18n.field(name)}</div>
            <div className="conflict-cell">
              <span className="conflict-label">{i18n.t('conflictTheirs')}</span>
              <span className="conflict-value" data-testid={`conflict-theirs-${name}`}>
                {shown(name, conflict.theirs.fields[name], i18n)}
              </span>
            </div>
            <div className="conflict-cell conflict-mine">
              <span className="conflict-label">{i18n.t('conflictMine')}</span>
              <span className="conflict-value" data-testid={`conflict-mine-${name}`}>
                {shown(name, conflict.mine[name], i18n)}
              </span>
            </div>
          </div>
        ))}
      </div>
      {conflict.alsoChanged.length > 0 ? (
        <p className="muted">
          {i18n.t('conflictAlsoChanged', {
            fields: conflict.alsoChanged.map((name) => i18n.field(name)).join(', '),
          })}
        </p>
      ) : null}
      <div className="conflict-actions">
        <Button onClick={props.onKeepTheirs} disabled={props.busy} testId="keep-theirs">
          {i18n.t('keepTheirs')}
        </Button>
        <Button kind="primary" onClick={props.onApplyMine} busy={props.busy} testId="apply-mine">
          {i18n.t('applyMine')}
        </Button>
      </div>
    </div>
  );
}
