/** A new user (staff): a temporary password comes back, to hand over; the user changes it at the first login. */
import { useState } from 'preact/hooks';
import { api, type Schemas } from '../../api/client';
import { dataOf } from '../../api/errors';
import type { Profile } from '../../auth';
import { ErrorNotice, Notice } from '../../components/Display';
import { useT } from '../../i18n';
import type { Organization } from './organizationChoices';

type Role = Schemas['CreateUserRequest']['role'];
const ROLES: readonly Role[] = ['GESTIONNAIRE', 'SUPERVISEUR'];

export function CreateUser({
  profile,
  organizations,
  onCreated,
}: {
  profile: Profile;
  organizations: Organization[];
  onCreated: () => void;
}) {
  const { m } = useT();
  const [email, setEmail] = useState('');
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [role, setRole] = useState<Role>('GESTIONNAIRE');
  // Empty: the API's default, the admin's own organization.
  const [organization, setOrganization] = useState('');
  const [phone, setPhone] = useState('');
  const [staff, setStaff] = useState(false);
  const [created, setCreated] = useState<Schemas['UserCreated'] | null>(null);
  const [error, setError] = useState<unknown>(undefined);

  async function submit(event: Event) {
    event.preventDefault();
    setError(undefined);
    setCreated(null);
    try {
      const body: Schemas['CreateUserRequest'] = {
        email: email.trim(),
        first_name: firstName.trim(),
        last_name: lastName.trim(),
        role,
        is_staff: staff,
      };
      if (organization) body.organization_id = Number(organization);
      if (phone.trim()) body.phone_number = phone.trim();
      setCreated(dataOf(await api.POST('/api/admin/users/create', { body })));
      setEmail('');
      setFirstName('');
      setLastName('');
      setPhone('');
      onCreated();
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <section class="card" aria-labelledby="create-user-title">
      <h2 id="create-user-title">{m.admin.createUser}</h2>
      <form onSubmit={(event) => void submit(event)} class="grid-form">
        <div>
          <label for="user-email">{m.admin.email}</label>
          <input
            id="user-email"
            type="email"
            required
            value={email}
            onInput={(event) => setEmail(event.currentTarget.value)}
          />
        </div>
        <div>
          <label for="user-first">{m.admin.firstName}</label>
          <input
            id="user-first"
            required
            maxLength={150}
            value={firstName}
            onInput={(event) => setFirstName(event.currentTarget.value)}
          />
        </div>
        <div>
          <label for="user-last">{m.admin.lastName}</label>
          <input
            id="user-last"
            required
            maxLength={150}
            value={lastName}
            onInput={(event) => setLastName(event.currentTarget.value)}
          />
        </div>
        <div>
          <label for="user-role">{m.admin.role}</label>
          <select id="user-role" value={role} onChange={(event) => setRole(event.currentTarget.value as Role)}>
            {ROLES.map((value) => (
              <option key={value} value={value}>
                {m.roles[value]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="user-organization">{m.admin.organizationId}</label>
          <select
            id="user-organization"
            value={organization}
            onChange={(event) => setOrganization(event.currentTarget.value)}
          >
            <option value="">
              {m.admin.ownOrganization}
              {profile.organization ? ` (${profile.organization.name})` : ''}
            </option>
            {organizations.map((candidate) => (
              <option key={candidate.id} value={String(candidate.id)}>
                {candidate.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="user-phone">{m.admin.phone}</label>
          <input id="user-phone" type="tel" value={phone} onInput={(event) => setPhone(event.currentTarget.value)} />
        </div>
        <div class="checkbox">
          <input
            id="user-staff"
            type="checkbox"
            checked={staff}
            onChange={(event) => setStaff(event.currentTarget.checked)}
          />
          <label for="user-staff">{m.admin.isStaff}</label>
        </div>
        <div class="actions">
          <button type="submit">{m.admin.createUser}</button>
        </div>
      </form>
      {created && (
        <Notice tone="success">
          {m.admin.userCreated(created.user.email)} <code>{created.temporary_password}</code>{' '}
          {m.admin.delivery[created.email_delivery]}
        </Notice>
      )}
      <ErrorNotice error={error} />
    </section>
  );
}
