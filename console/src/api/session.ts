/**
 * The signed-in session. The access token lives in memory only (a script injected into the page could read
 * storage, not a closure's variable); the refresh token is kept in sessionStorage so a reload of the tab stays
 * signed in, and is rotated exactly as the API does: each refresh spends it and stores the next one. A refresh
 * runs once at a time (two calls at once would present the same token twice, which the API takes for a theft and
 * answers by revoking the login).
 *
 * A session ends when the API says so: the refresh is refused (password changed elsewhere, login revoked,
 * expired), or the user or their organization was deactivated. Listeners are told why; the app then shows the
 * login page with that reason.
 */
import { currentLanguage } from '../i18n';
import { toApiError } from './errors';

const REFRESH_KEY = 'pension-console.refresh';

export type SessionEnd = 'expired' | 'revoked' | 'user_inactive' | 'organization_inactive' | 'signed_out';

type Listener = (reason: SessionEnd) => void;

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
const endListeners = new Set<Listener>();
const passwordChangeListeners = new Set<() => void>();

export interface TokenPair {
  access: string;
  refresh: string;
}

/** Keeps a pair the API answered (login, refresh, change-password). */
export function startSession(tokens: TokenPair): void {
  accessToken = tokens.access;
  sessionStorage.setItem(REFRESH_KEY, tokens.refresh);
}

export function hasStoredSession(): boolean {
  return sessionStorage.getItem(REFRESH_KEY) !== null;
}

export function endSession(reason: SessionEnd): void {
  const wasSignedIn = accessToken !== null || hasStoredSession();
  accessToken = null;
  sessionStorage.removeItem(REFRESH_KEY);
  if (wasSignedIn) for (const listener of endListeners) listener(reason);
}

export function onSessionEnd(listener: Listener): () => void {
  endListeners.add(listener);
  return () => endListeners.delete(listener);
}

/** Told when the API answers 403 password_change_required: the app shows the password change page. */
export function onPasswordChangeRequired(listener: () => void): () => void {
  passwordChangeListeners.add(listener);
  return () => passwordChangeListeners.delete(listener);
}

/** Spends the stored refresh token for a new pair; false (and the session ended) when the API refuses it. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= rotate().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function rotate(): Promise<boolean> {
  const refresh = sessionStorage.getItem(REFRESH_KEY);
  if (refresh === null) return false;
  const response = await fetch('/api/auth/token/refresh', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Accept-Language': currentLanguage() },
    body: JSON.stringify({ refresh }),
  });
  if (response.ok) {
    startSession((await response.json()) as TokenPair);
    return true;
  }
  const code = await errorCodeOf(response);
  // A refresh that failed for another reason than a refusal (the API down, 5xx) does not end the session.
  if (response.status !== 401) return false;
  endSession(sessionEndFor(code));
  return false;
}

/**
 * fetch for the API client: adds the access token and the language, and on a 401 for an expired access token
 * refreshes once and sends the request again (a clone made before the first send: a body can be read once).
 */
export async function sessionFetch(request: Request): Promise<Response> {
  const again = request.clone();
  const first = await fetch(authorized(request));
  if (first.status === 403) await noticePasswordChange(first);
  if (first.status !== 401 || !hasStoredSession()) return first;
  const code = await errorCodeOf(first);
  if (code === 'user_inactive' || code === 'organization_inactive') {
    endSession(code);
    return first;
  }
  if (!(await refreshSession())) return first;
  const second = await fetch(authorized(again));
  if (second.status === 401) endSession(sessionEndFor(await errorCodeOf(second)));
  return second;
}

function authorized(request: Request): Request {
  const headers = new Headers(request.headers);
  if (accessToken !== null) headers.set('Authorization', `Bearer ${accessToken}`);
  headers.set('Accept-Language', currentLanguage());
  return new Request(request, { headers });
}

async function noticePasswordChange(response: Response): Promise<void> {
  if ((await errorCodeOf(response)) === 'password_change_required')
    for (const listener of passwordChangeListeners) listener();
}

function sessionEndFor(code: string | null): SessionEnd {
  if (code === 'user_inactive' || code === 'organization_inactive') return code;
  if (code === 'token_reused') return 'revoked';
  return 'expired';
}

async function errorCodeOf(response: Response): Promise<string | null> {
  try {
    const body = (await response.clone().json()) as { error?: { code?: unknown } };
    return typeof body.error?.code === 'string' ? body.error.code : null;
  } catch {
    return null;
  }
}

/** A download the API only gives with the token (reports, statements): fetched, then saved by the browser. */
export async function download(path: string, fileName: string): Promise<void> {
  const response = await sessionFetch(new Request(new URL(path, window.location.origin)));
  if (!response.ok) throw toApiError(response.status, await response.json().catch(() => null));
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Kept a while: revoked at once, the browser could lose the file before it has written it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
