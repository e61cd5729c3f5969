/**
 * The custodian's side of record exchange (see protocol.ts): authenticate the requesting
 * organization by its signature (addressed to us, fresh, not replayed), decide with the PDP on the
 * grant the request names (its salted commitments must open to the requester and the scope), or open
 * a break-glass access for a clinician whose licence (by reference) is active and affiliated with the
 * requester on the ledger; audit; answer with ciphertexts re-wrapped to the requester's key, each with
 * its inclusion proof to an anchored root.
 */
import { bytesToHex, type Address, type Hex } from 'viem';
import { randomBytes } from 'node:crypto';
import type { AuditTrail } from '../audit/trail.ts';
import type { Deployment } from '../chain/deployment.ts';
import { breakGlassRegistryAbi } from '../chain/generated/contracts.ts';
import type { Ledger } from '../chain/submit.ts';
import { decide } from '../consent/pdp.ts';
import { scopeReleases } from '../consent/scope.ts';
import type { CredentialStore } from '../credentials/store.ts';
import { seal, wrapperFor } from '../crypto/envelope.ts';
import { breakGlassTag } from '../crypto/patient-keys.ts';
import type { OrgRequestVerifier } from '../identity/org-requests.ts';
import type { PatientIdentities } from '../identity/patients.ts';
import type { Actor } from '../identity/principal.ts';
import { grantById } from '../indexer/projectors/consent.ts';
import { inclusionProof } from '../merkle/proofs.ts';
import type { LogAnchorer } from '../anchoring/log-anchorer.ts';
import { compartment } from '../records/compartment.ts';
import { dekAad, type RecordStore } from '../records/store.ts';
import { forbidden, invalid } from '../shared/errors.ts';
import type { Storage } from '../storage/engine.ts';
import { BREAK_GLASS_SECONDS, EXCHANGE_PURPOSE, exchangeRequestSchema, type ExchangeEntry, type ExchangeRequest, type ExchangeResponse } from './protocol.ts';
import { ExchangeStore } from './store.ts';

export interface CustodianDeps {
  storage: Storage;
  store: ExchangeStore;
  records: RecordStore;
  anchorer: LogAnchorer;
  patients: PatientIdentities;
  credentials: CredentialStore;
  verifier: OrgRequestVerifier;
  audit: AuditTrail;
  ledger: Ledger;
  deployment: Deployment;
  orgId: Hex;
  indexer: { readonly indexedBlock: number; waitForBlock(block: number, timeoutMs: number): Promise<void> };
}

export class Custodian {
  constructor(private readonly deps: CustodianDeps) {}

  /** Answers a signed exchange request (`body` parsed from JSON, `signature` its header). */
  async answer(body: unknown, signature: string, network: string | undefined): Promise<ExchangeResponse> {
    const parsed = exchangeRequestSchema.safeParse(body);
    if (!parsed.success) throw invalid(`invalid exchange request: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
    const r = parsed.data;
    // Who is asking, proven by its signature over the exact body, addressed to us (not replayable elsewhere).
    const requester = await this.deps.verifier.verify(EXCHANGE_PURPOSE, body as never, signature);

    // Decide on an index at least as recent as what the requester has seen (e.g. a grant it just
    // relayed), waiting briefly for our indexer; the decision states the height it used anyway.
    const { indexer } = this.deps;
    if (r.minBlock !== undefined && r.minBlock > indexer.indexedBlock) await indexer.waitForBlock(r.minBlock, 10_000).catch(() => {});
    const grant = r.grant ? await grantById(this.deps.storage, r.grant.id as Hex) : undefined;
    const decision = decide(grant, {
      patient: r.patient as Hex,
      requester: requester.orgId,
      practitioner: r.practitioner,
      purpose: r.purpose,
      scope: r.scope,
      salt: r.grant?.salt as Hex | undefined,
      nowSeconds: Math.floor(Date.now() / 1000),
      indexedBlock: indexer.indexedBlock,
    });
    const localPatients = await this.deps.patients.patientsWithAddress(r.patient as Address);
    const actor: Actor = { agent: `Organization/${requester.orgId}`, onBehalfOf: r.practitioner, network, purpose: r.purpose };
    let breakGlass: ExchangeResponse['breakGlass'];
    if (!decision.allow && r.breakGlass) breakGlass = await this.breakGlass(actor, requester.orgId, requester.name, r, localPatients);
    if (!decision.allow && !breakGlass) {
      for (const p of localPatients.length ? localPatients : [undefined]) {
        await this.deps.audit.record(actor, { action: 'R', subtype: 'exchange', outcome: '4', outcomeDesc: `denied at block ${decision.indexedBlock}: ${decision.reason}`, patientId: p });
      }
      // The same answer whether or not this node holds anything for the patient.
      throw forbidden(`access denied (ledger block ${decision.indexedBlock}): ${decision.reason}`);
    }
    const released = await this.release(actor, requester.encryptionKey, localPatients, breakGlass ? undefined : r.scope);
    return { custodian: this.deps.orgId, indexedBlock: decision.indexedBlock, grantId: decision.grantId ?? null, ...(breakGlass ? { breakGlass } : {}), ...released };
  }

  /**
   * Emergency access without a grant: purpose ETREAT, a named practitioner, a stated reason, and a
   * medical licence referenced by id and document hash that the ledger has active and affiliated with
   * the requesting organization. The licence document itself never reaches this node.
   */
  private async breakGlass(actor: Actor, requester: Hex, requesterName: string, r: ExchangeRequest, localPatients: string[]): Promise<ExchangeResponse['breakGlass']> {
    const refuse = async (why: string) => {
      await this.deps.audit.record(actor, { action: 'E', subtype: 'break-glass', outcome: '4', outcomeDesc: `refused: ${why}`.slice(0, 500), patientId: localPatients[0] });
      return forbidden(`break-glass refused: ${why}`);
    };
    if (r.purpose !== 'ETREAT' || !r.practitioner) throw await refuse('break-glass needs purpose ETREAT and a named practitioner');
    if (!r.credential) throw await refuse('no medical licence referenced');
    const problem = await this.deps.credentials.referencedLicenceProblem(r.credential as { id: Hex; hash: Hex }, requester);
    if (problem) throw await refuse(problem);
    const access = await this.openBreakGlass(requester, r.practitioner, r.credential.id as Hex, r.patient as Address, r.breakGlass!.reason, localPatients[0]);
    for (const p of localPatients) {
      await this.deps.audit.record(actor, {
        action: 'E',
        subtype: 'break-glass',
        outcome: '0',
        outcomeDesc: `emergency access by ${r.practitioner} of ${requesterName} (licence ${r.credential.id})`,
        patientId: p,
        what: [`BreakGlass/${access.accessId}`],
      });
    }
    return access;
  }

  /**
   * Opens (or reuses, while it lasts) a break-glass access, flagged on the ledger before anything is
   * released: the requesting organization and the clinician's licence id by name, the patient only by
   * a tag that the patient (and this custodian) can recognise and nobody else can link, and a salted
   * hash of the reason. The reason itself stays here, sealed.
   */
  private async openBreakGlass(requester: Hex, practitioner: string, credentialId: Hex, patient: Address, reason: string, patientId: string | undefined): Promise<NonNullable<ExchangeResponse['breakGlass']>> {
    const now = Math.floor(Date.now() / 1000);
    const open = await this.deps.store.openAccess(requester, credentialId, patient, now);
    if (open) return { accessId: open.access_id, until: open.until, txHash: open.tx_hash };
    const accessId = bytesToHex(randomBytes(32));
    const until = now + BREAK_GLASS_SECONDS;
    const tagSecret = patientId ? await this.deps.patients.tagSecretOf(patientId) : undefined;
    const patientTag = tagSecret ? breakGlassTag(tagSecret, accessId) : bytesToHex(randomBytes(32));
    const { salt, hash: reasonHash } = ExchangeStore.reasonCommitment(reason);
    const { hash } = await this.deps.ledger.submit({
      address: this.deps.deployment.contracts.BreakGlassRegistry.address,
      abi: breakGlassRegistryAbi,
      functionName: 'flag',
      args: [requester, credentialId, patientTag, accessId, reasonHash, BigInt(until)],
      label: `break-glass ${accessId}`,
    });
    await this.deps.store.saveAccess({ access_id: accessId, patient, requester, practitioner, credential_id: credentialId, reason, reason_salt: salt, until, tx_hash: hash });
    return { accessId, until, txHash: hash };
  }

  /** The patient's anchored versions the scope releases (all of them for break-glass), re-wrapped. */
  private async release(actor: Actor, recipientKeyHex: Hex, localPatients: string[], scope: Parameters<typeof scopeReleases>[0] | undefined) {
    const wrapper = wrapperFor(Buffer.from(recipientKeyHex.slice(2), 'hex'));
    const { records } = this.deps;
    const entries: ExchangeEntry[] = [];
    let pendingAnchor = 0;
    for (const patientId of localPatients) {
      const released: string[] = [];
      for (const ref of await compartment(this.deps.storage, records, patientId)) {
        const resource = await records.read(ref.type, ref.id);
        if (scope && !scopeReleases(scope, resource)) continue;
        const version = Number(resource.meta!.versionId);
        const row = (await records.versionRow(ref.type, ref.id, version))!;
        const anchor = await this.deps.anchorer.anchorCovering(row.leaf_index);
        if (!anchor) {
          pendingAnchor++;
          continue;
        }
        entries.push({
          type: ref.type,
          id: ref.id,
          version,
          ciphertext: (await records.ciphertext(row)).toString('base64'),
          wrappedKey: seal(wrapper.key, records.dataKey(row), dekAad(row.blob_hash!)).toString('base64'),
          leafIndex: row.leaf_index,
          leaf: (await records.log.leaf(row.leaf_index))!.toString('base64'),
          proof: inclusionProof(records.log.tree, row.leaf_index, anchor.treeSize).map((h) => bytesToHex(h)),
          anchor: { index: anchor.index, treeSize: anchor.treeSize, root: anchor.root, blockNumber: anchor.blockNumber },
        });
        released.push(`${ref.type}/${ref.id}/_history/${version}`);
      }
      await this.deps.audit.record(actor, { action: 'R', subtype: 'exchange', outcome: '0', patientId, what: released });
    }
    return { epk: wrapper.epk.toString('base64'), entries, pendingAnchor };
  }
}
