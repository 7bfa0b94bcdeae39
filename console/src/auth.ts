/** Signing in and out, and who is signed in: the profile the pages use to show or hide what the role may do. */
import { api, type Schemas } from './api/client';
import { dataOf } from './api/errors';
import { endSession, refreshSession, startSession, hasStoredSession } from './api/session';

export type Profile = Schemas['UserProfile'];

export async function signIn(email: string, password: string): Promise<Profile> {
  const answer = dataOf(await api.POST('/api/auth/login', { body: { email, password } }));
  startSession(answer);
  return loadProfile();
}

export async function loadProfile(): Promise<Profile> {
  return dataOf(await api.GET('/api/auth/profile'));
}

/** A tab reloaded while signed in: its stored refresh token gives a new access token, or the login page. */
export async function resumeSession(): Promise<Profile | null> {
  if (!hasStoredSession()) return null;
  if (!(await refreshSession())) return null;
  return loadProfile();
}

/**
 * Ends the session on the server first (POST /api/auth/logout revokes this login, so a copy of its tokens stops
 * working too), then here. The tab signs out even when the API cannot be reached: the user asked to leave.
 */
export function signOut(): void {
  void api
    .POST('/api/auth/logout')
    .catch(() => undefined)
    .finally(() => endSession('signed_out'));
}

/** What the role may do; the API refuses the same calls anyway (403), the console only hides what would be refused. */
export function mayPay(profile: Profile): boolean {
  return profile.role === 'GESTIONNAIRE';
}

export function mayApprove(profile: Profile): boolean {
  return profile.role === 'GESTIONNAIRE' || profile.is_staff;
}

/** Registers and removes the organization's webhooks (staff: any organization's). */
export function mayManageWebhooks(profile: Profile): boolean {
  return profile.role === 'GESTIONNAIRE' || profile.is_staff;
}

export function isStaff(profile: Profile): boolean {
  return profile.is_staff;
}
