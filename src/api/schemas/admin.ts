/** The shapes of /api/admin. */
import { z } from 'zod';
import { UserProfile, UserRole } from './auth';

export const CreateUserRequest = z
  .object({
    email: z.email().max(254),
    first_name: z.string().trim().min(1).max(150),
    last_name: z.string().trim().min(1).max(150),
    role: UserRole,
    organization_id: z.int().positive().max(2_147_483_647).optional().meta({ description: "The admin's own organization by default." }),
    phone_number: z
      .string()
      .trim()
      .regex(/^\+?\d{6,15}$/, 'Digits only, optionally after a +, 6 to 15 of them.')
      .nullish(),
    is_staff: z.boolean().default(false),
  })
  .meta({ id: 'CreateUserRequest' });

export const UserCreated = z
  .object({
    user: UserProfile,
    temporary_password: z.string().meta({ description: 'Also mailed; to be changed at first login.' }),
    email_sent: z.boolean(),
    email_delivery: z.enum(['smtp', 'outbox', 'failed']).meta({
      description: 'Where the mail went: SMTP, the outbox folder (no EMAIL_HOST configured), or nowhere (it could not be sent).',
    }),
    message: z.string(),
  })
  .meta({ id: 'UserCreated' });
