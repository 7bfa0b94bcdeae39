/**
 * Who may call a route, checked after authentication and before the body is read (nobody else may make us store
 * a 20 MB file). Each guard is named as the original service names its permission; the names appear in the
 * OpenAPI document (`x-permissions`). Whether a resource belongs to the caller's organization needs the resource:
 * that check is `assertSameOrganization`, made where the resource is loaded.
 */
import type { Knex } from 'knex';
import { PermissionDeniedError } from '../../errors';
import { Organization } from '../../models';
import type { AuthenticatedUser } from '../context';

export interface Guard {
  name: string;
  /** What it requires, for the document. */
  description: string;
  /** `db`: for a guard that reads what it checks. */
  check: (user: AuthenticatedUser, db: Knex) => void | Promise<void>;
}

const noOrganization = () =>
  new PermissionDeniedError('permission_denied', {
    fr: "Votre compte n'appartient à aucune organisation.",
    en: 'Your account belongs to no organization.',
  });

/** May create and act on payouts. */
export const IsGestionnaire: Guard = {
  name: 'IsGestionnaire',
  description: 'role GESTIONNAIRE',
  check: (user) => {
    if (user.role === 'GESTIONNAIRE') return;
    throw new PermissionDeniedError('permission_denied', {
      fr: 'Seul un GESTIONNAIRE peut faire ceci.',
      en: 'Only a GESTIONNAIRE may do this.',
    });
  },
};

/** May read everything of the organization; writes nothing. Gestionnaires may read too. */
export const CanReadOrganization: Guard = {
  name: 'CanReadOrganization',
  description: 'a user of an organization (GESTIONNAIRE or SUPERVISEUR)',
  check: (user) => {
    if (user.organizationId === null) throw noOrganization();
  },
};

/** Staff read every organization's accounts; anyone else their own organization's. */
export const CanReadAccounts: Guard = {
  name: 'CanReadAccounts',
  description: 'staff, or a user of an organization (its own accounts only)',
  check: (user) => {
    if (!user.isStaff && user.organizationId === null) throw noOrganization();
  },
};

export const IsAdminUser: Guard = {
  name: 'IsAdminUser',
  description: 'staff (is_staff)',
  check: (user) => {
    if (user.isStaff) return;
    throw new PermissionDeniedError('permission_denied', {
      fr: 'Seul un administrateur peut faire ceci.',
      en: 'Only an administrator may do this.',
    });
  },
};

/** Approving or rejecting: a GESTIONNAIRE, or a staff user (that it is not the bulk's creator is checked after). */
export const MayApprove: Guard = {
  name: 'MayApprove',
  description: 'role GESTIONNAIRE, or staff',
  check: (user) => {
    if (user.role === 'GESTIONNAIRE' || user.isStaff) return;
    throw new PermissionDeniedError('permission_denied', {
      fr: 'Seul un GESTIONNAIRE ou un membre du personnel peut approuver ou rejeter un lot.',
      en: 'Only a GESTIONNAIRE or a staff user may approve or reject a bulk.',
    });
  },
};

/** Releases or rejects a line held by the payee name check: GESTIONNAIRE or staff (the workflow checks the rest). */
export const MayDecideHolds: Guard = {
  name: 'MayDecideHolds',
  description: 'role GESTIONNAIRE, or staff',
  check: (user) => {
    if (user.role === 'GESTIONNAIRE' || user.isStaff) return;
    throw new PermissionDeniedError('permission_denied', {
      fr: 'Seul un GESTIONNAIRE ou un membre du personnel peut libérer ou rejeter une ligne retenue.',
      en: 'Only a GESTIONNAIRE or a staff user may release or reject a held line.',
    });
  },
};

/** The caller's organization exists and is active: nothing new is started for a deactivated one. */
export const InActiveOrganization: Guard = {
  name: 'InActiveOrganization',
  description: 'the organization is active',
  check: async (user, db) => {
    const organization =
      user.organizationId === null ? undefined : await Organization.query(db).findById(user.organizationId);
    if (!organization) throw noOrganization();
    if (organization.is_active) return;
    throw new PermissionDeniedError('organization_inactive', {
      fr: 'Votre organisation est désactivée.',
      en: 'Your organization is deactivated.',
    });
  },
};

/** Registers and removes the organization's webhook endpoints: a GESTIONNAIRE (their own), or staff (any). */
export const MayManageWebhooks: Guard = {
  name: 'MayManageWebhooks',
  description: 'role GESTIONNAIRE (own organization), or staff',
  check: (user) => {
    if (user.role === 'GESTIONNAIRE' || user.isStaff) return;
    throw new PermissionDeniedError('permission_denied', {
      fr: 'Seul un GESTIONNAIRE ou un membre du personnel peut gérer les webhooks.',
      en: 'Only a GESTIONNAIRE or a staff user may manage webhooks.',
    });
  },
};
