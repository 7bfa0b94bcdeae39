/**
 * Password hashing with argon2id. Parameters follow the OWASP recommendation (19 MiB, 2 passes, 1 lane):
 * strong enough against offline guessing while a login stays well under 100 ms on a small server.
 */
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';

const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export async function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, HASH_OPTIONS);
}

/** False for a wrong password and for a malformed stored hash: neither may log anyone in. */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(storedHash, password);
  } catch {
    return false;
  }
}

/** True when the hash was made with other parameters than today's, so a successful login can upgrade it. */
export function hashNeedsUpgrade(storedHash: string): boolean {
  try {
    return argon2.needsRehash(storedHash, HASH_OPTIONS);
  } catch {
    return true;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same work as checking a real password, for logins of unknown emails: answering faster
 * would tell an attacker which emails have an account.
 */
export async function verifyAgainstDummyHash(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(await dummyHash, password);
  return false;
}

/** 24 characters from a 64-symbol alphabet (144 bits), URL- and mail-safe, so it survives being copied. */
export function generateTemporaryPassword(): string {
  return randomBytes(18).toString('base64url');
}
