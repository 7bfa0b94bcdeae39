/**
 * A staff user creates a user: a random temporary password, sent by email (SMTP, or the outbox folder when no mail
 * server is configured) and in the answer, to be changed at first login.
 */
import type { Logger } from 'pino';
import { createUserWithTemporaryPassword } from '../auth/accounts';
import type { AuthenticatedUser } from '../auth/authenticatedUser';
import { userProfile } from '../auth/userViews';
import type { Config } from '../config';
import { type Message, ValidationError } from '../errors';
import { type MailDelivery, sendMail } from '../mail/mailer';
import { temporaryPasswordMail } from '../mail/temporaryPasswordMail';
import type { UserRole } from '../models';

export interface NewUser {
  email: string;
  first_name: string;
  last_name: string;
  role: UserRole;
  organization_id?: number | undefined;
  phone_number?: string | null | undefined;
  is_staff: boolean;
}

export async function createUserByAdmin(context: { config: Config; log: Logger }, admin: AuthenticatedUser, request: NewUser) {
  const organizationId = request.organization_id ?? admin.organizationId;
  if (organizationId === null) {
    throw new ValidationError(
      'validation_error',
      { fr: 'Données invalides.', en: 'Invalid input.' },
      { organization_id: ['Obligatoire : votre propre compte n’appartient à aucune organisation. (Required: your own account belongs to no organization.)'] },
    );
  }
  const { user, organization, temporaryPassword } = await createUserWithTemporaryPassword({
    email: request.email,
    firstName: request.first_name,
    lastName: request.last_name,
    role: request.role,
    organizationId,
    phoneNumber: request.phone_number ?? null,
    isStaff: request.is_staff,
  });
  context.log.info({ adminId: admin.id, userId: user.id, organizationId }, 'user created');

  const mail = temporaryPasswordMail({ email: user.email, firstName: user.first_name, temporaryPassword, loginUrl: context.config.http.publicBaseUrl });
  const delivery = await sendMail(context.config.email, mail).catch((error: unknown) => {
    context.log.error({ err: error, userId: user.id }, 'temporary password mail failed');
    return null;
  });
  return {
    user: userProfile(user, organization),
    temporary_password: temporaryPassword,
    email_sent: delivery !== null,
    email_delivery: deliveryOf(delivery),
    message: deliveryMessage(user.email, delivery),
  };
}

/** Where the temporary password's mail went: through SMTP, to the outbox folder (no SMTP configured), or nowhere. */
function deliveryOf(delivery: MailDelivery | null): 'smtp' | 'outbox' | 'failed' {
  if (delivery === null) return 'failed';
  return delivery.delivered === 'smtp' ? 'smtp' : 'outbox';
}

/** The seed's message when the mail went (`email_delivery` says where); what to do when it could not. */
function deliveryMessage(email: string, delivery: MailDelivery | null): Message {
  if (delivery !== null) return { fr: 'Utilisateur créé avec succès. Un email a été envoyé.', en: 'User created successfully. An email was sent.' };
  return {
    fr: `Utilisateur créé avec succès, mais l'email à ${email} n'a pas pu être envoyé : transmettez-lui le mot de passe temporaire autrement.`,
    en: `User created successfully, but the email to ${email} could not be sent: give them the temporary password another way.`,
  };
}
