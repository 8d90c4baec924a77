import type { ReactNode } from 'react';
import { useSyncExternalStore } from 'react';

/** The portal's pages are paths under /portal/: the api answers each with the app's page. */
export function navigate(path: string): void {
  window.history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** A link to a portal page, followed in the page without a reload. */
export function AppLink(props: {
  href: string;
  className?: string;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <a
      href={props.href}
      className={props.className}
      onClick={(event) => {
        event.preventDefault();
        navigate(props.href);
      }}
      data-testid={props.testId}
    >
      {props.children}
    </a>
  );
}

const subscribe = (onChange: () => void) => {
  window.addEventListener('popstate', onChange);
  return () => window.removeEventListener('popstate', onChange);
};

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export function useQueryParam(name: string): string | null {
  const search = useSyncExternalStore(subscribe, () => window.location.search);
  return new URLSearchParams(search).get(name);
}

/** A deal room's request opens the bank's page; a standard one, the market's page of it. */
export const requestPagePath = (request: { id: string; pipeline: 'STANDARD' | 'TELEGRAM' }) =>
  request.pipeline === 'STANDARD'
    ? `/portal/standard/${request.id}`
    : `/portal/requests/${request.id}`;
