/**
 * Envelope encryption for record versions (node:crypto only):
 * - each version is sealed with its own random 256-bit data key (AES-256-GCM, 96-bit random IV),
 *   bound by additional data to its identity, so a ciphertext cannot be moved to another record;
 * - the data key is wrapped with AES-256-GCM under the custodian's key-encryption key, and for the
 *   patient with a key derived by X25519 + HKDF-SHA256 from the patient's public key (ECIES).
 * Destroying the wrapped keys makes the ciphertext unreadable (crypto-shredding).
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

const IV = 12;
const TAG = 16;

export class DecryptionError extends Error {
  constructor(what: string) {
    super(`${what}: authentication failed (tampered or wrong key)`);
    this.name = 'DecryptionError';
  }
}

/** AES-256-GCM: returns iv ‖ ciphertext ‖ tag. */
export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad);
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([iv, body, c.getAuthTag()]);
}

export function open(key: Buffer, sealed: Buffer, aad: Buffer, what = 'ciphertext'): Buffer {
  if (sealed.length < IV + TAG) throw new DecryptionError(what);
  const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV));
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    return Buffer.concat([d.update(sealed.subarray(IV, sealed.length - TAG)), d.final()]);
  } catch {
    throw new DecryptionError(what);
  }
}

export function newDataKey(): Buffer {
  return randomBytes(32);
}

// --- X25519 key pairs for patients -------------------------------------------------------------

export interface X25519KeyPair {
  publicKey: Buffer; // 32 bytes raw
  privateKey: Buffer; // 32 bytes raw
}

export function generateX25519(): X25519KeyPair {
  const { privateKey } = generateKeyPairSync('x25519');
  const jwk = privateKey.export({ format: 'jwk' }) as { d: string; x: string };
  return { publicKey: Buffer.from(jwk.x, 'base64url'), privateKey: Buffer.from(jwk.d, 'base64url') };
}

function publicKeyObject(raw: Buffer): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: raw.toString('base64url') }, format: 'jwk' });
}

function privateKeyObject(pair: X25519KeyPair): KeyObject {
  return createPrivateKey({
    key: { kty: 'OKP', crv: 'X25519', x: pair.publicKey.toString('base64url'), d: pair.privateKey.toString('base64url') },
    format: 'jwk',
  });
}

function deriveWrapKey(shared: Buffer, epk: Buffer, recipient: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([epk, recipient]), 'carechain/key-wrap/v1', 32));
}

/**
 * A sender-side wrapping key for one recipient: an ephemeral X25519 key agreed with the recipient's
 * public key. The node keeps one per patient while it runs, so wrapping a data key is one AES-GCM
 * operation rather than a fresh key agreement per record version.
 */
export interface RecipientWrapper {
  epk: Buffer;
  key: Buffer;
}

export function wrapperFor(recipientPublicKey: Buffer): RecipientWrapper {
  const eph = generateX25519();
  const shared = diffieHellman({ privateKey: privateKeyObject(eph), publicKey: publicKeyObject(recipientPublicKey) });
  return { epk: eph.publicKey, key: deriveWrapKey(shared, eph.publicKey, recipientPublicKey) };
}

/** The recipient's side: recompute the wrapping key from the stored ephemeral public key. */
export function unwrapKeyFor(recipient: X25519KeyPair, epk: Buffer): Buffer {
  const shared = diffieHellman({ privateKey: privateKeyObject(recipient), publicKey: publicKeyObject(epk) });
  return deriveWrapKey(shared, epk, recipient.publicKey);
}
