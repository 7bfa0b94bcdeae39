/** A user created by an admin (temporary password) comes here first: every other route answers 403 until then. */
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import { dataOf } from '../api/errors';
import { startSession } from '../api/session';
import { signOut, type Profile } from '../auth';
import { ErrorNotice } from '../components/Display';
import { LanguageSwitch } from '../components/Layout';
import { useT } from '../i18n';

export function ChangePasswordPage({ profile, onChanged }: { profile: Profile; onChanged: () => void }) {
  const { m } = useT();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [mismatch, setMismatch] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setError(undefined);
    setMismatch(next !== confirmation);
    if (next !== confirmation) return;
    setBusy(true);
    try {
      // Every earlier token of the user is dead once this succeeds: the answer's pair is the session now.
      startSession(
        dataOf(await api.POST('/api/auth/change-password', { body: { old_password: current, new_password: next } })),
      );
      onChanged();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="centered" id="contenu">
      <div class="card narrow">
        <div class="card-head">
          <h1>{m.password.title}</h1>
          <LanguageSwitch />
        </div>
        <p>{m.password.intro}</p>
        <p class="muted">{profile.email}</p>
        <form onSubmit={(event) => void submit(event)}>
          <label for="password-current">{m.password.current}</label>
          <input
            id="password-current"
            type="password"
            autocomplete="current-password"
            required
            value={current}
            onInput={(e) => setCurrent(e.currentTarget.value)}
          />
          <label for="password-new">{m.password.new}</label>
          <input
            id="password-new"
            type="password"
            autocomplete="new-password"
            required
            minLength={12}
            aria-describedby="password-hint"
            value={next}
            onInput={(e) => setNext(e.currentTarget.value)}
          />
          <p id="password-hint" class="hint">
            {m.password.hint}
          </p>
          <label for="password-confirm">{m.password.confirm}</label>
          <input
            id="password-confirm"
            type="password"
            autocomplete="new-password"
            required
            value={confirmation}
            onInput={(e) => setConfirmation(e.currentTarget.value)}
          />
          {mismatch && (
            <div class="notice notice-error" role="alert">
              {m.password.mismatch}
            </div>
          )}
          <ErrorNotice error={error} />
          <div class="actions">
            <button type="submit" disabled={busy}>
              {m.password.submit}
            </button>
            <button type="button" class="secondary" onClick={signOut}>
              {m.nav.signOut}
            </button>
          </div>
        </form>
      </div>
    </main>
  );
}
