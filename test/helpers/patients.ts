/**
 * Test helpers for the patient's side: the activation code the custodian sent to the contact on file
 * (read from the node's demo outbox, as the patient would read their SMS), a key in custody under the
 * patient's passphrase, and a grant signed with it.
 */
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { readOutbox } from '../../src/identity/notifier.ts';
import type { Scope } from '../../src/consent/scope.ts';

async function post(url: string, path: string, body: unknown, token?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

/** The latest activation code in the node's outbox for this patient. */
export function activationCodeFor(dataDir: string, patientId: string): string {
  const m = readOutbox(join(dataDir, 'outbox')).filter((x) => x.data?.patientId === patientId && x.data?.code).at(-1);
  if (!m) throw new Error(`no activation code for Patient/${patientId} in the outbox`);
  return m.data!.code!;
}

/** Staff ask for an activation code; the patient reads it and chooses a passphrase for a custodial key. */
export async function custodyPatient(node: { url: string; token: string; dataDir: string }, patientId: string, passphrase: string): Promise<Address> {
  const a = await post(node.url, `/api/patients/${patientId}/activation`, {}, node.token);
  if (a.status !== 201) throw new Error(`activation refused: ${JSON.stringify(a.body)}`);
  const c = await post(node.url, '/api/patient/custody', { patientId, code: activationCodeFor(node.dataDir, patientId), passphrase });
  if (c.status !== 201) throw new Error(`custody refused: ${JSON.stringify(c.body)}`);
  return c.body.address as Address;
}

/** The patient (with their passphrase) grants `grantee` a scope; returns the grant id and whether the grantee was told. */
export async function custodyGrant(
  url: string,
  q: { patientId: string; passphrase: string; grantee: string; practitioner?: string; scope: Scope; purpose?: string; days?: number },
): Promise<{ status: number; grantId?: Hex; blockNumber?: number; notice?: { delivered: boolean; problem?: string }; body: any }> {
  const r = await post(url, '/api/patient/consent/grant', { purpose: 'TREAT', days: 1, ...q });
  return { status: r.status, ...(r.body ?? {}), body: r.body };
}

/** A Patient resource with a phone on file (where activation codes go). */
export const patientWithPhone = (family: string, phone = '+1 555 0100') => ({ resourceType: 'Patient', name: [{ family }], telecom: [{ system: 'sms', value: phone }] });
