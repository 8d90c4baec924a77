import { useEffect, useRef } from 'react';
import { Banner } from '@payreq/ui';

import { trpc } from '../api';
import type { PortalI18n, PortalWordKey } from '../words';

const refusals = ['incomplete', 'forged', 'expired', 'not_agent'] as const;

/**
 * Sign-in with Telegram's website login. With the real widget, Telegram's script draws the button
 * and sends the browser to `/portal/auth/telegram` with the signed fields; with the test server,
 * a link opens its login page, which does the same.
 */
export function SignIn(props: {
  i18n: PortalI18n;
  onLocale: () => void;
  themeLabel: string;
  onTheme: () => void;
}) {
  const { i18n } = props;
  const options = trpc.portal.signInOptions.useQuery();
  const widget = useRef<HTMLDivElement>(null);
  const reason = new URLSearchParams(window.location.search).get('signIn');
  const refusal = refusals.find((candidate) => candidate === reason);
  const returnTo = `${window.location.origin}/portal/auth/telegram`;

  useEffect(() => {
    const data = options.data;
    if (!data || data.provider !== 'telegram' || !data.botUsername || !widget.current) return;
    const script = document.createElement('script');
    script.async = true;
    script.src = 'https://telegram.org/js/telegram-widget.js?22';
    script.dataset.telegramLogin = data.botUsername;
    script.dataset.size = 'large';
    script.dataset.authUrl = returnTo;
    script.dataset.requestAccess = 'write';
    widget.current.replaceChildren(script);
  }, [options.data, returnTo]);

  const testServerLink =
    options.data?.provider === 'test-server' && options.data.testServerAuthUrl
      ? `${options.data.testServerAuthUrl}?${new URLSearchParams({
          bot_id: options.data.botId,
          origin: window.location.origin,
          return_to: returnTo,
          request_access: 'write',
        })}`
      : null;

  return (
    <main className="sign-in" data-testid="sign-in">
      <div className="sign-in-card">
        <h1>{i18n.p('signInTitle')}</h1>
        <p className="muted">{i18n.p('signInText')}</p>
        {refusal ? (
          <Banner tone="error" testId="sign-in-refused">
            {i18n.p(`signInRefused_${refusal}` as PortalWordKey)}
          </Banner>
        ) : null}
        {testServerLink ? (
          <>
            <a
              className="button button-primary sign-in-button"
              href={testServerLink}
              data-testid="sign-in-telegram"
            >
              {i18n.p('signInButton')}
            </a>
            <p className="muted small">{i18n.p('signInTestServer')}</p>
          </>
        ) : (
          <div ref={widget} data-testid="telegram-widget" />
        )}
        <div className="inline">
          <button className="link-button" onClick={props.onLocale}>
            {i18n.p('language')}
          </button>
          <button className="link-button" onClick={props.onTheme} data-testid="theme">
            {props.themeLabel}
          </button>
        </div>
      </div>
    </main>
  );
}
