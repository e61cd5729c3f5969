/**
 * An organization's key pair set: a secp256k1 key that signs its ledger transactions and node-to-node
 * requests, and an X25519 key that data keys are wrapped to. Kept in a key file readable only by the
 * node's user (mode 0600), outside the repository; never logged.
 */
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { bytesToHex, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { z } from 'zod';
import { CarechainError, errorMessage } from '../errors.ts';

const keyFileSchema = z.object({
  version: z.literal(1),
  signingKey: z.string().regex(/^0x[0-9a-f]{64}$/),
  encryption: z.object({
    /** X25519 keys as JWK `d` / `x` (base64url), the form node:crypto imports directly. */
    d: z.string().min(43),
    x: z.string().min(43),
  }),
});
export type KeyFile = z.infer<typeof keyFileSchema>;

export interface OrgKeys {
  account: PrivateKeyAccount;
  /** X25519 public key as 32 bytes hex, the form the registry stores. */
  encryptionPublicKey: Hex;
  encryptionJwk: { kty: 'OKP'; crv: 'X25519'; d: string; x: string };
}

export function generateKeyFile(): KeyFile {
  const { privateKey } = generateKeyPairSync('x25519');
  const jwk = privateKey.export({ format: 'jwk' }) as { d: string; x: string };
  return { version: 1, signingKey: generatePrivateKey(), encryption: { d: jwk.d, x: jwk.x } };
}

/** Creates the key file if it does not exist; returns the keys either way. */
export function ensureKeyFile(file: string): OrgKeys {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(generateKeyFile(), null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  }
  return loadKeyFile(file);
}

export function loadKeyFile(file: string): OrgKeys {
  if (!existsSync(file)) {
    throw new CarechainError(`no key file at ${file}: create one with \`carechain org init\` or set CARECHAIN_KEY_FILE`, 2);
  }
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    chmodSync(file, 0o600); // tighten rather than refuse: the file must not stay readable by others
  }
  let parsed: KeyFile;
  try {
    parsed = keyFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new CarechainError(`key file ${file} is invalid: ${errorMessage(err)}`, 2);
  }
  return {
    account: privateKeyToAccount(parsed.signingKey as Hex),
    encryptionPublicKey: bytesToHex(Buffer.from(parsed.encryption.x, 'base64url')),
    encryptionJwk: { kty: 'OKP', crv: 'X25519', d: parsed.encryption.d, x: parsed.encryption.x },
  };
}
