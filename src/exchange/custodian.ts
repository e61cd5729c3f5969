/**
 * The custodian's side of record exchange (see protocol.ts): authenticate the requesting
 * organization by its signature, refuse replays, decide with the PDP on the indexed ledger (or open a
 * break-glass access for a licensed clinician), audit, and answer with ciphertexts re-wrapped to the
 * requester's key, each with its inclusion proof to an anchored root.
 */
import { randomBytes } from 'node:crypto';
import { bytesToHex, getAddress, keccak256, padHex, recoverMessageAddress, stringToHex, type Address, type Hex } from 'viem';
import type { AuditTrail } from '../audit/trail.ts';
import type { Deployment } from '../chain/deployment.ts';
import { breakGlassRegistryAbi } from '../chain/generated/contracts.ts';
import type { Ledger } from '../chain/submit.ts';
import { decide } from '../consent/pdp.ts';
import { scopeHash, scopeReleases } from '../consent/scope.ts';
import type { CredentialStore } from '../credentials/store.ts';
import { seal, wrapperFor } from '../crypto/envelope.ts';
import type { PatientIdentities } from '../identity/patients.ts';
import type { Actor } from '../identity/principal.ts';
import { grantsOf } from '../indexer/projectors/consent.ts';
import { getParticipant } from '../indexer/projectors/participants.ts';
import { inclusionProof } from '../merkle/proofs.ts';
import type { LogAnchorer } from '../anchoring/log-anchorer.ts';
import { compartment } from '../records/compartment.ts';
import { dekAad, type RecordStore } from '../records/store.ts';
import { DomainError, forbidden, invalid } from '../shared/errors.ts';
import type { Storage } from '../storage/engine.ts';
import { BREAK_GLASS_SECONDS, exchangeRequestSchema, MAX_SKEW_MS, requestDigest, type ExchangeEntry, type ExchangeResponse } from './protocol.ts';
import type { ExchangeStore } from './store.ts';

/** A practitioner grantee id on chain: keccak256 of "<orgId>/<Practitioner/id>". */
export const practitionerGrantee = (orgId: Hex, practitioner: string) => keccak256(stringToHex(`${orgId}/${practitioner}`));

export interface CustodianDeps {
  storage: Storage;
  store: ExchangeStore;
  records: RecordStore;
  anchorer: LogAnchorer;
  patients: PatientIdentities;
  credentials: CredentialStore;
  audit: AuditTrail;
  ledger: Ledger;
  deployment: Deployment;
  orgId: Hex;
  indexer: { readonly indexedBlock: number; waitForBlock(block: number, timeoutMs: number): Promise<void> };
}

const security = (message: string) => new DomainError('unauthenticated', message, { code: 'security' });

export class Custodian {
  constructor(private readonly deps: CustodianDeps) {}

  /** Answers a signed exchange request (`raw` is the body as received, `signature` its header). */
  async answer(body: unknown, signature: string, network: string | undefined): Promise<ExchangeResponse> {
    // The requester signs JSON.stringify of the request object, which is what re-serializing the
    // parsed body gives back (same keys, same order, no whitespace).
    const raw = JSON.stringify(body ?? null);
    const parsed = exchangeRequestSchema.safeParse(body);
    if (!parsed.success) throw invalid(`invalid exchange request: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
    const r = parsed.data;
    // Who is asking: a registered, active organization, proven by its signature over the body.
    const requester = await getParticipant(this.deps.storage, r.requester as Hex);
    if (!requester || !requester.active) throw forbidden('the requester is not an active participant');
    const signer = /^0x[0-9a-fA-F]{130}$/.test(signature) ? await recoverMessageAddress({ message: { raw: requestDigest(raw) }, signature: signature as Hex }).catch(() => undefined) : undefined;
    if (!signer || getAddress(signer) !== getAddress(requester.signer)) throw security("the request is not signed by the requester's registered key");
    if (Math.abs(Date.now() - r.timestamp) > MAX_SKEW_MS) throw security('the request is too old or from the future');
    if (!(await this.deps.store.useNonce(requester.orgId, r.nonce))) throw security('replayed request');

    // Decide on an index at least as recent as what the requester has seen (e.g. a grant it just
    // relayed), waiting briefly for our indexer; the decision states the height it used anyway.
    const { indexer } = this.deps;
    if (r.minBlock !== undefined && r.minBlock > indexer.indexedBlock) await indexer.waitForBlock(r.minBlock, 10_000).catch(() => {});
    const grantees = [requester.orgId, ...(r.practitioner ? [practitionerGrantee(requester.orgId, r.practitioner)] : [])];
    const decision = decide(await grantsOf(this.deps.storage, r.patient as Address), {
      grantees,
      purpose: r.purpose,
      scopeHash: scopeHash(r.scope),
      nowSeconds: Math.floor(Date.now() / 1000),
      indexedBlock: indexer.indexedBlock,
    });
    const localPatients = await this.deps.patients.patientsWithAddress(r.patient as Address);
    const actor: Actor = { agent: `Organization/${requester.orgId}`, onBehalfOf: r.practitioner, network, purpose: r.purpose };
    let breakGlass: ExchangeResponse['breakGlass'];
    if (!decision.allow && r.breakGlass) {
      breakGlass = await this.breakGlass(actor, requester.orgId, r, localPatients);
    }
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

  /** Emergency access without a grant: a licensed, named practitioner, purpose ETREAT and a reason. */
  private async breakGlass(actor: Actor, requester: Hex, r: ReturnType<typeof exchangeRequestSchema.parse>, localPatients: string[]): Promise<ExchangeResponse['breakGlass']> {
    if (r.purpose !== 'ETREAT' || !r.practitioner) throw forbidden('break-glass needs purpose ETREAT and a named practitioner');
    // Only a licensed, non-excluded practitioner may break the glass.
    const licence = r.credential ? await this.deps.credentials.verify(r.credential, this.deps.indexer.indexedBlock) : undefined;
    const licensed = licence?.valid && licence.claims!.credentialSubject.id === r.practitioner && licence.claims!.credentialSubject.credential.type === 'medical-licence';
    if (!licensed) {
      const why = !licence ? 'no licence presented' : licence.valid ? 'the licence is for another practitioner' : licence.problems.join('; ');
      await this.deps.audit.record(actor, { action: 'E', subtype: 'break-glass', outcome: '4', outcomeDesc: `refused: ${why}`.slice(0, 500), patientId: localPatients[0] });
      throw forbidden(`break-glass refused: ${why}`);
    }
    const access = await this.openBreakGlass(requester, r.practitioner, r.patient as Address, r.breakGlass!.reason);
    for (const p of localPatients) {
      await this.deps.audit.record(actor, { action: 'E', subtype: 'break-glass', outcome: '0', outcomeDesc: `emergency access: ${r.breakGlass!.reason}`.slice(0, 500), patientId: p, what: [`BreakGlass/${access.accessId}`] });
    }
    return access;
  }

  /**
   * Opens (or reuses, while it lasts) a break-glass access, flagged on the ledger before anything is
   * released, naming the requester and the clinician; the reason stays here (its hash on chain).
   */
  private async openBreakGlass(requester: Hex, practitioner: string, patient: Address, reason: string): Promise<NonNullable<ExchangeResponse['breakGlass']>> {
    const now = Math.floor(Date.now() / 1000);
    const open = await this.deps.store.openAccess(requester, practitioner, patient, now);
    if (open) return { accessId: open.access_id, until: Number(open.until), txHash: open.tx_hash };
    const accessId = bytesToHex(randomBytes(32));
    const until = now + BREAK_GLASS_SECONDS;
    const { hash } = await this.deps.ledger.submit({
      address: this.deps.deployment.contracts.BreakGlassRegistry.address,
      abi: breakGlassRegistryAbi,
      functionName: 'flag',
      args: [requester, practitionerGrantee(requester, practitioner), padHex(patient, { size: 32 }), accessId, keccak256(stringToHex(reason)), BigInt(until)],
      label: `break-glass ${accessId}`,
    });
    await this.deps.store.saveAccess({ access_id: accessId, patient, requester, practitioner, reason, until, tx_hash: hash, created_at: new Date().toISOString() });
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
