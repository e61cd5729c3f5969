/**
 * Patients log in with their own key: the node issues a one-time challenge, the patient signs it
 * (EIP-191) with the key whose address is their identity on the ledger, and gets a short-lived token
 * with the `patient` role: their own consents and audit trail, nothing else. A proxy logs in with its
 * own key and sees the patients it is an active proxy for.
 */
import { randomBytes } from 'node:crypto';
import { getAddress, recoverMessageAddress, type Address, type Hex } from 'viem';
import { DomainError } from '../shared/errors.ts';

const TTL_MS = 5 * 60_000;
const MAX_OPEN = 10_000;

export const patientLoginMessage = (orgId: Hex, challenge: string) => `carechain:patient-login:v1:${orgId}:${challenge}`;

export class PatientChallenges {
  private readonly open = new Map<string, { address: Address; expires: number }>();

  issue(address: Address): { challenge: string; expiresAt: string } {
    const now = Date.now();
    if (this.open.size >= MAX_OPEN) for (const [k, v] of this.open) if (v.expires < now) this.open.delete(k);
    if (this.open.size >= MAX_OPEN) throw new DomainError('too-many', 'too many open login challenges: try again in a few minutes', { retryAfterSeconds: 60 });
    const challenge = randomBytes(24).toString('base64url');
    this.open.set(challenge, { address: getAddress(address), expires: now + TTL_MS });
    return { challenge, expiresAt: new Date(now + TTL_MS).toISOString() };
  }

  /** Consumes the challenge (one use) and checks the signature; returns the address or undefined. */
  async redeem(orgId: Hex, address: Address, challenge: string, signature: Hex): Promise<Address | undefined> {
    const c = this.open.get(challenge);
    this.open.delete(challenge);
    if (!c || c.expires < Date.now() || c.address !== getAddress(address)) return undefined;
    const signer = await recoverMessageAddress({ message: patientLoginMessage(orgId, challenge), signature }).catch(() => undefined);
    return signer && getAddress(signer) === c.address ? c.address : undefined;
  }
}
