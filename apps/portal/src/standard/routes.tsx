import type { PortalMe } from '@payreq/contracts';
import type { ReactNode } from 'react';
import { useEffect } from 'react';

import { AppLink, navigate } from '../route';
import type { PortalI18n } from '../words';
import { CompanyScreen, JoinScreen } from './Company';
import { NewRequest } from './NewRequest';
import { Notifications, useUnreadNotifications } from './Notifications';
import { CompanyRequests, Market } from './StandardList';
import { StandardRequest } from './StandardRequest';
import { standardWords } from './words';
import './standard.css';

const isPerson = (me: PortalMe) => me.kind === 'person';

/**
 * The standard pipeline's pages (client companies, the market, a standard request,
 * notifications), or null when the path is none of them: the portal's shell shows its own then.
 */
export function standardPage(path: string, me: PortalMe, i18n: PortalI18n): ReactNode | null {
  const standard = /^\/portal\/standard\/([0-9a-f-]{36})\/?$/.exec(path);
  if (standard) return <StandardRequest i18n={i18n} requestId={standard[1]!} />;
  const join = /^\/portal\/join\/([A-Za-z0-9_-]{32,64})\/?$/.exec(path);
  if (join) return <JoinScreen i18n={i18n} token={join[1]!} isAgent={!isPerson(me)} />;
  if (/^\/portal\/notifications\/?$/.test(path)) return <Notifications i18n={i18n} />;
  if (isPerson(me)) {
    if (/^\/portal\/?$/.test(path))
      return <CompanyRequests i18n={i18n} hasCompany={me.tenantName !== null} />;
    if (/^\/portal\/company\/?$/.test(path)) return <CompanyScreen i18n={i18n} />;
    if (/^\/portal\/new\/?$/.test(path) && me.tenantName !== null)
      return <NewRequest i18n={i18n} forClient={false} />;
    return null;
  }
  if (/^\/portal\/market\/?$/.test(path)) return <Market i18n={i18n} mayFile={me.tenantIsMaster} />;
  // The bank's agents file for a client company that has no agent of its own (task_1's case).
  if (/^\/portal\/new\/?$/.test(path) && me.tenantIsMaster)
    return <NewRequest i18n={i18n} forClient />;
  return null;
}

/**
 * Whether the path belongs to one of the standard pipeline's own navigation entries (for an
 * agent, a standard request belongs to the market; for a person, to the company's requests).
 */
export const isStandardNavPath = (path: string, me: PortalMe) =>
  /^\/portal\/(market|company|notifications|new)\/?$/.test(path) ||
  (!isPerson(me) && path.startsWith('/portal/standard/'));

function NavLink(props: {
  path: string;
  current: string;
  testId: string;
  /** Further paths under this entry. */
  also?: string;
  children: ReactNode;
}) {
  const on =
    props.current.replace(/\/$/, '') === props.path ||
    (props.also !== undefined && props.current.startsWith(props.also));
  return (
    <AppLink href={props.path} className={on ? 'nav-on' : ''} testId={props.testId}>
      {props.children}
    </AppLink>
  );
}

/** The standard pipeline's entries in the top bar's navigation. */
export function StandardNav(props: { i18n: PortalI18n; me: PortalMe; path: string }) {
  const s = standardWords(props.i18n.locale);
  const unread = useUnreadNotifications();
  return (
    <>
      {isPerson(props.me) ? (
        <NavLink path="/portal/company" current={props.path} testId="nav-company">
          {s('navCompany')}
        </NavLink>
      ) : (
        <NavLink
          path="/portal/market"
          also="/portal/standard/"
          current={props.path}
          testId="nav-market"
        >
          {s('navMarket')}
        </NavLink>
      )}
      <NavLink path="/portal/notifications" current={props.path} testId="nav-notifications">
        {s('navNotifications')}
        {unread > 0 ? (
          <span className="nav-count" data-testid="unread">
            {unread}
          </span>
        ) : null}
      </NavLink>
    </>
  );
}

const afterSignInKey = 'payreq.portal.afterSignIn';

/**
 * An invitation link opened before signing in: Telegram's login always comes back to the
 * portal's start, so the link's page is kept for this tab and opened once the person is in.
 */
export function useInvitationThroughSignIn(signedIn: boolean, signedOut: boolean, path: string) {
  useEffect(() => {
    try {
      if (signedOut && /^\/portal\/join\//.test(path))
        window.sessionStorage.setItem(afterSignInKey, path);
      if (!signedIn) return;
      const kept = window.sessionStorage.getItem(afterSignInKey);
      window.sessionStorage.removeItem(afterSignInKey);
      if (kept && /^\/portal\/join\/[A-Za-z0-9_-]{32,64}$/.test(kept) && kept !== path)
        navigate(kept);
    } catch {
      // A browser without storage: the person opens the link again after signing in.
    }
  }, [signedIn, signedOut, path]);
}
