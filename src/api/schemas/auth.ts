/** The shapes of /api/auth and of a user, as the seed has them. */
import { z } from 'zod';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../auth/passwordPolicy';
import { USER_ROLES } from '../../models';

const password = z.string().min(1).max(MAX_PASSWORD_LENGTH);
const jwt = z.string().min(1).meta({ description: 'A signed JWT.' });

export const UserRole = z.enum(USER_ROLES);

const UserSummary = z
  .object({ id: z.int(), email: z.string(), first_name: z.string(), last_name: z.string(), role: UserRole })
  .meta({ id: 'UserSummary' });

export const UserProfile = UserSummary.extend({
  is_staff: z.boolean(),
  phone_number: z.string().nullable(),
  must_change_password: z.boolean().meta({ description: 'True until the temporary password is changed.' }),
  organization: z.object({ id: z.int(), code: z.string(), name: z.string() }).nullable(),
}).meta({ id: 'UserProfile' });

const tokenPair = {
  access: jwt.meta({ description: 'Access token: send it as `Authorization: Bearer <access>`.' }),
  refresh: jwt.meta({ description: 'Refresh token: single use; each refresh answers the next one.' }),
};
export const TokenPair = z.object(tokenPair).meta({ id: 'TokenPair' });

export const LoginRequest = z
  .object({ email: z.string().trim().min(1).max(254).meta({ description: 'Case-insensitive.' }), password })
  .meta({ id: 'LoginRequest' });
export const LoginResponse = z.object({ ...tokenPair, user: UserSummary }).meta({ id: 'LoginResponse' });
export const RefreshRequest = z.object({ refresh: z.string().min(1).max(4096) }).meta({ id: 'RefreshRequest' });

export const ChangePasswordRequest = z
  .object({
    old_password: password,
    new_password: password.meta({
      description: `At least ${MIN_PASSWORD_LENGTH} characters, different from the current password and from the email.`,
    }),
  })
  .meta({ id: 'ChangePasswordRequest' });
export const ChangePasswordResponse = z
  .object({ ...tokenPair, message: z.string() })
  .meta({ id: 'ChangePasswordResponse' });
