/** What a new password must satisfy. Pure: the route turns the problems into a 400 with details. */
import type { Message } from '../i18n/message';

export const MIN_PASSWORD_LENGTH = 12;
/** Bounds the hashing work a single request can ask for. */
export const MAX_PASSWORD_LENGTH = 256;

export interface NewPasswordCandidate {
  newPassword: string;
  oldPassword: string;
  email: string;
}

/** The reasons the new password is refused; empty when it is acceptable. */
export function newPasswordProblems({ newPassword, oldPassword, email }: NewPasswordCandidate): Message[] {
  const problems: Message[] = [];
  if (newPassword.length < MIN_PASSWORD_LENGTH) {
    problems.push({
      fr: `Le mot de passe doit comporter au moins ${MIN_PASSWORD_LENGTH} caractères.`,
      en: `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`,
    });
  }
  if (newPassword.length > MAX_PASSWORD_LENGTH) {
    problems.push({
      fr: `Le mot de passe doit comporter au plus ${MAX_PASSWORD_LENGTH} caractères.`,
      en: `The password must be at most ${MAX_PASSWORD_LENGTH} characters long.`,
    });
  }
  if (newPassword === oldPassword) {
    problems.push({
      fr: "Le nouveau mot de passe doit être différent de l'actuel.",
      en: 'The new password must differ from the current one.',
    });
  }
  if (newPassword.trim().toLowerCase() === email.trim().toLowerCase()) {
    problems.push({
      fr: 'Le mot de passe ne doit pas être votre adresse e-mail.',
      en: 'The password must not be your email address.',
    });
  }
  return problems;
}
