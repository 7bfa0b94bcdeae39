import type { UserRole } from '../models';

/** Who is calling, as established by the authentication middleware (src/api/middleware/authenticate.ts). */
export interface AuthenticatedUser {
  id: number;
  email: string;
  role: UserRole;
  isStaff: boolean;
  organizationId: number | null;
  mustChangePassword: boolean;
}
