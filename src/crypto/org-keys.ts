/**
 * An organization's key pair set: a secp256k1 key that signs its ledger transactions and node-to-node
 * requests, and an X25519 key that data keys are wrapped to. Kept in a key file readable only by the
 * node's user (mode 0600), outside the repository; never logged.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { bytesToHex, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { z } from 'zod';
import { CarechainError, errorMessage } from '../shared/errors.ts';
import { kekProviderFromEnv, type Kek } from './kek-provider.ts';

export type { Kek };

const secret = z.string().regex(/^[A-Za-z0-9_-]{43}$/, '32 bytes base64url');

const keyFileSchema = z.object({
  version: z.literal(1),
  /**
   * Key-encryption keys (AES-256) that wrap every record's data key for this organization; the last
   * one is current. Rotation appends a key and re-wraps data keys; data is never re-encrypted.
   */
  keks: z.array(z.object({ id: z.string().regex(/^[a-z0-9-]{1,32}$/), key: secret })).min(1).optional(),
  /** Keys the search index and patient pseudonyms (HMAC) so the database holds no plaintext codes or links. */
  indexSecret: secret.optional(),
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
  /** The signing key itself, for signers that need the raw key (JOSE ES256K credentials). */
  signingKey: Hex;
  /** All key-encryption keys by id; `currentKek` wraps new data keys. */
  keks: Map<string, Kek>;
  currentKek: Kek;
  indexSecret: Buffer;
  /** X25519 public key as 32 bytes hex, the form the registry stores. */
  encryptionPublicKey: Hex;
  encryptionJwk: { kty: 'OKP'; crv: 'X25519'; d: string; x: string };
}

export function generateKeyFile(): KeyFile {
  const { privateKey } = generateKeyPairSync('x25519');
  const jwk = privateKey.export({ format: 'jwk' }) as { d: string; x: string };
  return {
    version: 1,
    signingKey: generatePrivateKey(),
    encryption: { d: jwk.d, x: jwk.x },
    keks: [{ id: newKekId(), key: randomBytes(32).toString('base64url') }],
    indexSecret: randomBytes(32).toString('base64url'),
  };
}

function newKekId(): string {
  return `kek-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
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
  if (!parsed.keks || !parsed.indexSecret) {
    // Key files from before record encryption get their secrets added once, in place.
    parsed.keks ??= [{ id: newKekId(), key: randomBytes(32).toString('base64url') }];
    parsed.indexSecret ??= randomBytes(32).toString('base64url');
    writeKeyFile(file, parsed);
  }
  // CARECHAIN_KEK (base64url, 32 bytes) supplies the current key-encryption key from a secret store
  // instead of the file; the file's older keys still unwrap older data keys.
  const keks = new Map(parsed.keks.map((k) => [k.id, { id: k.id, key: Buffer.from(k.key, 'base64url') }]));
  let currentKek = keks.get(parsed.keks.at(-1)!.id)!;
  const envKek = process.env.CARECHAIN_KEK;
  if (envKek && (process.env.CARECHAIN_KEK_PROVIDER ?? 'env') === 'env') {
    const key = Buffer.from(envKek, 'base64url');
    if (key.length !== 32) throw new CarechainError('CARECHAIN_KEK must be 32 bytes, base64url', 2);
    currentKek = { id: process.env.CARECHAIN_KEK_ID ?? 'env', key };
    keks.set(currentKek.id, currentKek);
  }
  return {
    account: privateKeyToAccount(parsed.signingKey as Hex),
    signingKey: parsed.signingKey as Hex,
    encryptionPublicKey: bytesToHex(Buffer.from(parsed.encryption.x, 'base64url')),
    encryptionJwk: { kty: 'OKP', crv: 'X25519', d: parsed.encryption.d, x: parsed.encryption.x },
    keks,
    currentKek,
    indexSecret: Buffer.from(parsed.indexSecret, 'base64url'),
  };
}

function writeKeyFile(file: string, content: KeyFile): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(content, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

/** Adds a new current key-encryption key to the key file; returns its id. Old keys stay for unwrapping. */
export function addKek(file: string): string {
  const parsed = keyFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const id = newKekId();
  parsed.keks = [...(parsed.keks ?? []), { id, key: randomBytes(32).toString('base64url') }];
  writeKeyFile(file, parsed);
  return id;
}

/**
 * The organization's keys with the current KEK from the configured provider (`kek-provider.ts`:
 * the key file, CARECHAIN_KEK, or a KMS). What a node and its offline tools load.
 */
export async function loadOrgKeys(file: string, org: string, env: NodeJS.ProcessEnv = process.env): Promise<OrgKeys> {
  const keys = loadKeyFile(file);
  const current = await kekProviderFromEnv(env, org, keys.currentKek).current();
  keys.keks.set(current.id, current);
  return { ...keys, currentKek: current };
}
