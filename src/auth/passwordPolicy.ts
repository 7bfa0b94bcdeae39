/** What a new password must satisfy. Pure: the route turns the problems into a 400 with details. */

export const MIN_PASSWORD_LENGTH = 12;
/** Bounds the hashing work a single request can ask for. */
export const MAX_PASSWORD_LENGTH = 256;

export interface NewPasswordCandidate {
  newPassword: string;
  oldPassword: string;
  email: string;
}

/** The reasons the new password is refused; empty when it is acceptable. */
export function newPasswordProblems({ newPassword, oldPassword, email }: NewPasswordCandidate): string[] {
  const problems: string[] = [];
  if (newPassword.length < MIN_PASSWORD_LENGTH) {
    problems.push(`The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`);
  }
  if (newPassword.length > MAX_PASSWORD_LENGTH) {
    problems.push(`The password must be at most ${MAX_PASSWORD_LENGTH} characters long.`);
  }
  if (newPassword === oldPassword) {
    problems.push('The new password must differ from the current one.');
  }
  if (newPassword.trim().toLowerCase() === email.trim().toLowerCase()) {
    problems.push('The password must not be your email address.');
  }
  return problems;
}
