/**
 * The console's pages are real paths (/lots/<id>, /historique, …): the API answers index.html for them, so a link
 * can be bookmarked, shared or opened in a new tab. Navigation inside the app uses the History API.
 */
import { useEffect, useState } from 'preact/hooks';

export const paths = {
  login: '/connexion',
  changePassword: '/mot-de-passe',
  home: '/',
  upload: '/paiements/nouveau',
  bulk: (id: string) => `/lots/${encodeURIComponent(id)}`,
  history: '/historique',
  roll: '/pensionnes',
  beneficiary: (id: number) => `/pensionnes/${id}`,
  runs: '/paiements-mensuels',
  admin: '/administration',
  adminOrganizations: '/administration/organisations',
  adminAccounts: '/administration/comptes',
  adminAudit: '/administration/journal',
  team: '/equipe',
  webhooks: '/webhooks',
};

/** The administration's pages (staff): users first, at /administration itself. */
export type AdminSection = 'users' | 'organizations' | 'accounts' | 'audit';

export type Route =
  | { page: 'login' }
  | { page: 'changePassword' }
  | { page: 'home' }
  | { page: 'upload' }
  | { page: 'bulk'; id: string }
  | { page: 'history' }
  | { page: 'roll' }
  | { page: 'beneficiary'; id: number }
  | { page: 'runs' }
  | { page: 'admin'; section: AdminSection }
  | { page: 'team' }
  | { page: 'webhooks' }
  | { page: 'notFound' };

export function routeOf(path: string): Route {
  const fixed: Record<string, Route> = {
    [paths.login]: { page: 'login' },
    [paths.changePassword]: { page: 'changePassword' },
    [paths.home]: { page: 'home' },
    [paths.upload]: { page: 'upload' },
    [paths.history]: { page: 'history' },
    [paths.roll]: { page: 'roll' },
    [paths.runs]: { page: 'runs' },
    [paths.admin]: { page: 'admin', section: 'users' },
    [paths.adminOrganizations]: { page: 'admin', section: 'organizations' },
    [paths.adminAccounts]: { page: 'admin', section: 'accounts' },
    [paths.adminAudit]: { page: 'admin', section: 'audit' },
    [paths.team]: { page: 'team' },
    [paths.webhooks]: { page: 'webhooks' },
  };
  const found = fixed[path.length > 1 ? path.replace(/\/$/, '') : path];
  if (found) return found;
  const bulk = /^\/lots\/([^/]+)$/.exec(path);
  if (bulk) return { page: 'bulk', id: decodeURIComponent(bulk[1]!) };
  const beneficiary = /^\/pensionnes\/(\d{1,9})$/.exec(path);
  if (beneficiary) return { page: 'beneficiary', id: Number(beneficiary[1]) };
  return { page: 'notFound' };
}

const listeners = new Set<() => void>();

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  for (const listener of listeners) listener();
  window.scrollTo(0, 0);
}

/** The current path and query; re-renders on navigation and on the browser's back and forward. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const changed = () => setTick((tick) => tick + 1);
    listeners.add(changed);
    window.addEventListener('popstate', changed);
    return () => {
      listeners.delete(changed);
      window.removeEventListener('popstate', changed);
    };
  }, []);
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

/** A click on an in-app link navigates without reloading (a modified click still opens a new tab). */
export function followLink(event: MouseEvent, to: string): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
    return;
  event.preventDefault();
  navigate(to);
}
