/**
 * Credentials on a node: issuing (a licensing board signs a W3C VC and registers its status on the
 * ledger), status changes, verification, presentation by this organization's practitioners, the
 * directory and the exclusion list. Every action is audited as the caller's.
 */
import type { Hex } from 'viem';
import type { AuditTrail } from '../audit/trail.ts';
import type { Deployment } from '../chain/deployment.ts';
import { credentialStatusAbi, practitionerAffiliationsAbi } from '../chain/generated/contracts.ts';
import type { ChainConnection } from '../chain/client.ts';
import type { Ledger } from '../chain/submit.ts';
import type { OrgKeys } from '../crypto/org-keys.ts';
import type { Actor } from '../identity/principal.ts';
import { unprocessable } from '../shared/errors.ts';
import type { WriteQueue } from '../storage/write-queue.ts';
import type { CredentialStore, Verification } from './store.ts';
import { credentialTypeId, jurisdictionId } from './types.ts';
import { affiliationDomain } from './affiliation.ts';
import { credentialDocumentHash, signCredential, type IssueInput } from './vc.ts';

export interface CredentialServiceDeps {
  store: CredentialStore;
  queue: WriteQueue;
  audit: AuditTrail;
  ledger: Ledger;
  deployment: Deployment;
  keys: OrgKeys;
  orgId: Hex;
  conn: ChainConnection;
  indexedBlock: () => number;
}

/** A practitioner's signed affiliation with this organization (see affiliation.ts). */
export interface AffiliationProof {
  until: bigint;
  nonce: bigint;
  signature: Hex;
}

export type StatusAction = 'suspend' | 'reinstate' | 'revoke';

export interface DirectoryEntry {
  practitioner: string;
  type: string;
  credentialId?: string;
  valid: boolean;
  status?: string;
  problems: string[];
  issuer?: string;
  verification: Verification;
}

export class CredentialService {
  constructor(private readonly deps: CredentialServiceDeps) {}

  get indexedBlock(): number {
    return this.deps.indexedBlock();
  }

  private get address() {
    return this.deps.deployment.contracts.CredentialStatus.address;
  }

  private audit(actor: Actor, subtype: string, outcome: '0' | '4', desc: string, what: string[] = []) {
    return this.deps.audit.record(actor, { action: 'E', subtype, outcome, outcomeDesc: desc.slice(0, 500), what });
  }

  /** Issuer side: sign the credential, then record it as active on the ledger (which checks our scope). */
  async issue(actor: Actor, input: IssueInput): Promise<{ credentialId: Hex; credential: string }> {
    const signed = await signCredential(this.deps.orgId, { account: this.deps.keys.account, privateKey: this.deps.keys.signingKey }, input);
    try {
      await this.deps.ledger.submit({
        address: this.address,
        abi: credentialStatusAbi,
        functionName: 'register',
        args: [signed.credentialId, credentialTypeId(input.type), jurisdictionId(input.jurisdiction), input.subject.holder as Hex, credentialDocumentHash(signed.jws)],
        label: `credential ${signed.credentialId}`,
      });
    } catch (err) {
      await this.audit(actor, 'credential-issue', '4', (err as Error).message);
      throw err;
    }
    await this.audit(actor, 'credential-issue', '0', `${input.type} ${input.jurisdiction} for ${input.subject.practitioner}`, [`Credential/${signed.credentialId}`]);
    return { credentialId: signed.credentialId, credential: signed.jws };
  }

  async changeStatus(actor: Actor, credentialId: Hex, action: StatusAction): Promise<{ credentialId: Hex; status: string; blockNumber: number }> {
    try {
      const { blockNumber } = await this.deps.ledger.submit({ address: this.address, abi: credentialStatusAbi, functionName: action, args: [credentialId], label: `credential ${action} ${credentialId}` });
      await this.audit(actor, `credential-${action}`, '0', action, [`Credential/${credentialId}`]);
      return { credentialId, status: action === 'reinstate' ? 'active' : action === 'suspend' ? 'suspended' : 'revoked', blockNumber };
    } catch (err) {
      await this.audit(actor, `credential-${action}`, '4', (err as Error).message, [`Credential/${credentialId}`]);
      throw err;
    }
  }

  async verify(actor: Actor, jws: string): Promise<Verification> {
    const v = await this.deps.store.verify(jws, this.deps.indexedBlock());
    await this.audit(actor, 'credential-verify', v.valid ? '0' : '4', v.valid ? 'valid' : v.problems.join('; '), v.claims ? [`Credential/${v.claims.credentialStatus.id}`] : []);
    return v;
  }

  /** The signing domain and next nonce for a practitioner's affiliation with this organization. */
  async affiliationTerms(holder: Hex) {
    const address = this.deps.deployment.contracts.PractitionerAffiliations.address;
    const nonce = await this.deps.conn.client.readContract({ address, abi: practitionerAffiliationsAbi, functionName: 'nonces', args: [holder] });
    return { organization: this.deps.orgId, domain: affiliationDomain(this.deps.conn.chain.id, address), nonce: String(nonce) };
  }

  /**
   * A practitioner of this organization presents a credential together with their signed
   * affiliation naming this organization: the credential must verify, and the affiliation is recorded
   * on the ledger (which checks it is signed by the key the credential names). A credential copied
   * from another organization cannot come with such a signature.
   */
  async present(actor: Actor, jws: string, affiliation: AffiliationProof): Promise<{ practitioner: string; credentialId: string; type: string; affiliatedUntil: number }> {
    const v = await this.deps.store.verify(jws, this.deps.indexedBlock());
    const what = v.claims ? [v.claims.credentialSubject.id] : [];
    if (!v.valid) {
      await this.audit(actor, 'credential-present', '4', v.problems.join('; '), what);
      throw unprocessable(v.problems.join('; '), 'invalid-credential');
    }
    const c = v.claims!;
    try {
      await this.deps.ledger.submit({
        address: this.deps.deployment.contracts.PractitionerAffiliations.address,
        abi: practitionerAffiliationsAbi,
        functionName: 'affiliate',
        args: [c.credentialStatus.id as Hex, affiliation.until, affiliation.nonce, affiliation.signature],
        label: `affiliation ${c.credentialStatus.id}`,
      });
    } catch (err) {
      await this.audit(actor, 'credential-present', '4', `affiliation refused: ${(err as Error).message}`, what);
      throw err;
    }
    await this.deps.queue.run(async (tx) => {
      await this.deps.store.savePresented(tx, { credentialId: c.credentialStatus.id, practitioner: c.credentialSubject.id, type: c.credentialSubject.credential.type, jws });
      await this.deps.audit.append(tx, actor, { action: 'E', subtype: 'credential-present', outcome: '0', outcomeDesc: `accepted; affiliated until ${new Date(Number(affiliation.until) * 1000).toISOString()}`, what });
    });
    return { practitioner: c.credentialSubject.id, credentialId: c.credentialStatus.id, type: c.credentialSubject.credential.type, affiliatedUntil: Number(affiliation.until) };
  }

  /** The practitioner directory with each credential's verification state now. */
  async directory(practitioner?: string): Promise<DirectoryEntry[]> {
    const out: DirectoryEntry[] = [];
    for (const r of await this.deps.store.presented({ practitioner })) {
      const v = await this.deps.store.verify(r.jws, this.deps.indexedBlock());
      out.push({ practitioner: r.practitioner, type: r.type, credentialId: v.claims?.credentialStatus.id, valid: v.valid, status: v.status, problems: v.problems, issuer: v.issuer?.name, verification: v });
    }
    return out;
  }

  async importExclusions(actor: Actor, csv: string): Promise<{ imported: number }> {
    const n = await this.deps.queue.run((tx) => this.deps.store.importExclusions(tx, csv));
    await this.audit(actor, 'exclusions-import', '0', `${n} exclusions`);
    return { imported: n };
  }
}

