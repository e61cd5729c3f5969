/**
 * Patient-side CLI: a patient key file, and consent grants/revocations signed locally with it
 * (EIP-712) and relayed through any node, so the patient needs no funds and no node holds the key.
 */
import { randomBytes, scryptSync } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Address, Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { z } from 'zod';
import { orgIdOf } from '../chain/ids.ts';
import { scopeHash, scopeSchema, type Scope } from '../consent/scope.ts';
import { purposeToChain, signGrant, signRevoke, type Domain, type GrantMessage, type PurposeCode } from '../consent/typed-data.ts';
import { open, seal } from '../crypto/envelope.ts';
import { CarechainError } from '../shared/errors.ts';
import { callNode, problemOf, type NodeTarget } from './node-client.ts';

const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const patientKeySchema = z.object({
  version: z.literal(1),
  address: z.string(),
  key: z.string().optional(),
  sealed: z.object({ salt: z.string(), data: z.string() }).optional(),
});

/** Writes a new patient key file (mode 0600), sealed with a passphrase when one is given. */
export function patientKeygen(out: string, passphrase?: string): Address {
  if (existsSync(out)) throw new CarechainError(`${out} exists: not overwriting a key`, 2);
  const key = generatePrivateKey();
  const address = privateKeyToAccount(key).address;
  let content: z.infer<typeof patientKeySchema> = { version: 1, address, key };
  if (passphrase) {
    const salt = randomBytes(16);
    const data = seal(scryptSync(passphrase, salt, 32, SCRYPT), Buffer.from(key.slice(2), 'hex'), Buffer.from('carechain:patient-key'));
    content = { version: 1, address, sealed: { salt: salt.toString('base64'), data: data.toString('base64') } };
  }
  writeFileSync(out, JSON.stringify(content, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  return address;
}

export function loadPatientKey(file: string, passphrase?: string): PrivateKeyAccount {
  let parsed: z.infer<typeof patientKeySchema>;
  try {
    parsed = patientKeySchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new CarechainError(`patient key file ${file} is unreadable: ${(err as Error).message.split('\n')[0]}`, 2);
  }
  if (parsed.key) return privateKeyToAccount(parsed.key as Hex);
  if (!passphrase) throw new CarechainError('the patient key is sealed: set CARECHAIN_PATIENT_PASSPHRASE', 2);
  try {
    const key = open(scryptSync(passphrase, Buffer.from(parsed.sealed!.salt, 'base64'), 32, SCRYPT), Buffer.from(parsed.sealed!.data, 'base64'), Buffer.from('carechain:patient-key'));
    return privateKeyToAccount(`0x${key.toString('hex')}`);
  } catch {
    throw new CarechainError('wrong passphrase for the patient key', 2);
  }
}

async function get<T>(target: NodeTarget, path: string): Promise<T> {
  const r = await callNode(target, 'GET', path);
  if (r.status !== 200) throw new CarechainError(`HTTP ${r.status}: ${problemOf(r.json)}`);
  return r.json as T;
}

export async function consentGrant(
  target: NodeTarget,
  signer: PrivateKeyAccount,
  q: { patient?: Address; grantee: string; scope: Scope; purpose: PurposeCode; days: number },
): Promise<{ grantId: Hex; blockNumber: number }> {
  const scope = scopeSchema.parse(q.scope);
  const patient = q.patient ?? signer.address; // a proxy signs for another patient
  const domain = await get<Domain>(target, '/api/consent/domain');
  const { nonce } = await get<{ nonce: string }>(target, `/api/consent/nonce/${patient}`);
  const now = BigInt(Math.floor(Date.now() / 1000));
  const grant: GrantMessage = {
    patient,
    grantee: /^0x[0-9a-fA-F]{64}$/.test(q.grantee) ? (q.grantee as Hex) : orgIdOf(q.grantee),
    scopeHash: scopeHash(scope),
    purpose: purposeToChain(q.purpose),
    start: now - 60n,
    expiry: now + BigInt(Math.round(q.days * 86400)),
    nonce: BigInt(nonce),
  };
  const signature = await signGrant(signer, domain, grant);
  const body = { grant: { ...grant, start: String(grant.start), expiry: String(grant.expiry), nonce: String(grant.nonce) }, signature, scope };
  const r = await callNode(target, 'POST', '/api/consent/relay', body);
  if (r.status !== 201) throw new CarechainError(`grant refused: HTTP ${r.status}: ${problemOf(r.json)}`);
  return r.json as { grantId: Hex; blockNumber: number };
}

export async function consentRevoke(target: NodeTarget, signer: PrivateKeyAccount, grantId: Hex, patient?: Address): Promise<{ blockNumber: number }> {
  const who = patient ?? signer.address;
  const domain = await get<Domain>(target, '/api/consent/domain');
  const { nonce } = await get<{ nonce: string }>(target, `/api/consent/nonce/${who}`);
  const signature = await signRevoke(signer, domain, { patient: who, grantId, nonce: BigInt(nonce) });
  const r = await callNode(target, 'POST', '/api/consent/revoke-relay', { patient: who, grantId, nonce, signature });
  if (r.status !== 200) throw new CarechainError(`revocation refused: HTTP ${r.status}: ${problemOf(r.json)}`);
  return r.json as { blockNumber: number };
}

export async function consentList(target: NodeTarget, patient: Address) {
  return get<{ indexedBlock: number; grants: Record<string, unknown>[] }>(target, `/api/consent?patient=${patient}`);
}
