/** How a user is shown by the API: the seed's summary (login) and profile (profile, admin create). */
import type { Organization, User } from '../models';

export function userSummary(user: User) {
  return { id: user.id, email: user.email, first_name: user.first_name, last_name: user.last_name, role: user.role };
}

export function userProfile(user: User, organization: Organization | null) {
  return {
    ...userSummary(user),
    is_staff: user.is_staff,
    phone_number: user.phone_number,
    must_change_password: user.must_change_password,
    organization: organization ? { id: organization.id, code: organization.code, name: organization.name } : null,
  };
}
