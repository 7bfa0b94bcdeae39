/**
 * The shapes of the admin side (/api/admin: users, organizations, accounts, the audit log) and of an
 * organization's own user list (/api/organization/users). Request bodies are strict: a field that cannot be
 * changed here (a user's email, an organization's code) is refused, not silently ignored.
 */
import { z } from 'zod';
import { ruleMessage } from '../http/bodyValidation';
import { AUDIT_KINDS, AUDIT_SUBJECT_TYPES } from '../../audit/auditLog';
import { UserProfile, UserRole } from './auth';
import { Currency, MinorUnits, PartyIdType, Timestamp, page } from './common';

const MAX_ID = 2_147_483_647;
const MAX_APPROVAL_TIMEOUT_HOURS = 24 * 366;

/** A path parameter naming a row by its integer id; anything else names nothing (404). */
export function idParam() {
  return z
    .string()
    .regex(/^\d{1,10}$/)
    .transform(Number)
    .pipe(z.int().min(1).max(MAX_ID))
    .meta({ override: { type: 'integer', minimum: 1, maximum: MAX_ID } });
}

export const UserIdParams = z.object({ user_id: idParam() });
export const OrganizationIdParams = z.object({ organization_id: idParam() });

const Role = UserRole;
const Name = z.string().trim().min(1).max(150);
const PhoneNumber = z
  .string()
  .trim()
  .regex(
    /^\+?\d{6,15}$/,
    ruleMessage({
      fr: 'Chiffres uniquement, éventuellement après un +, de 6 à 15.',
      en: 'Digits only, optionally after a +, 6 to 15 of them.',
    }),
  )
  .meta({ description: 'Digits only, optionally after a +, 6 to 15 of them.' });

// ---- users

export const CreateUserRequest = z
  .object({
    email: z.email().max(254),
    first_name: Name,
    last_name: Name,
    role: Role,
    organization_id: z
      .int()
      .min(1)
      .max(MAX_ID)
      .optional()
      .meta({ description: "The admin's own organization by default." }),
    phone_number: PhoneNumber.nullish(),
    is_staff: z.boolean().default(false),
  })
  .meta({ id: 'CreateUserRequest' });

export const UpdateUserBody = z
  .strictObject({
    first_name: Name.optional(),
    last_name: Name.optional(),
    phone_number: PhoneNumber.nullable().optional(),
    role: Role.optional(),
  })
  .meta({ description: 'Only the fields given change (none: nothing changes); phone_number null removes it.' });

export const AdminUser = UserProfile.extend({
  is_active: z.boolean().meta({ description: 'False: deactivated, every session ended; cannot sign in.' }),
  last_login: Timestamp.nullable(),
  created_at: Timestamp,
}).meta({ id: 'AdminUser' });

export const AdminUserPage = page(AdminUser).meta({ id: 'AdminUserPage' });

const TemporaryPasswordFields = {
  temporary_password: z.string().meta({ description: 'Also mailed; must be changed at the next login.' }),
  email_sent: z.boolean().meta({ description: 'False: the mail failed, hand the password over another way.' }),
  email_delivery: z.enum(['smtp', 'outbox', 'failed']).meta({
    description:
      'Where the mail went: SMTP, the outbox folder (no EMAIL_HOST configured), or nowhere (it could not be sent).',
  }),
  message: z.string(),
};

export const UserCreated = z.object({ user: UserProfile, ...TemporaryPasswordFields }).meta({ id: 'UserCreated' });
export const PasswordReset = z.object({ user: AdminUser, ...TemporaryPasswordFields }).meta({ id: 'PasswordReset' });

/** A colleague as an organization's users see one. */
export const OrganizationMember = z
  .object({
    id: z.int(),
    email: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    role: Role,
    is_active: z.boolean(),
  })
  .meta({ id: 'OrganizationMember' });

export const OrganizationMemberPage = page(OrganizationMember).meta({ id: 'OrganizationMemberPage' });

// ---- organizations

const ApprovalTimeoutHours = z.int().min(1).max(MAX_APPROVAL_TIMEOUT_HOURS).nullable().meta({
  description:
    "Hours a bulk waits for its approval before it expires; null: the platform's BULK_APPROVAL_TIMEOUT_HOURS.",
});

export const AdminOrganization = z
  .object({
    id: z.int(),
    code: z.string(),
    name: z.string(),
    is_active: z.boolean().meta({ description: 'False: suspended; its users cannot sign in, nothing of it is paid.' }),
    requires_approval: z
      .boolean()
      .meta({ description: "Maker-checker: each bulk waits for a second user's approval." }),
    approval_timeout_hours: ApprovalTimeoutHours,
    created_at: Timestamp,
  })
  .meta({ id: 'AdminOrganization' });

export const AdminOrganizationPage = page(AdminOrganization).meta({ id: 'AdminOrganizationPage' });

export const CreateOrganizationBody = z.strictObject({
  code: z
    .string()
    .regex(/^[A-Z0-9][A-Z0-9_-]{1,31}$/)
    .meta({
      description: 'Capitals, digits, - and _, 2 to 32; fixed for good (the pension schedule is named after it).',
    }),
  name: z.string().trim().min(1).max(200),
  is_active: z.boolean().default(true),
  requires_approval: z.boolean().default(false),
  approval_timeout_hours: ApprovalTimeoutHours.default(null),
});

export const UpdateOrganizationBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    is_active: z.boolean().optional(),
    requires_approval: z.boolean().optional(),
    approval_timeout_hours: ApprovalTimeoutHours.optional(),
  })
  .meta({
    description: 'Only the fields given change. A new approval timeout applies to bulks that start waiting after it.',
  });

// ---- accounts

export const CreateAccountBody = z.strictObject({
  account_id: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .meta({ description: 'The public id, e.g. ACC-CNSS-001.' }),
  organization_id: z.int().min(1).max(MAX_ID),
  party_id_type: PartyIdType,
  party_identifier: z.string().trim().min(1).max(128),
  currency: Currency,
});

export const AdminAccount = z
  .object({
    account_id: z.string(),
    organization_id: z.int(),
    party_id_type: z.string(),
    party_identifier: z.string(),
    currency: Currency,
    balance: MinorUnits,
    reserved: MinorUnits,
    available: MinorUnits,
    created_at: Timestamp,
  })
  .meta({ id: 'AdminAccount' });

// ---- audit

const AuditKind = z.enum(AUDIT_KINDS);

const AuditEntry = z
  .object({
    id: z.int(),
    occurred_at: Timestamp,
    actor_user_id: z.int().nullable(),
    actor_email: z.string().nullable().meta({ description: 'As it was when they acted.' }),
    organization_id: z.int().nullable(),
    kind: AuditKind,
    subject_type: z.enum(AUDIT_SUBJECT_TYPES),
    subject_id: z.string(),
    before: z
      .record(z.string(), z.unknown())
      .nullable()
      .meta({ description: 'The values the change replaced (null for a creation).' }),
    after: z.record(z.string(), z.unknown()).nullable(),
    request_id: z.string().nullable().meta({ description: 'The X-Request-Id of the request that made the change.' }),
  })
  .meta({ id: 'AuditEntry' });

export const AuditPage = page(AuditEntry).meta({ id: 'AuditPage' });
