/**
 * The console: the login and password pages, then the pages of a signed-in user inside the layout. A session
 * that ends (the API refused the refresh, the user or the organization was deactivated) brings back the login
 * page with the reason; a temporary password brings the password change page before anything else.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { onPasswordChangeRequired, onSessionEnd, type SessionEnd } from './api/session';
import { loadProfile, resumeSession, type Profile } from './auth';
import { Loading } from './components/Display';
import { Layout } from './components/Layout';
import { currentLanguage, messagesFor, onLanguageChange, TranslationContext, type Language } from './i18n';
import { AdminPage } from './pages/admin/AdminPage';
import { BeneficiaryPage } from './pages/Beneficiary';
import { BulkPage } from './pages/Bulk';
import { ChangePasswordPage } from './pages/ChangePassword';
import { HistoryPage } from './pages/History';
import { HomePage } from './pages/Home';
import { LoginPage } from './pages/Login';
import { NotFoundPage } from './pages/NotFound';
import { RollPage } from './pages/Roll';
import { RunsPage } from './pages/Runs';
import { TeamPage } from './pages/Team';
import { UploadPage } from './pages/Upload';
import { WebhooksPage } from './pages/Webhooks';
import { navigate, paths, routeOf, useLocation, type Route } from './router';

type AuthState =
  { status: 'checking' } | { status: 'signedOut'; reason?: SessionEnd } | { status: 'signedIn'; profile: Profile };

export function App() {
  const [lang, setLang] = useState<Language>(currentLanguage());
  const [auth, setAuth] = useState<AuthState>({ status: 'checking' });
  const location = useLocation();
  const route = routeOf(location.path);
  const translation = useMemo(() => ({ lang, m: messagesFor(lang) }), [lang]);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = translation.m.common.appName;
  }, [lang]);
  useEffect(() => onLanguageChange(setLang), []);

  useEffect(() => {
    const stopEnd = onSessionEnd((reason) => setAuth({ status: 'signedOut', reason }));
    const stopPassword = onPasswordChangeRequired(() => {
      setAuth((current) =>
        current.status === 'signedIn'
          ? { status: 'signedIn', profile: { ...current.profile, must_change_password: true } }
          : current,
      );
    });
    resumeSession()
      .then((profile) => setAuth(profile ? { status: 'signedIn', profile } : { status: 'signedOut' }))
      .catch(() => setAuth({ status: 'signedOut' }));
    return () => {
      stopEnd();
      stopPassword();
    };
  }, []);

  // Where each state of the session belongs: the login page when signed out, the password page while the
  // password is temporary, and never back to either once past them.
  useEffect(() => {
    if (auth.status === 'signedOut' && route.page !== 'login') navigate(paths.login, { replace: true });
    if (auth.status !== 'signedIn') return;
    if (auth.profile.must_change_password && route.page !== 'changePassword')
      navigate(paths.changePassword, { replace: true });
    else if (!auth.profile.must_change_password && (route.page === 'login' || route.page === 'changePassword'))
      navigate(paths.home, { replace: true });
  }, [auth, route.page]);

  const signedIn = (profile: Profile) => setAuth({ status: 'signedIn', profile });

  return (
    <TranslationContext.Provider value={translation}>
      {auth.status === 'checking' && <Loading />}
      {auth.status === 'signedOut' && <LoginPage reason={auth.reason} onSignedIn={signedIn} />}
      {auth.status === 'signedIn' && auth.profile.must_change_password && (
        <ChangePasswordPage profile={auth.profile} onChanged={() => void loadProfile().then(signedIn)} />
      )}
      {auth.status === 'signedIn' && !auth.profile.must_change_password && (
        <Layout profile={auth.profile} route={route}>
          <Page route={route} profile={auth.profile} />
        </Layout>
      )}
    </TranslationContext.Provider>
  );
}

function Page({ route, profile }: { route: Route; profile: Profile }) {
  switch (route.page) {
    case 'home':
    case 'login':
    case 'changePassword':
      return <HomePage profile={profile} />;
    case 'upload':
      return <UploadPage profile={profile} />;
    case 'bulk':
      return <BulkPage id={route.id} profile={profile} />;
    case 'history':
      return <HistoryPage />;
    case 'roll':
      return <RollPage profile={profile} />;
    case 'beneficiary':
      return <BeneficiaryPage id={route.id} profile={profile} />;
    case 'runs':
      return <RunsPage profile={profile} />;
    case 'admin':
      return <AdminPage profile={profile} section={route.section} />;
    case 'team':
      return <TeamPage profile={profile} />;
    case 'webhooks':
      return <WebhooksPage profile={profile} />;
    case 'notFound':
      return <NotFoundPage />;
  }
}
