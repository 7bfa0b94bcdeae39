/** The mail that gives a new user their temporary password. */
import type { OutgoingMail } from './mailer';

export interface TemporaryPasswordMailInput {
  email: string;
  firstName: string;
  temporaryPassword: string;
  loginUrl: string;
}

export function temporaryPasswordMail(input: TemporaryPasswordMailInput): OutgoingMail {
  const greeting = input.firstName.trim() === '' ? 'Bonjour,' : `Bonjour ${input.firstName.trim()},`;
  // The password sits alone on its line so that no line wrapping can cut it.
  const text = [
    greeting,
    '',
    'Un compte vous a été créé sur la passerelle de paiement des pensions.',
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
  return { to: input.email, subject: 'Votre compte sur la passerelle de paiement des pensions', text };
}
