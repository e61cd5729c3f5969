/**
 * Where the key-encryption key (KEK) comes from — one interface, three sources:
 * - `file`: the key file's newest KEK (the default);
 * - `env`: `CARECHAIN_KEK` (base64url, 32 bytes; `CARECHAIN_KEK_ID` names it), injected by a secret
 *   store or the orchestrator;
 * - `kms`: the KEK kept only wrapped (encrypted) by a master key in a key-management service, and
 *   unwrapped by the KMS at start (envelope encryption: the master key never leaves the KMS). The
 *   wrapped KEK is `CARECHAIN_KMS_WRAPPED_KEK` (base64url); the master key `CARECHAIN_KMS_KEY_ID`.
 *   Any KMS fits behind `KmsClient`; `httpKms` speaks a small JSON protocol
 *   (`POST <url>/keys/<id>/decrypt {ciphertext, aad}` → `{plaintext}`, base64) that a thin adapter in
 *   front of AWS KMS, Google Cloud KMS, Azure Key Vault or Vault Transit provides; the tests use a
 *   local stand-in speaking it.
 * Choose with `CARECHAIN_KEK_PROVIDER=file|env|kms` (default: `env` when CARECHAIN_KEK is set, else
 * `file`). Whatever the source, the key file's older KEKs still unwrap older data keys.
 */
import { CarechainError, errorMessage } from '../shared/errors.ts';

export interface Kek {
  id: string;
  key: Buffer;
}

export interface KekProvider {
  readonly source: 'file' | 'env' | 'kms';
  /** The KEK that wraps new data keys. */
  current(): Promise<Kek>;
}

/** A key-management service that can unwrap (decrypt) with a master key it never discloses. */
export interface KmsClient {
  decrypt(keyId: string, ciphertext: Buffer, aad: Buffer): Promise<Buffer>;
}

/** The additional data a KMS-wrapped KEK is bound to (the organization and the KEK's id). */
export const kekAad = (org: string, kekId: string) => Buffer.from(`carechain:kek:${org}:${kekId}`);

const check = (key: Buffer, what: string) => {
  if (key.length !== 32) throw new CarechainError(`${what} must be 32 bytes (AES-256), got ${key.length}`, 2);
  return key;
};

export function fileKekProvider(newest: Kek): KekProvider {
  return { source: 'file', current: async () => newest };
}

export function envKekProvider(env: NodeJS.ProcessEnv): KekProvider {
  return {
    source: 'env',
    current: async () => {
      if (!env.CARECHAIN_KEK) throw new CarechainError('CARECHAIN_KEK_PROVIDER=env but CARECHAIN_KEK is not set', 2);
      return { id: env.CARECHAIN_KEK_ID ?? 'env', key: check(Buffer.from(env.CARECHAIN_KEK, 'base64url'), 'CARECHAIN_KEK') };
    },
  };
}

export function kmsKekProvider(kms: KmsClient, opts: { org: string; keyId: string; kekId: string; wrapped: Buffer }): KekProvider {
  return {
    source: 'kms',
    current: async () => {
      let key: Buffer;
      try {
        key = await kms.decrypt(opts.keyId, opts.wrapped, kekAad(opts.org, opts.kekId));
      } catch (err) {
        throw new CarechainError(`the KMS did not unwrap KEK ${opts.kekId} with master key ${opts.keyId}: ${errorMessage(err)}`, 2, { cause: err });
      }
      return { id: opts.kekId, key: check(key, `KEK ${opts.kekId} from the KMS`) };
    },
  };
}

/** A KMS over HTTP(S) speaking the JSON protocol above, with an optional bearer token. */
export function httpKms(url: string, token?: string): KmsClient {
  return {
    async decrypt(keyId, ciphertext, aad) {
      const res = await fetch(`${url.replace(/\/$/, '')}/keys/${encodeURIComponent(keyId)}/decrypt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ ciphertext: ciphertext.toString('base64'), aad: aad.toString('base64') }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await res.json().catch(() => ({}))) as { plaintext?: string; error?: string };
      if (!res.ok || typeof body.plaintext !== 'string') throw new Error(`HTTP ${res.status}${body.error ? `: ${body.error}` : ''}`);
      return Buffer.from(body.plaintext, 'base64');
    },
  };
}

/** The name of the provider the environment asks for (`CARECHAIN_KEK_PROVIDER`, or its default). */
export const kekProviderName = (env: NodeJS.ProcessEnv): string => env.CARECHAIN_KEK_PROVIDER ?? (env.CARECHAIN_KEK ? 'env' : 'file');

/** The provider the environment asks for. */
export function kekProviderFromEnv(env: NodeJS.ProcessEnv, org: string, newestInFile: Kek): KekProvider {
  const which = kekProviderName(env);
  if (which === 'file') return fileKekProvider(newestInFile);
  if (which === 'env') return envKekProvider(env);
  if (which === 'kms') {
    const missing = ['CARECHAIN_KMS_URL', 'CARECHAIN_KMS_KEY_ID', 'CARECHAIN_KMS_WRAPPED_KEK'].filter((k) => !env[k]);
    if (missing.length) throw new CarechainError(`CARECHAIN_KEK_PROVIDER=kms needs ${missing.join(', ')}`, 2);
    return kmsKekProvider(httpKms(env.CARECHAIN_KMS_URL!, env.CARECHAIN_KMS_TOKEN), {
      org,
      keyId: env.CARECHAIN_KMS_KEY_ID!,
      kekId: env.CARECHAIN_KMS_KEK_ID ?? 'kms',
      wrapped: Buffer.from(env.CARECHAIN_KMS_WRAPPED_KEK!, 'base64url'),
    });
  }
  throw new CarechainError(`CARECHAIN_KEK_PROVIDER must be file, env or kms (got ${which})`, 2);
}
