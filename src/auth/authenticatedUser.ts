import type { UserRole } from '../models';

/** Who is calling, as established by the authentication middleware (src/api/middleware/authenticate.ts). */
export interface AuthenticatedUser {
  id: number;
  /** The login this request's access token belongs to (refresh_tokens.family_id): what logout ends. */
  sessionId: string;
  email: string;
  role: UserRole;
  isStaff: boolean;
  organizationId: number | null;
  mustChangePassword: boolean;
}
