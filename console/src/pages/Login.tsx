import { useState } from 'preact/hooks';
import type { SessionEnd } from '../api/session';
import { signIn, type Profile } from '../auth';
import { ErrorNotice, Notice } from '../components/Display';
import { LanguageSwitch } from '../components/Layout';
import { useT } from '../i18n';

export function LoginPage({
  reason,
  onSignedIn,
}: {
  reason: SessionEnd | undefined;
  onSignedIn: (profile: Profile) => void;
}) {
  const { m } = useT();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await signIn(email.trim(), password));
    } catch (caught) {
      setError(caught);
      setPassword('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="centered" id="contenu">
      <div class="card narrow">
        <div class="card-head">
          <h1>{m.common.appName}</h1>
          <LanguageSwitch />
        </div>
        <h2>{m.login.title}</h2>
        {reason && !error && (
          <Notice tone={reason === 'signed_out' ? 'info' : 'warning'}>{m.login.sessionEnded[reason]}</Notice>
        )}
        <p>{m.login.intro}</p>
        <form onSubmit={(event) => void submit(event)}>
          <label for="login-email">{m.login.email}</label>
          <input
            id="login-email"
            type="email"
            autocomplete="username"
            required
            value={email}
            onInput={(event) => setEmail(event.currentTarget.value)}
          />
          <label for="login-password">{m.login.password}</label>
          <input
            id="login-password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(event) => setPassword(event.currentTarget.value)}
          />
          <ErrorNotice error={error} />
          <button type="submit" disabled={busy}>
            {m.login.submit}
          </button>
        </form>
      </div>
    </main>
  );
}
