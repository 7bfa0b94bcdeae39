/** The mail that gives a user a temporary password: a new account's, or one a staff user reset. */
import type { OutgoingMail } from './mailer';

export interface TemporaryPasswordMailInput {
  email: string;
  firstName: string;
  temporaryPassword: string;
  loginUrl: string;
  /** Why the user gets it; a new account by default. */
  purpose?: 'account_created' | 'password_reset';
}

const OPENING = {
  account_created: 'Un compte vous a été créé sur la passerelle de paiement des pensions.',
  password_reset:
    'Votre mot de passe sur la passerelle de paiement des pensions a été réinitialisé par un administrateur.',
};

const SUBJECT = {
  account_created: 'Votre compte sur la passerelle de paiement des pensions',
  password_reset: 'Votre nouveau mot de passe temporaire sur la passerelle de paiement des pensions',
};

export function temporaryPasswordMail(input: TemporaryPasswordMailInput): OutgoingMail {
  const purpose = input.purpose ?? 'account_created';
  const greeting = input.firstName.trim() === '' ? 'Bonjour,' : `Bonjour ${input.firstName.trim()},`;
  // The password sits alone on its line so that no line wrapping can cut it.
  const text = [
    greeting,
    '',
    OPENING[purpose],
    '',
    `Identifiant : ${input.email}`,
    'Mot de passe temporaire :',
    '',
    input.temporaryPassword,
    '',
    `Connectez-vous sur ${input.loginUrl} : vous devrez choisir un nouveau mot de passe (12 caractères au moins)`,
    'avant toute autre opération.',
    '',
    "Si vous n'attendiez pas ce message, ignorez-le et prévenez votre administrateur.",
  ].join('\n');
  return { to: input.email, subject: SUBJECT[purpose], text };
}
