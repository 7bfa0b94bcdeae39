/**
 * Administration (staff): users, organizations, accounts and deposits, the audit log, one page each under
 * /administration, with their own navigation. The API refuses all of it to non-staff (403) anyway.
 */
import { isStaff, type Profile } from '../../auth';
import { Notice } from '../../components/Display';
import { Link } from '../../components/Link';
import { useT } from '../../i18n';
import { paths, type AdminSection } from '../../router';
import { AccountsSection } from './Accounts';
import { AuditSection } from './Audit';
import { OrganizationsSection } from './Organizations';
import { UsersSection } from './Users';

export function AdminPage({ profile, section }: { profile: Profile; section: AdminSection }) {
  const { m } = useT();
  if (!isStaff(profile)) return <Notice>{m.errors.permission_denied}</Notice>;
  const sections: Array<{ id: AdminSection; href: string; label: string }> = [
    { id: 'users', href: paths.admin, label: m.admin.users },
    { id: 'organizations', href: paths.adminOrganizations, label: m.admin.organizations },
    { id: 'accounts', href: paths.adminAccounts, label: m.admin.accounts },
    { id: 'audit', href: paths.adminAudit, label: m.admin.audit },
  ];
  const current = sections.find((candidate) => candidate.id === section)!;
  return (
    <>
      <h1>
        {m.admin.title} <span class="muted">· {current.label}</span>
      </h1>
      <nav class="sub-nav" aria-label={m.admin.sections}>
        <ul>
          {sections.map((candidate) => (
            <li key={candidate.id}>
              <Link href={candidate.href} ariaCurrent={candidate.id === section}>
                {candidate.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {section === 'users' && <UsersSection profile={profile} />}
      {section === 'organizations' && <OrganizationsSection />}
      {section === 'accounts' && <AccountsSection profile={profile} />}
      {section === 'audit' && <AuditSection />}
    </>
  );
}
