/**
 * Patients log in with their own key: the node issues a one-time challenge, the patient signs it
 * (EIP-191) with the key whose address is their identity on the ledger, and gets a short-lived token
 * with the `patient` role: their own consents and audit trail, nothing else. A proxy logs in with its
 * own key and sees the patients it is an active proxy for.
 */
import { randomBytes } from 'node:crypto';
import { getAddress, recoverMessageAddress, type Address, type Hex } from 'viem';
import { DomainError } from '../shared/errors.ts';
import type { Migration, Storage } from '../storage/engine.ts';

const TTL_MS = 5 * 60_000;
const MAX_OPEN = 10_000;

export const patientLoginMessage = (orgId: Hex, challenge: string) => `carechain:patient-login:v1:${orgId}:${challenge}`;

/**
 * Open challenges live in the database, not in memory, so a challenge issued by one replica of the
 * node can be answered at another (replicas behind a load balancer share one PostgreSQL database).
 */
export const patientChallengeMigrations: Migration[] = [
  (tx) => tx.exec('CREATE TABLE patient_login_challenges (challenge TEXT PRIMARY KEY, address TEXT NOT NULL, expires_ms INTEGER NOT NULL)'),
];

export class PatientChallenges {
  constructor(private readonly storage: Storage) {}

  async issue(address: Address): Promise<{ challenge: string; expiresAt: string }> {
    const now = Date.now();
    const open = async () => Number((await this.storage.get<{ n: number }>('SELECT COUNT(*) AS n FROM patient_login_challenges'))?.n ?? 0);
    if ((await open()) >= MAX_OPEN) await this.storage.run('DELETE FROM patient_login_challenges WHERE expires_ms < ?', [now]);
    if ((await open()) >= MAX_OPEN) throw new DomainError('too-many', 'too many open login challenges: try again in a few minutes', { retryAfterSeconds: 60 });
    const challenge = randomBytes(24).toString('base64url');
    await this.storage.run('INSERT INTO patient_login_challenges (challenge, address, expires_ms) VALUES (?, ?, ?)', [challenge, getAddress(address), now + TTL_MS]);
    return { challenge, expiresAt: new Date(now + TTL_MS).toISOString() };
  }

  /** Consumes the challenge (one use, whichever replica answers) and checks the signature; returns the address or undefined. */
  async redeem(orgId: Hex, address: Address, challenge: string, signature: Hex): Promise<Address | undefined> {
    const row = await this.storage.transaction((tx) =>
      tx.get<{ address: Address; expires_ms: number }>('DELETE FROM patient_login_challenges WHERE challenge = ? RETURNING address, expires_ms', [challenge]),
    );
    const c = row && { address: row.address, expires: Number(row.expires_ms) };
    if (!c || c.expires < Date.now() || c.address !== getAddress(address)) return undefined;
    const signer = await recoverMessageAddress({ message: patientLoginMessage(orgId, challenge), signature }).catch(() => undefined);
    return signer && getAddress(signer) === c.address ? c.address : undefined;
  }
}
