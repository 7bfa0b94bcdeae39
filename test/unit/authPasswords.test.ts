import { MIN_PASSWORD_LENGTH, newPasswordProblems } from '../../src/auth/passwordPolicy';
import {
  generateTemporaryPassword,
  hashNeedsUpgrade,
  hashPassword,
  verifyAgainstDummyHash,
  verifyPassword,
} from '../../src/auth/passwords';
import { temporaryPasswordMail } from '../../src/mail/temporaryPasswordMail';

describe('password hashing', () => {
  it('hashes with argon2id, salted, and verifies only the right password', async () => {
    const first = await hashPassword('correct horse battery staple');
    const second = await hashPassword('correct horse battery staple');
    expect(first).toMatch(/^\$argon2id\$/);
    expect(first).not.toBe(second);
    expect(await verifyPassword(first, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(first, 'correct horse battery stapl')).toBe(false);
    expect(hashNeedsUpgrade(first)).toBe(false);
  });

  it('treats a malformed stored hash as a wrong password and as needing an upgrade', async () => {
    expect(await verifyPassword('not-a-hash', 'whatever')).toBe(false);
    expect(hashNeedsUpgrade('not-a-hash')).toBe(true);
  });

  it('checks unknown users against a dummy hash that never matches', async () => {
    expect(await verifyAgainstDummyHash('')).toBe(false);
    expect(await verifyAgainstDummyHash('anything')).toBe(false);
  });
});

describe('temporary passwords', () => {
  it('are at least 16 url-safe characters and differ every time', () => {
    const passwords = new Set(Array.from({ length: 200 }, generateTemporaryPassword));
    expect(passwords.size).toBe(200);
    for (const password of passwords) {
      expect(password).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      expect(newPasswordProblems({ newPassword: password, oldPassword: 'x', email: 'a@b.c' })).toEqual([]);
    }
  });

  it('are mailed alone on their line, with the login', () => {
    const mail = temporaryPasswordMail({
      email: 'awa@cnss.bj',
      firstName: 'Awa',
      temporaryPassword: 'Abc_123-xyz',
      loginUrl: 'http://x',
    });
    expect(mail.to).toBe('awa@cnss.bj');
    expect(mail.text.split('\n')).toContain('Abc_123-xyz');
    expect(mail.text).toContain('awa@cnss.bj');
  });
});

describe('new password policy', () => {
  const base = { oldPassword: 'the old password!', email: 'awa.dossou@cnss.bj' };

  it('accepts a long password that is neither the old one nor the email', () => {
    expect(newPasswordProblems({ ...base, newPassword: 'a brand new passphrase' })).toEqual([]);
  });

  it(`refuses fewer than ${MIN_PASSWORD_LENGTH} characters`, () => {
    expect(newPasswordProblems({ ...base, newPassword: 'x'.repeat(MIN_PASSWORD_LENGTH - 1) })).toHaveLength(1);
    expect(newPasswordProblems({ ...base, newPassword: 'x'.repeat(MIN_PASSWORD_LENGTH) })).toEqual([]);
  });

  it('refuses the old password and the email, whatever its case', () => {
    expect(newPasswordProblems({ ...base, newPassword: base.oldPassword })).toEqual([
      {
        fr: "Le nouveau mot de passe doit être différent de l'actuel.",
        en: 'The new password must differ from the current one.',
      },
    ]);
    expect(newPasswordProblems({ ...base, newPassword: 'AWA.DOSSOU@cnss.bj' })).toEqual([
      {
        fr: 'Le mot de passe ne doit pas être votre adresse e-mail.',
        en: 'The password must not be your email address.',
      },
    ]);
  });

  it('refuses absurdly long passwords', () => {
    expect(newPasswordProblems({ ...base, newPassword: 'y'.repeat(257) })).toHaveLength(1);
  });
});
