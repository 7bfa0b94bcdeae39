/**
 * /api/admin: staff-only user management. A new user gets a random temporary password, by email (SMTP, or
 * the outbox folder when no mail server is configured) and in the answer, and must change it at first login.
 */
import Router from '@koa/router';
import { z } from 'zod';
import { createUserWithTemporaryPassword } from '../../auth/accounts';
import { parseBody, ruleMessage } from '../../auth/bodyValidation';
import { MESSAGES, ValidationError } from '../../errors';
import type { Message } from '../../i18n/message';
import { MailDelivery, sendMail } from '../../mail/mailer';
import { temporaryPasswordMail } from '../../mail/temporaryPasswordMail';
import { USER_ROLES } from '../../models';
import type { AppDependencies } from '../app';
import { authenticate } from '../middleware/authenticate';
import { currentUser, IsAdminUser } from '../middleware/permissions';
import { jsonBody, userProfile } from './auth';

const CreateUserBody = z.object({
  email: z.email().max(254),
  first_name: z.string().trim().min(1).max(150),
  last_name: z.string().trim().min(1).max(150),
  role: z.enum(USER_ROLES),
  organization_id: z.number().int().positive().max(2_147_483_647).optional(),
  phone_number: z
    .string()
    .trim()
    .regex(
      /^\+?\d{6,15}$/,
      ruleMessage({ fr: 'Chiffres uniquement, éventuellement après un +, de 6 à 15.', en: 'Digits only, optionally after a +, 6 to 15 of them.' }),
    )
    .nullish(),
  is_staff: z.boolean().default(false),
});

export function adminRouter(deps: AppDependencies): Router {
  const router = new Router({ prefix: '/api/admin' });

  router.post('/users/create', authenticate(deps.config), IsAdminUser, jsonBody(deps.config), async (ctx) => {
    const admin = currentUser(ctx);
    const body = parseBody(CreateUserBody, ctx.request.body, ctx.language);
    const organizationId = body.organization_id ?? admin.organizationId;
    if (organizationId === null) {
      throw new ValidationError('validation_error', MESSAGES.invalidInput, {
        organization_id: [
          { fr: "Requis : votre propre compte n'appartient à aucune organisation.", en: 'Required: your own account belongs to no organization.' },
        ],
      });
    }

    const { user, organization, temporaryPassword } = await createUserWithTemporaryPassword({
      email: body.email,
      firstName: body.first_name,
      lastName: body.last_name,
      role: body.role,
      organizationId,
      phoneNumber: body.phone_number ?? null,
      isStaff: body.is_staff,
    });
    ctx.log.info({ adminId: admin.id, userId: user.id, organizationId }, 'user created');

    const mail = temporaryPasswordMail({
      email: user.email,
      firstName: user.first_name,
      temporaryPassword,
      loginUrl: deps.config.http.publicBaseUrl,
    });
    const delivery = await sendMail(deps.config.email, mail).catch((error: unknown) => {
      ctx.log.error({ err: error, userId: user.id }, 'temporary password mail failed');
      return null;
    });

    ctx.status = 201;
    ctx.body = {
      user: userProfile(user, organization),
      temporary_password: temporaryPassword,
      email_sent: delivery !== null,
      message: deliveryMessage(user.email, delivery)[ctx.language],
    };
  });

  return router;
}

/** The French of a sent mail is the seed's own sentence. */
function deliveryMessage(email: string, delivery: MailDelivery | null): Message {
  if (delivery === null) {
    return {
      fr: `Utilisateur créé, mais l'email à ${email} n'a pas pu être envoyé : transmettez-lui le mot de passe temporaire par un autre moyen.`,
      en: `User created, but the email to ${email} could not be sent: give them the temporary password another way.`,
    };
  }
  if (delivery.delivered === 'smtp') {
    return { fr: 'Utilisateur créé avec succès. Un email a été envoyé.', en: `User created; the temporary password was emailed to ${email} through SMTP.` };
  }
  return {
    fr: `Utilisateur créé ; aucun serveur SMTP n'est configuré (EMAIL_HOST), l'email à ${email} a donc été écrit dans le dossier d'envoi local.`,
    en: `User created; no SMTP server is configured (EMAIL_HOST), so the email to ${email} was written to the mail outbox folder.`,
  };
}
