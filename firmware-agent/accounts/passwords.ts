// Password hashing with scrypt (RFC 7914) from node:crypto. Stored as
// `scrypt$N$r$p$salt$hash` (base64), so the cost can be raised later without breaking old hashes: a login
// with a hash of a lower cost re-hashes the password at the current one (needsRehash).
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

// N = 2^15 (32 MiB with r = 8, about 0.1 s on this class of machine): OWASP's floor for scrypt is 2^17 at
// r = 8 with p = 1 for servers with memory to spare; a 2-core appliance taking logins while it carries calls
// holds 2^15 and caps concurrent checks (AccountService.login) instead.
const FULL_N = 32768;
const r = 8;
const p = 1;
const keyLength = 32;

/**
 * The suite's own cost: `npm test` sets EDGEBOX_TEST_FAST_PASSWORD_HASH=1 so its thousand-odd logins and
 * accounts do not spend minutes in scrypt (N = 2^10: the same code, a lower cost). A box started with it
 * says so in its log (fastPasswordHashForTests); a hash made so is re-hashed at the full cost at the next
 * login on a box without it (needsRehash). Never set it on a box that serves people.
 */
export const fastPasswordHashForTests = (): boolean => process.env.EDGEBOX_TEST_FAST_PASSWORD_HASH === '1';
const costN = (): number => (fastPasswordHashForTests() ? 1024 : FULL_N);

function derive(password: string, salt: Buffer, n: number, rr: number, pp: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLength, { N: n, r: rr, p: pp, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const N = costN();
  const key = await derive(password, salt, N, r, p);
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, rr, pp, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), Number(n), Number(rr), Number(pp));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** True when a stored hash was made with another (older) cost than the current one. */
export function needsRehash(stored: string): boolean {
  const parts = stored.split('$');
  return parts[0] !== 'scrypt' || Number(parts[1]) !== costN() || Number(parts[2]) !== r || Number(parts[3]) !== p;
}

/** A random password that is easy to read aloud and type: 4 groups of 4 from an unambiguous alphabet. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(16);
  let out = '';
  for (let i = 0; i < 16; i++) {
    out += alphabet[bytes[i]! % alphabet.length];
    if (i % 4 === 3 && i < 15) out += '-';
  }
  return out;
}

const common = new Set(['password', 'password1', '12345678', '123456789', '1234567890', 'qwertyuiop', 'admin12328', '12328123', 'iloveyou']);

/** Minimum policy: 10 characters and not a well-known password. */
export function passwordProblem(password: string): string | null {
  if (password.length < 10) return 'at least 10 characters';
  if (common.has(password.toLowerCase())) return 'too common';
  if (/^(.)\1+$/.test(password)) return 'one repeated character';
  return null;
}
