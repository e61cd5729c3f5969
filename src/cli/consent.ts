/**
 * Patient-side CLI: a patient's master key file; from it, a different key (and address) at each
 * custodian (crypto/patient-keys.ts), linked there with an activation code; consent grants and
 * revocations signed locally (EIP-712) with salted commitments and relayed through the custodian, so
 * the patient needs no funds, no node holds the key, and the ledger cannot link their custodians.
 */
import { randomBytes, scryptSync } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Address, Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { z } from 'zod';
import { orgIdOf } from '../chain/ids.ts';
import { granteeCommitment, granteeIdOf, grantIdOf, newSalt, scopeCommitment, type Disclosure } from '../consent/commitments.ts';
import { noticeMessage } from '../consent/protocol.ts';
import { scopeSchema, type Scope } from '../consent/scope.ts';
import { breakGlassTagSecret, custodianAccount, custodianKey } from '../crypto/patient-keys.ts';
import { linkMessage } from '../identity/patients.ts';
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

/** A patient master key held in memory (tools and benchmarks), usable with the functions here. */
export const masterAccount = (key: Hex): PrivateKeyAccount => remember(key);

/** The account of the master key itself (used for nothing on chain), remembering the key for derivation. */
function remember(key: Hex): PrivateKeyAccount {
  const account = privateKeyToAccount(key);
  masterKeys.set(account, key);
  return account;
}

export function loadPatientKey(file: string, passphrase?: string): PrivateKeyAccount {
  let parsed: z.infer<typeof patientKeySchema>;
  try {
    parsed = patientKeySchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new CarechainError(`patient key file ${file} is unreadable: ${(err as Error).message.split('\n')[0]}`, 2);
  }
  if (parsed.key) return remember(parsed.key as Hex);
  if (!passphrase) throw new CarechainError('the patient key is sealed: set CARECHAIN_PATIENT_PASSPHRASE', 2);
  try {
    const key = open(scryptSync(passphrase, Buffer.from(parsed.sealed!.salt, 'base64'), 32, SCRYPT), Buffer.from(parsed.sealed!.data, 'base64'), Buffer.from('carechain:patient-key'));
    return remember(`0x${key.toString('hex')}`);
  } catch {
    throw new CarechainError('wrong passphrase for the patient key', 2);
  }
}

async function get<T>(target: NodeTarget, path: string): Promise<T> {
  const r = await callNode(target, 'GET', path);
  if (r.status !== 200) throw new CarechainError(`HTTP ${r.status}: ${problemOf(r.json)}`);
  return r.json as T;
}

/** The organization a node is, as a patient addresses it. */
export function custodianOf(target: NodeTarget): Promise<{ orgId: Hex; name: string }> {
  return get<{ orgId: Hex; name: string }>(target, '/api/consent/custodian');
}

/**
 * The patient's key at one custodian, derived from their master key (the key file), so each custodian
 * knows them under a different, unlinkable address.
 */
export async function patientAt(target: NodeTarget, master: PrivateKeyAccount): Promise<{ orgId: Hex; account: PrivateKeyAccount }> {
  const { orgId } = await custodianOf(target);
  return { orgId, account: custodianAccount(masterKeyOf(master), orgId) };
}

const masterKeys = new WeakMap<PrivateKeyAccount, Hex>();
export function masterKeyOf(a: PrivateKeyAccount): Hex {
  const k = masterKeys.get(a);
  if (!k) throw new CarechainError('not a patient master key', 2);
  return k;
}

/** Links the patient's key at this custodian to their record, with the activation code they received. */
export async function patientLink(target: NodeTarget, master: PrivateKeyAccount, q: { patientId: string; code: string }): Promise<{ address: Address }> {
  const { orgId } = await custodianOf(target);
  const key = custodianKey(masterKeyOf(master), orgId);
  const account = privateKeyToAccount(key);
  const signature = await account.signMessage({ message: linkMessage(orgId, q.patientId, q.code) });
  const r = await callNode(target, 'POST', '/api/patient/link', { patientId: q.patientId, code: q.code, address: account.address, signature, tagSecret: breakGlassTagSecret(key) });
  if (r.status !== 201) throw new CarechainError(`link refused: HTTP ${r.status}: ${problemOf(r.json)}`);
  return r.json as { address: Address };
}

export async function consentGrant(
  target: NodeTarget,
  master: PrivateKeyAccount,
  q: { patient?: Address; grantee: string; practitioner?: string; scope: Scope; purpose: PurposeCode; days: number },
): Promise<{ grantId: Hex; blockNumber: number; salt: Hex; scope: Scope; notice?: { delivered: boolean; problem?: string } }> {
  const scope = scopeSchema.parse(q.scope);
  const { orgId } = await custodianOf(target);
  const signer = custodianAccount(masterKeyOf(master), orgId);
  const patient = q.patient ?? signer.address; // a proxy signs for another patient
  const domain = await get<Domain>(target, '/api/consent/domain');
  const { nonce } = await get<{ nonce: string }>(target, `/api/consent/nonce/${patient}`);
  const now = BigInt(Math.floor(Date.now() / 1000));
  const granteeOrg = /^0x[0-9a-fA-F]{64}$/.test(q.grantee) ? (q.grantee.toLowerCase() as Hex) : orgIdOf(q.grantee);
  const salt = newSalt();
  const disclosure: Disclosure = { salt, grantee: { org: granteeOrg, ...(q.practitioner ? { practitioner: q.practitioner } : {}) }, scope };
  const grant: GrantMessage = {
    patient,
    grantee: granteeCommitment(salt, granteeIdOf(disclosure.grantee)),
    scopeHash: scopeCommitment(salt, scope),
    purpose: purposeToChain(q.purpose),
    start: now - 60n,
    expiry: now + BigInt(Math.round(q.days * 86400)),
    nonce: BigInt(nonce),
  };
  const signature = await signGrant(signer, domain, grant);
  // The patient's own address at the grantee, signed over this grant, so the grantee can match it to them.
  const atGrantee = q.patient ? undefined : custodianAccount(masterKeyOf(master), granteeOrg);
  const granteePatient = atGrantee && { address: atGrantee.address, signature: await atGrantee.signMessage({ message: noticeMessage(grantIdOf(patient, grant.nonce), patient) }) };
  const body = { grant: { ...grant, start: String(grant.start), expiry: String(grant.expiry), nonce: String(grant.nonce) }, signature, disclosure, ...(granteePatient ? { granteePatient } : {}) };
  const r = await callNode(target, 'POST', '/api/consent/relay', body);
  if (r.status !== 201) throw new CarechainError(`grant refused: HTTP ${r.status}: ${problemOf(r.json)}`);
  // The salt and scope stay with the patient (they open the commitments, e.g. for an insurer's claim check).
  return { ...(r.json as { grantId: Hex; blockNumber: number }), salt, scope };
}

export async function consentRevoke(target: NodeTarget, master: PrivateKeyAccount, grantId: Hex, patient?: Address): Promise<{ blockNumber: number }> {
  const { account: signer } = await patientAt(target, master);
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
