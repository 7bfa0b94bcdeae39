/** The frame of every signed-in page: the header (who, language, sign out), the navigation, the page. */
import type { ComponentChildren } from 'preact';
import { isStaff, mayManageWebhooks, mayPay, signOut, type Profile } from '../auth';
import { setLanguage, useT, type Language } from '../i18n';
import { paths, type Route } from '../router';
import { Link } from './Link';

export function Layout({ profile, route, children }: { profile: Profile; route: Route; children: ComponentChildren }) {
  const { m } = useT();
  const links: Array<{ href: string; label: string; current: boolean; shown: boolean }> = [
    { href: paths.home, label: m.nav.home, current: route.page === 'home', shown: true },
    { href: paths.upload, label: m.nav.upload, current: route.page === 'upload', shown: mayPay(profile) },
    {
      href: paths.history,
      label: m.nav.history,
      current: route.page === 'history' || route.page === 'bulk',
      shown: true,
    },
    {
      href: paths.roll,
      label: m.nav.roll,
      current: route.page === 'roll' || route.page === 'beneficiary',
      shown: true,
    },
    { href: paths.runs, label: m.nav.runs, current: route.page === 'runs', shown: true },
    { href: paths.team, label: m.nav.team, current: route.page === 'team', shown: profile.organization !== null },
    {
      href: paths.webhooks,
      label: m.nav.webhooks,
      current: route.page === 'webhooks',
      shown: mayManageWebhooks(profile),
    },
    { href: paths.admin, label: m.nav.admin, current: route.page === 'admin', shown: isStaff(profile) },
  ];
  const role = profile.is_staff ? m.common.staff : (m.roles[profile.role] ?? profile.role);
  return (
    <>
      <a class="skip" href="#contenu">
        {m.common.skipToContent}
      </a>
      <header class="top">
        <div class="brand">
          <strong>{m.common.appName}</strong>
          {profile.organization && <span class="organization">{profile.organization.name}</span>}
        </div>
        <div class="who">
          <span>{m.common.signedInAs(profile.email, role)}</span>
          <LanguageSwitch />
          <button type="button" class="secondary" onClick={signOut}>
            {m.nav.signOut}
          </button>
        </div>
      </header>
      <nav class="main-nav" aria-label={m.nav.label}>
        <ul>
          {links
            .filter((link) => link.shown)
            .map((link) => (
              <li key={link.href}>
                <Link href={link.href} ariaCurrent={link.current}>
                  {link.label}
                </Link>
              </li>
            ))}
        </ul>
      </nav>
      <main id="contenu" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

export function LanguageSwitch() {
  const { lang, m } = useT();
  return (
    <label class="language">
      <span>{m.common.language}</span>
      <select value={lang} onChange={(event) => setLanguage((event.currentTarget.value as Language) ?? 'fr')}>
        <option value="fr" lang="fr">
          Français
        </option>
        <option value="en" lang="en">
          English
        </option>
      </select>
    </label>
  );
}
