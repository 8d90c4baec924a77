import { Banner, Button } from '@payreq/ui';
import type { I18n } from '@payreq/ui';

export function Loading(props: { i18n: I18n }) {
  return (
    <main className="screen screen-center" aria-busy="true" data-testid="loading">
      <span className="spinner spinner-large" aria-hidden="true" />
      <p className="muted">{props.i18n.t('loading')}</p>
    </main>
  );
}

export function FullScreenMessage(props: { i18n: I18n; text: string; onRetry?: () => void }) {
  return (
    <main className="screen screen-center" data-testid="fatal">
      <Banner tone="error">{props.text}</Banner>
      {props.onRetry ? (
        <Button kind="primary" onClick={props.onRetry}>
          {props.i18n.t('retry')}
        </Button>
      ) : null}
    </main>
  );
}
