/**
 * Clinical studies on a node (issue 16): a sponsor registers a ResearchStudy with its protocol and
 * pre-specified outcomes (stored as a FHIR record, its version hash on the TrialRegistry) before any
 * enrolment; amendments are new versions with a reason, and say whether subjects must consent again.
 * A site enrols a patient only under their research consent (EIP-712 grant, purpose HRESCH, naming the
 * study and the version in force: protocol/protocol.ts), re-enrols them after a material amendment,
 * and records withdrawals; no data of a subject is captured or exported unless the subject may be used
 * now (enrolled, not withdrawn, consented to the latest material version, grant in force). Captured
 * entries are anchored in Merkle batches, checked by the monitor's integrity report; reported outcomes
 * are checked against the version in force at enrolment start; exports are HIPAA Safe Harbor
 * de-identified with per-study pseudonyms and their manifest anchored. Every step is audited.
 */
import { createHmac } from 'node:crypto';
import { getAddress, type Hex } from 'viem';
import type { AuditTrail } from '../audit/trail.ts';
import type { Deployment } from '../chain/deployment.ts';
import { trialRegistryAbi } from '../chain/generated/contracts.ts';
import type { Ledger } from '../chain/submit.ts';
import { decide } from '../consent/pdp.ts';
import { scopeReleases } from '../consent/scope.ts';
import type { ConsentService } from '../consent/service.ts';
import type { Resource } from '../fhir/types.ts';
import type { PatientIdentities } from '../identity/patients.ts';
import type { Caller } from '../identity/principal.ts';
import { trialAnchors, trialStudy, trialSubject, trialSubjects, trialVersions, type TrialSubjectRow } from '../indexer/projectors/trial-registry.ts';
import type { RecordService } from '../records/service.ts';
import type { RecordStore } from '../records/store.ts';
import { leafHash } from '../merkle/hasher.ts';
import { inclusionProof } from '../merkle/proofs.ts';
import { MerkleTree } from '../merkle/tree.ts';
import { verifyInclusion } from '../merkle/verify.ts';
import { forbidden, invalid, isDomainError, notFound, unprocessable } from '../shared/errors.ts';
import type { Storage } from '../storage/engine.ts';
import type { WriteQueue } from '../storage/write-queue.ts';
import { batchRoot, clinicalTimeOf, contentHash, entryLeaf } from './capture/entry.ts';
import { integrityReport, type CapturedEntry, type CurrentState, type IntegrityReport } from './capture/integrity.ts';
import type { FhirResource } from './deid/deidentify.ts';
import { deidentifySubjects } from './export/deidentify-subjects.ts';
import type { DeidReport } from './deid/report.ts';
import { manifestHash, manifestOf, type DatasetManifest } from './export/manifest.ts';
import { compareOutcomes } from './outcomes/compare-outcomes.ts';
import { preSpecifiedVersion } from './outcomes/pre-specified.ts';
import type { OutcomeFinding, ProtocolVersion, ReportedOutcome } from './outcomes/types.ts';
import { protocolHash, reasonHash, requiresReconsent, scopeCovers, studyGranteeLabel, studyIdOf, subjectTagOf, type ProtocolInput, type ProtocolVersionDoc } from './protocol/protocol.ts';

export interface ResearchServiceDeps {
  storage: Storage;
  /** The timestamp (ISO) of a block: when an imported protocol version took effect. */
  blockTime(block: number): Promise<string>;
  queue: WriteQueue;
  audit: AuditTrail;
  ledger: Ledger;
  deployment: Deployment;
  orgId: Hex;
  /** The node's secret the per-study secrets are derived from (never stored, never sent). */
  indexSecret: Buffer;
  records: RecordService;
  store: RecordStore;
  consent: ConsentService;
  patients: PatientIdentities;
}

/** Resource types a site captures as study data. */
export const CAPTURE_TYPES = ['Observation', 'QuestionnaireResponse'] as const;

export interface StudyVersionView {
  version: number;
  protocolHash: Hex;
  onChainHash?: Hex;
  verified: boolean;
  effectiveAt: string;
  reason?: string;
  reconsent: boolean;
  block?: number;
  outcomes: ProtocolVersionDoc['outcomes'];
  scope: ProtocolVersionDoc['scope'];
}

export interface SubjectStatus {
  usable: boolean;
  reason: string;
}

export class ResearchService {
  constructor(private readonly deps: ResearchServiceDeps) {}

  private get trials() {
    return this.deps.deployment.contracts.TrialRegistry.address;
  }

  /** The per-study secret (pseudonyms, subject tags): HMAC of the node's secret, so nothing needs storing. */
  private secretOf(studyId: Hex): Buffer {
    return createHmac('sha256', this.deps.indexSecret).update(`carechain:research-study-secret:v1\0${studyId.toLowerCase()}`).digest();
  }

  // --- sponsor ---------------------------------------------------------------------------------------

  /** Stores the ResearchStudy, then anchors its protocol version 1 on the TrialRegistry. */
  async register(caller: Caller, study: Resource, protocol: ProtocolInput): Promise<{ studyId: Hex; researchStudyId: string; version: 1; protocolHash: Hex; blockNumber: number }> {
    if (study.resourceType !== 'ResearchStudy') throw invalid(`expected a ResearchStudy, got ${String(study.resourceType)}`);
    const created = await this.deps.records.as(caller).create(study);
    const researchStudyId = created.id;
    const stored = await this.deps.store.read('ResearchStudy', researchStudyId);
    const studyId = studyIdOf(this.deps.orgId, researchStudyId);
    const doc: ProtocolVersionDoc = { study: stored, document: protocol.document, outcomes: protocol.outcomes, scope: protocol.scope };
    const hash = protocolHash(doc);
    const { blockNumber } = await this.deps.ledger.submit({ address: this.trials, abi: trialRegistryAbi, functionName: 'register', args: [studyId, hash], label: `trial register ${studyId}` });
    const now = new Date().toISOString();
    await this.deps.queue.run(async (tx) => {
      await tx.run('INSERT INTO research_studies (study_id, research_study_id, sponsor, registered_at) VALUES (?, ?, ?, ?)', [studyId, researchStudyId, this.deps.orgId, now]);
      await tx.run('INSERT INTO research_versions (study_id, version, document, protocol_hash, effective_at, reason, reconsent) VALUES (?, 1, ?, ?, ?, NULL, 0)', [studyId, JSON.stringify(doc), hash, now]);
      await this.deps.audit.append(tx, caller, { action: 'C', subtype: 'research-register', outcome: '0', what: [`ResearchStudy/${researchStudyId}`], outcomeDesc: `study ${studyId} protocol v1 ${hash}` });
    });
    return { studyId, researchStudyId, version: 1, protocolHash: hash, blockNumber };
  }

  /** A new protocol version with its reason; re-consent is required if the sponsor says so or the data scope widens. */
  async amend(caller: Caller, studyId: Hex, q: { protocol: ProtocolInput; reason: string; reconsent: boolean; study?: Resource }): Promise<{ version: number; protocolHash: Hex; reconsent: boolean; forcedBy?: string; blockNumber: number }> {
    const local = await this.localStudy(studyId);
    if (local.sponsor.toLowerCase() !== this.deps.orgId.toLowerCase()) throw forbidden('only the sponsor amends a study');
    if (q.reason.trim() === '') throw invalid('an amendment needs its reason');
    const versions = await this.localVersions(studyId);
    const prev = versions.at(-1)!;
    if (q.study) {
      if (q.study.resourceType !== 'ResearchStudy') throw invalid('expected a ResearchStudy');
      await this.deps.records.as(caller).update('ResearchStudy', local.researchStudyId, { ...q.study, id: local.researchStudyId });
    }
    const stored = await this.deps.store.read('ResearchStudy', local.researchStudyId);
    const doc: ProtocolVersionDoc = { study: stored, document: q.protocol.document, outcomes: q.protocol.outcomes, scope: q.protocol.scope };
    const hash = protocolHash(doc);
    if (hash === prev.protocolHash) throw invalid('the amendment changes nothing in the protocol version');
    const rc = requiresReconsent(prev.doc.scope, doc.scope, q.reconsent);
    const { blockNumber } = await this.deps.ledger.submit({ address: this.trials, abi: trialRegistryAbi, functionName: 'amend', args: [studyId, hash, reasonHash(q.reason), rc.reconsent], label: `trial amend ${studyId}` });
    const version = prev.version + 1;
    await this.deps.queue.run(async (tx) => {
      await tx.run('INSERT INTO research_versions (study_id, version, document, protocol_hash, effective_at, reason, reconsent) VALUES (?, ?, ?, ?, ?, ?, ?)', [studyId, version, JSON.stringify(doc), hash, new Date().toISOString(), q.reason, rc.reconsent ? 1 : 0]);
      await this.deps.audit.append(tx, caller, { action: 'U', subtype: 'research-amend', outcome: '0', what: [`ResearchStudy/${local.researchStudyId}`], outcomeDesc: `protocol v${version} ${hash}${rc.reconsent ? ' (re-consent required)' : ''}` });
    });
    return { version, protocolHash: hash, reconsent: rc.reconsent, ...(rc.forcedBy ? { forcedBy: rc.forcedBy } : {}), blockNumber };
  }

  /** The registry entry: every version, each checked against the hash on the ledger; subjects, batches, datasets. */
  async entry(studyId: Hex) {
    const local = await this.localStudy(studyId);
    const onChain = await trialStudy(this.deps.storage, studyId);
    const chainVersions = new Map((await trialVersions(this.deps.storage, studyId)).map((v) => [v.version, v]));
    const versions: StudyVersionView[] = (await this.localVersions(studyId)).map((v) => {
      const c = chainVersions.get(v.version);
      return {
        version: v.version,
        protocolHash: v.protocolHash,
        ...(c ? { onChainHash: c.protocolHash, block: c.block } : {}),
        verified: !!c && c.protocolHash.toLowerCase() === v.protocolHash.toLowerCase() && protocolHash(v.doc) === v.protocolHash,
        effectiveAt: v.effectiveAt,
        ...(v.reason ? { reason: v.reason } : {}),
        reconsent: v.reconsent,
        outcomes: v.doc.outcomes,
        scope: v.doc.scope,
      };
    });
    const subjects = await trialSubjects(this.deps.storage, studyId);
    // The live ResearchStudy record (where it is kept here) against the version in force: a FHIR edit
    // that was not registered as an amendment shows as drift.
    const latest = (await this.localVersions(studyId)).at(-1)!;
    const live = await this.deps.store.read('ResearchStudy', local.researchStudyId).catch(() => undefined);
    const liveRecord = live === undefined ? 'not-kept-here' : protocolHash({ ...latest.doc, study: live }) === latest.protocolHash ? 'matches' : 'changed-since-registration';
    return {
      liveRecord,
      studyId,
      researchStudyId: local.researchStudyId,
      sponsor: local.sponsor,
      registered: !!onChain,
      registeredBlock: onChain?.block,
      versionInForce: versions.at(-1)?.version ?? 0,
      versions,
      subjects: { enrolled: subjects.length, withdrawn: subjects.filter((x) => x.withdrawnBlock !== null).length },
      batches: await trialAnchors(this.deps.storage, studyId, 'batch'),
      datasets: await trialAnchors(this.deps.storage, studyId, 'dataset'),
    };
  }

  /** The study's protocol versions in full (what a site imports; the ledger holds their hashes). */
  async protocol(studyId: Hex): Promise<{ sponsor: Hex; researchStudyId: string; versions: { version: number; doc: ProtocolVersionDoc; reason: string | null }[] }> {
    const local = await this.localStudy(studyId);
    return { sponsor: local.sponsor, researchStudyId: local.researchStudyId, versions: (await this.localVersions(studyId)).map((v) => ({ version: v.version, doc: v.doc, reason: v.reason })) };
  }

  /**
   * A site takes in a study registered by another organization: every version's document must hash
   * to the version on the ledger (and each amendment's reason to its reason hash), from version 1 on;
   * each takes effect at its block's time. Importing again adds the versions amended since.
   */
  async importStudy(caller: Caller, q: { sponsor: Hex; researchStudyId: string; versions: { version: number; doc: ProtocolVersionDoc; reason: string | null }[] }): Promise<{ studyId: Hex; versions: number }> {
    const studyId = studyIdOf(q.sponsor, q.researchStudyId);
    const onChain = await trialStudy(this.deps.storage, studyId);
    if (!onChain || onChain.sponsor.toLowerCase() !== q.sponsor.toLowerCase()) throw unprocessable(`study ${studyId} is not registered on the TrialRegistry by ${q.sponsor}`, 'not-registered');
    const chainVersions = new Map((await trialVersions(this.deps.storage, studyId)).map((v) => [v.version, v]));
    const sorted = [...q.versions].sort((a, b) => a.version - b.version);
    if (sorted.length === 0 || sorted.some((v, i) => v.version !== i + 1)) throw invalid('give every version from 1 on, without gaps');
    const rows: { version: number; doc: ProtocolVersionDoc; hash: Hex; at: string; reason: string | null; reconsent: boolean }[] = [];
    for (const v of sorted) {
      const c = chainVersions.get(v.version);
      if (!c) throw unprocessable(`version ${v.version} of study ${studyId} is not on the ledger (yet)`, 'not-registered');
      const hash = protocolHash(v.doc);
      if (hash !== c.protocolHash.toLowerCase()) throw unprocessable(`version ${v.version} hashes to ${hash}, but the ledger has ${c.protocolHash}: it is not the registered protocol`, 'hash-mismatch');
      if (v.version > 1 && (v.reason === null || reasonHash(v.reason) !== c.reasonHash?.toLowerCase())) throw unprocessable(`the reason given for version ${v.version} is not the one registered`, 'hash-mismatch');
      rows.push({ version: v.version, doc: v.doc, hash, at: await this.deps.blockTime(c.block), reason: v.version > 1 ? v.reason : null, reconsent: c.reconsent });
    }
    await this.deps.queue.run(async (tx) => {
      await tx.run('INSERT INTO research_studies (study_id, research_study_id, sponsor, registered_at) VALUES (?, ?, ?, ?) ON CONFLICT (study_id) DO NOTHING', [studyId, q.researchStudyId, q.sponsor.toLowerCase(), rows[0]!.at]);
      for (const r of rows) {
        await tx.run('INSERT INTO research_versions (study_id, version, document, protocol_hash, effective_at, reason, reconsent) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (study_id, version) DO NOTHING', [studyId, r.version, JSON.stringify(r.doc), r.hash, r.at, r.reason, r.reconsent ? 1 : 0]);
      }
      await this.deps.audit.append(tx, caller, { action: 'C', subtype: 'research-import', outcome: '0', outcomeDesc: `study ${studyId} of ${q.sponsor}: versions 1–${rows.length} match the ledger` });
    });
    return { studyId, versions: rows.length };
  }

  // --- consent and enrolment (site) ---------------------------------------------------------------------

  /** A custody patient consents, with their passphrase, to the study's version in force (purpose HRESCH). */
  async consentAsCustodyPatient(network: string | undefined, studyId: Hex, q: { patientId: string; passphrase: string; days: number }) {
    const local = await this.localStudy(studyId);
    const current = (await this.localVersions(studyId)).at(-1)!;
    return this.deps.consent.grantAsCustodyPatient(network, {
      patientId: q.patientId,
      passphrase: q.passphrase,
      grantee: local.sponsor,
      practitioner: studyGranteeLabel(local.researchStudyId, current.version),
      scope: current.doc.scope,
      purpose: 'HRESCH',
      days: q.days,
    });
  }

  /**
   * Enrols a patient (or records their re-consent) under the version in force, relying on a grant
   * relayed here: it must be the patient's, purpose HRESCH, name the study's sponsor and this study and
   * version, cover the study's data scope, and be in force. Refused before the study is registered.
   */
  async enroll(caller: Caller, studyId: Hex, q: { patientId: string; grantId: Hex }): Promise<{ subjectTag: Hex; version: number; reconsent: boolean; blockNumber: number }> {
    try {
      if (!(await trialStudy(this.deps.storage, studyId))) throw unprocessable(`study ${studyId} is not registered on the TrialRegistry: no enrolment before registration`, 'not-registered');
      const local = await this.localStudy(studyId);
      const versions = await this.localVersions(studyId);
      const current = versions.at(-1)!;
      await this.checkConsent(local, current.version, current.doc.scope, q.patientId, q.grantId);
      const tag = subjectTagOf(this.secretOf(studyId), q.patientId);
      const before = await trialSubject(this.deps.storage, studyId, tag);
      if (before?.withdrawnBlock != null) throw unprocessable(`Patient/${q.patientId} withdrew from this study at block ${before.withdrawnBlock}`, 'withdrawn');
      const { blockNumber } = await this.deps.ledger.submit({ address: this.trials, abi: trialRegistryAbi, functionName: 'enroll', args: [studyId, tag, current.version, q.grantId], label: `trial enroll ${studyId}` });
      const now = new Date().toISOString();
      await this.deps.queue.run(async (tx) => {
        await tx.run(
          `INSERT INTO research_subjects (study_id, patient_id, subject_tag, grant_id, version, enrolled_at, consented_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (study_id, patient_id) DO UPDATE SET grant_id = excluded.grant_id, version = excluded.version, consented_at = excluded.consented_at`,
          [studyId, q.patientId, tag, q.grantId.toLowerCase(), current.version, now, now],
        );
        await this.deps.audit.append(tx, caller, { action: 'C', subtype: before ? 'research-reconsent' : 'research-enroll', outcome: '0', patientId: q.patientId, what: [`ResearchStudy/${local.researchStudyId}`, `Consent/${q.grantId}`], outcomeDesc: `protocol v${current.version}` });
      });
      return { subjectTag: tag, version: current.version, reconsent: !!before, blockNumber };
    } catch (err) {
      if (isDomainError(err)) await this.deps.audit.record(caller, { action: 'C', subtype: 'research-enroll', outcome: '4', patientId: q.patientId, outcomeDesc: `refused: ${err.message}`.slice(0, 500) });
      throw err;
    }
  }

  private async checkConsent(local: LocalStudy, version: number, scope: ProtocolVersionDoc['scope'], patientId: string, grantId: Hex): Promise<void> {
    const identity = await this.deps.patients.identityOf(patientId);
    if (!identity) throw unprocessable(`Patient/${patientId} has no key linked here, so no consent of theirs can be checked`, 'no-identity');
    const grant = await this.deps.consent.grantById(grantId);
    const disclosure = await this.deps.consent.disclosureOf(grantId);
    if (!grant || !disclosure) throw unprocessable(`grant ${grantId} was not relayed here; the patient's research consent must be relayed through this node`, 'no-consent');
    const label = studyGranteeLabel(local.researchStudyId, version);
    if (disclosure.grantee.practitioner !== label) {
      throw unprocessable(`grant ${grantId} names ${disclosure.grantee.practitioner ?? 'no study'}, not ${label}: the patient must consent to protocol version ${version}`, 'wrong-version');
    }
    const short = scopeCovers(disclosure.scope, scope);
    if (short) throw unprocessable(`${short} (needed by protocol version ${version})`, 'scope');
    const d = decide(grant, {
      patient: identity.address,
      requester: local.sponsor,
      practitioner: label,
      purpose: 'HRESCH',
      scope: disclosure.scope,
      salt: disclosure.salt,
      nowSeconds: Math.floor(Date.now() / 1000),
      indexedBlock: this.deps.consent.indexedBlock,
    });
    if (!d.allow) throw unprocessable(`the research consent does not allow enrolment: ${d.reason}`, 'no-consent');
  }

  /** Records a withdrawal on the ledger: no use of the subject's data from that block on. */
  async withdraw(caller: Caller, studyId: Hex, patientId: string): Promise<{ blockNumber: number }> {
    const subject = await this.localSubject(studyId, patientId);
    const { blockNumber } = await this.deps.ledger.submit({ address: this.trials, abi: trialRegistryAbi, functionName: 'withdraw', args: [studyId, subject.subjectTag], label: `trial withdraw ${studyId}` });
    await this.deps.audit.record(caller, { action: 'U', subtype: 'research-withdraw', outcome: '0', patientId, what: [`ResearchStudy/${(await this.localStudy(studyId)).researchStudyId}`], outcomeDesc: `withdrawn at block ${blockNumber}` });
    return { blockNumber };
  }

  /** May this subject's data be used now? Enrolled, not withdrawn, consented to the latest material version, grant in force. */
  async status(studyId: Hex, patientId: string): Promise<SubjectStatus & { subject?: TrialSubjectRow }> {
    const tag = subjectTagOf(this.secretOf(studyId), patientId);
    const subject = await trialSubject(this.deps.storage, studyId, tag);
    if (!subject) return { usable: false, reason: 'not enrolled' };
    if (subject.withdrawnBlock !== null) return { usable: false, reason: `withdrawn at block ${subject.withdrawnBlock}`, subject };
    const versions = await trialVersions(this.deps.storage, studyId);
    const material = Math.max(1, ...versions.filter((v) => v.reconsent).map((v) => v.version));
    if (subject.version < material) return { usable: false, reason: `consented to protocol v${subject.version}; v${material} requires re-consent`, subject };
    const grant = await this.deps.consent.grantById(subject.consentGrant);
    if (!grant) return { usable: false, reason: 'the consent grant is not on the ledger', subject };
    if (grant.revoked_block !== null) return { usable: false, reason: `the consent was revoked at block ${grant.revoked_block}`, subject };
    const now = Math.floor(Date.now() / 1000);
    if (!(grant.start <= now && now < grant.expiry)) return { usable: false, reason: 'the consent is expired', subject };
    return { usable: true, reason: `enrolled under protocol v${subject.version}`, subject };
  }

  private async requireUsable(studyId: Hex, patientId: string): Promise<void> {
    const s = await this.status(studyId, patientId);
    if (!s.usable) throw unprocessable(`Patient/${patientId}'s data may not be used for study ${studyId}: ${s.reason}`, 'not-usable');
  }

  // --- data capture and monitoring -------------------------------------------------------------------

  /** Stores each submission as a record (audited as the caller's) and queues its leaf for the next batch. */
  async capture(caller: Caller, studyId: Hex, patientId: string, resources: Resource[]): Promise<{ captured: { type: string; id: string; versionId: string; seq: number }[] }> {
    await this.requireUsable(studyId, patientId);
    for (const r of resources) {
      if (!(CAPTURE_TYPES as readonly string[]).includes(r.resourceType)) throw invalid(`study data is ${CAPTURE_TYPES.join(' or ')}, not ${r.resourceType}`);
      const subj = (r.subject as { reference?: string } | undefined)?.reference;
      if (subj !== `Patient/${patientId}`) throw invalid(`${r.resourceType}.subject must be Patient/${patientId}`);
    }
    const tag = subjectTagOf(this.secretOf(studyId), patientId);
    const repo = this.deps.records.as(caller);
    const captured: { type: string; id: string; versionId: string; seq: number }[] = [];
    for (const r of resources) {
      const w = await repo.create(r);
      const stored = await this.deps.store.read(w.type, w.id);
      const versionId = String((stored.meta as { versionId?: string } | undefined)?.versionId ?? w.version);
      const seq = await this.deps.queue.run(async (tx) => {
        const row = await tx.get<{ n: number | null }>('SELECT MAX(seq) AS n FROM research_entries WHERE study_id = ?', [studyId]);
        const next = Number(row?.n ?? 0) + 1;
        await tx.run(
          'INSERT INTO research_entries (study_id, seq, subject_tag, type, id, version_id, content_hash, captured_at, clinical_time, batch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)',
          [studyId, next, tag, w.type, w.id, versionId, contentHash(stored), new Date().toISOString(), clinicalTimeOf(stored) ?? null],
        );
        return next;
      });
      captured.push({ type: w.type, id: w.id, versionId, seq });
    }
    return { captured };
  }

  /** Anchors the entries not yet anchored as one batch (RFC 6962 root on the TrialRegistry). */
  async sealBatch(caller: Caller, studyId: Hex): Promise<{ batch: number; root: Hex; size: number; blockNumber: number } | { size: 0 }> {
    const pending = (await this.entries(studyId)).filter((e) => e.batch === null);
    if (pending.length === 0) return { size: 0 };
    const root = batchRoot(pending.map(entryLeaf));
    const { blockNumber, hash } = await this.deps.ledger.submit({ address: this.trials, abi: trialRegistryAbi, functionName: 'anchorBatch', args: [studyId, root, pending.length], label: `trial batch ${studyId}` });
    const anchored = (await trialAnchors(this.deps.storage, studyId, 'batch')).find((a) => a.txHash.toLowerCase() === hash.toLowerCase());
    if (!anchored) throw unprocessable(`batch anchored in ${hash} is not indexed yet; seal again later`, 'not-indexed');
    const last = pending.at(-1)!.seq;
    await this.deps.queue.run(async (tx) => {
      await tx.run('UPDATE research_entries SET batch = ? WHERE study_id = ? AND batch IS NULL AND seq <= ?', [anchored.seq, studyId, last]);
      await tx.run('INSERT INTO research_batches (study_id, batch, sealed_at, root, block) VALUES (?, ?, ?, ?, ?)', [studyId, anchored.seq, new Date().toISOString(), root, blockNumber]);
      await this.deps.audit.append(tx, caller, { action: 'C', subtype: 'research-batch', outcome: '0', outcomeDesc: `study ${studyId} batch ${anchored.seq}: ${pending.length} entries, root ${root}` });
    });
    return { batch: anchored.seq, root, size: pending.length, blockNumber };
  }

  /** The monitor's report: anchored roots recomputed, stored records re-hashed, late and unanchored entries. */
  async integrity(caller: Caller, studyId: Hex): Promise<IntegrityReport> {
    await this.localStudy(studyId);
    const entries = await this.entries(studyId);
    const anchored = new Map((await trialAnchors(this.deps.storage, studyId, 'batch')).map((a) => [a.seq, a]));
    const sealed = await this.deps.storage.all<{ batch: number; sealed_at: string }>('SELECT batch, sealed_at FROM research_batches WHERE study_id = ? ORDER BY batch', [studyId]);
    const batches = sealed.map((b) => {
      const a = anchored.get(Number(b.batch));
      return { batch: Number(b.batch), sealedAt: b.sealed_at, ...(a ? { anchoredRoot: a.root, anchoredBlock: a.block } : {}) };
    });
    const current = new Map<number, CurrentState>();
    for (const e of entries) {
      try {
        const r = await this.deps.store.read(e.type, e.id);
        current.set(e.seq, { versionId: String((r.meta as { versionId?: string } | undefined)?.versionId ?? ''), contentHash: contentHash(r) });
      } catch (err) {
        if (!isDomainError(err)) throw err;
        current.set(e.seq, undefined);
      }
    }
    const report = integrityReport(entries, batches, current);
    await this.deps.audit.record(caller, { action: 'E', subtype: 'research-monitor', outcome: '0', outcomeDesc: `study ${studyId}: ${report.entries} entries, ${report.altered.length} altered, ${report.late.length} late, ${report.unanchored.length} unanchored` });
    return report;
  }

  /**
   * The proof that one captured entry is in its anchored batch: its leaf facts, the RFC 6962 inclusion
   * proof and the root on the ledger, checked here; anyone can check it again with the leaf bytes.
   */
  async entryProof(caller: Caller, studyId: Hex, seq: number) {
    const entries = await this.entries(studyId);
    const entry = entries.find((e) => e.seq === seq);
    if (!entry) throw notFound(`entry ${seq} of study ${studyId}`);
    if (entry.batch === null) throw unprocessable(`entry ${seq} is not anchored yet: seal a batch first`, 'not-anchored');
    const members = entries.filter((e) => e.batch === entry.batch);
    const tree = new MerkleTree();
    for (const m of members) tree.append(entryLeaf(m));
    const index = members.indexOf(entry);
    const proof = inclusionProof(tree, index);
    const anchored = (await trialAnchors(this.deps.storage, studyId, 'batch')).find((a) => a.seq === entry.batch);
    const leaf = leafHash(entryLeaf(entry));
    const check = anchored ? verifyInclusion(index, members.length, leaf, proof, Buffer.from(anchored.root.slice(2), 'hex')) : { ok: false as const, reason: 'the batch is not on the ledger' };
    await this.deps.audit.record(caller, { action: 'E', subtype: 'research-monitor', outcome: '0', outcomeDesc: `study ${studyId}: proof of entry ${seq}` });
    return {
      entry: { studyId: entry.studyId, subjectTag: entry.subjectTag, type: entry.type, id: entry.id, versionId: entry.versionId, contentHash: entry.contentHash },
      leaf: entryLeaf(entry).toString('utf8'),
      leafHash: `0x${leaf.toString('hex')}`,
      batch: entry.batch,
      index,
      size: members.length,
      proof: proof.map((h) => `0x${h.toString('hex')}`),
      anchoredRoot: anchored?.root,
      anchoredBlock: anchored?.block,
      verified: check.ok,
    };
  }

  // --- outcomes ----------------------------------------------------------------------------------------

  /** COMPare-style check of reported outcomes against the version in force when enrolment started. */
  async checkOutcomes(caller: Caller, studyId: Hex, reported: ReportedOutcome[]): Promise<{ enrolmentStart: string; comparedWith: number; findings: OutcomeFinding[] }> {
    const versions = await this.localVersions(studyId);
    const first = await this.deps.storage.get<{ t: string | null }>('SELECT MIN(enrolled_at) AS t FROM research_subjects WHERE study_id = ?', [studyId]);
    const enrolmentStart = first?.t ?? new Date().toISOString();
    const pv: ProtocolVersion[] = versions.map((v) => ({ version: String(v.version), effectiveDate: v.effectiveAt, outcomes: v.doc.outcomes }));
    const inForce = preSpecifiedVersion(pv, enrolmentStart);
    const findings = compareOutcomes(inForce, reported);
    await this.deps.audit.record(caller, { action: 'E', subtype: 'research-outcomes', outcome: '0', outcomeDesc: `study ${studyId}: ${findings.length} findings against protocol v${inForce.version}` });
    return { enrolmentStart, comparedWith: Number(inForce.version), findings };
  }

  // --- de-identified export --------------------------------------------------------------------------

  /**
   * Exports the study's data of every subject who may be used now (others are listed, not exported),
   * limited to the consented scope, HIPAA Safe Harbor de-identified with the study's pseudonyms; the
   * manifest hash is anchored.
   */
  async export(caller: Caller, studyId: Hex): Promise<{ resources: FhirResource[]; manifest: DatasetManifest; manifestHash: Hex; dataset: number; blockNumber: number; excluded: { subjectTag: Hex; reason: string }[]; report: DeidReport; timingsMs: { read: number; deidentify: number; anchor: number } }> {
    const started = performance.now();
    const current = (await this.localVersions(studyId)).at(-1)!;
    const subjects = await this.deps.storage.all<{ patient_id: string; subject_tag: Hex }>('SELECT patient_id, subject_tag FROM research_subjects WHERE study_id = ? ORDER BY subject_tag', [studyId]);
    const repo = this.deps.records.as(caller);
    const raw: FhirResource[][] = [];
    const excluded: { subjectTag: Hex; reason: string }[] = [];
    const types = ['Patient', ...current.doc.scope.resourceTypes];
    for (const s of subjects) {
      const st = await this.status(studyId, s.patient_id);
      if (!st.usable) {
        excluded.push({ subjectTag: s.subject_tag, reason: st.reason });
        continue;
      }
      const mine: FhirResource[] = [];
      raw.push(mine);
      for (let offset = 0; ; ) {
        const page = await repo.everything(s.patient_id, { count: 500, offset, types });
        for (const r of page.resources) if (scopeReleases(current.doc.scope, r)) mine.push(r as FhirResource);
        offset += page.resources.length;
        if (page.resources.length === 0 || offset >= page.total) break;
      }
    }
    if (raw.every((x) => x.length === 0)) throw unprocessable('no consenting subject has data to export', 'empty');
    const readDone = performance.now();
    const { resources, report } = deidentifySubjects(raw, { studyId, studySecret: this.secretOf(studyId) });
    const deidDone = performance.now();
    const manifest = manifestOf(studyId, resources);
    const hash = manifestHash(manifest);
    const { blockNumber, hash: txHash } = await this.deps.ledger.submit({ address: this.trials, abi: trialRegistryAbi, functionName: 'anchorDataset', args: [studyId, hash, resources.length], label: `trial dataset ${studyId}` });
    const timingsMs = { read: Math.round(readDone - started), deidentify: Math.round(deidDone - readDone), anchor: Math.round(performance.now() - deidDone) };
    const dataset = (await trialAnchors(this.deps.storage, studyId, 'dataset')).find((a) => a.txHash.toLowerCase() === txHash.toLowerCase())?.seq ?? -1;
    await this.deps.audit.record(caller, { action: 'E', subtype: 'research-export', outcome: '0', outcomeDesc: `study ${studyId} dataset ${dataset}: ${resources.length} resources of ${subjects.length - excluded.length} subjects, manifest ${hash}` });
    return { resources, manifest, manifestHash: hash, dataset, blockNumber, excluded, report, timingsMs };
  }

  /** Is this exactly a dataset whose manifest was anchored for the study? (Anyone, from the resources alone.) */
  async verifyDataset(studyId: Hex, resources: readonly unknown[]): Promise<{ verified: boolean; manifestHash: Hex; dataset?: number; block?: number; exporter?: Hex }> {
    const hash = manifestHash(manifestOf(studyId, resources));
    const a = (await trialAnchors(this.deps.storage, studyId, 'dataset')).find((d) => d.root.toLowerCase() === hash.toLowerCase());
    return a ? { verified: true, manifestHash: hash, dataset: a.seq, block: a.block, exporter: a.org } : { verified: false, manifestHash: hash };
  }

  // --- the patient's view ------------------------------------------------------------------------------

  /** The studies the calling patient's data is used in (at this node), with their status. */
  async myStudies(caller: Caller): Promise<{ studyId: Hex; researchStudyId: string; title?: string; sponsor: Hex; version: number; usable: boolean; status: string }[]> {
    const patientIds = await this.patientIdsOf(caller);
    const out = [];
    for (const patientId of patientIds) {
      const rows = await this.deps.storage.all<{ study_id: Hex }>('SELECT study_id FROM research_subjects WHERE patient_id = ? ORDER BY enrolled_at', [patientId]);
      for (const r of rows) {
        const local = await this.localStudy(r.study_id);
        const st = await this.status(r.study_id, patientId);
        const study = (await this.localVersions(r.study_id)).at(-1)!.doc.study;
        out.push({ studyId: r.study_id, researchStudyId: local.researchStudyId, ...(typeof study.title === 'string' ? { title: study.title } : {}), sponsor: local.sponsor, version: st.subject?.version ?? 0, usable: st.usable, status: st.reason });
      }
    }
    await this.deps.audit.record(caller, { action: 'R', subtype: 'research-my-studies', outcome: '0', ...(patientIds[0] ? { patientId: patientIds[0] } : {}) });
    return out;
  }

  /** The calling patient withdraws from a study. */
  async withdrawMe(caller: Caller, studyId: Hex): Promise<{ blockNumber: number }> {
    for (const patientId of await this.patientIdsOf(caller)) {
      const row = await this.deps.storage.get('SELECT 1 AS x FROM research_subjects WHERE study_id = ? AND patient_id = ?', [studyId, patientId]);
      if (row) return this.withdraw(caller, studyId, patientId);
    }
    throw notFound(`your enrolment in study ${studyId}`);
  }

  private async patientIdsOf(caller: Caller): Promise<string[]> {
    if (caller.principal.kind !== 'patient') throw forbidden('only a patient has a list of their studies');
    const ids = await Promise.all((caller.principal.addresses ?? []).map((a) => this.deps.patients.patientsWithAddress(getAddress(a))));
    return [...new Set(ids.flat())];
  }

  // --- local tables --------------------------------------------------------------------------------------

  private async localStudy(studyId: Hex): Promise<LocalStudy> {
    const r = await this.deps.storage.get<{ research_study_id: string; sponsor: Hex }>('SELECT research_study_id, sponsor FROM research_studies WHERE study_id = ?', [studyId.toLowerCase()]);
    if (!r) throw notFound(`study ${studyId}`);
    return { studyId, researchStudyId: r.research_study_id, sponsor: r.sponsor };
  }

  private async localVersions(studyId: Hex): Promise<{ version: number; doc: ProtocolVersionDoc; protocolHash: Hex; effectiveAt: string; reason: string | null; reconsent: boolean }[]> {
    const rows = await this.deps.storage.all<{ version: number; document: string; protocol_hash: Hex; effective_at: string; reason: string | null; reconsent: number }>(
      'SELECT version, document, protocol_hash, effective_at, reason, reconsent FROM research_versions WHERE study_id = ? ORDER BY version',
      [studyId.toLowerCase()],
    );
    if (rows.length === 0) throw notFound(`study ${studyId}`);
    return rows.map((r) => ({ version: Number(r.version), doc: JSON.parse(r.document) as ProtocolVersionDoc, protocolHash: r.protocol_hash, effectiveAt: r.effective_at, reason: r.reason, reconsent: Number(r.reconsent) === 1 }));
  }

  private async localSubject(studyId: Hex, patientId: string): Promise<{ subjectTag: Hex }> {
    const r = await this.deps.storage.get<{ subject_tag: Hex }>('SELECT subject_tag FROM research_subjects WHERE study_id = ? AND patient_id = ?', [studyId.toLowerCase(), patientId]);
    if (!r) throw notFound(`Patient/${patientId} in study ${studyId}`);
    return { subjectTag: r.subject_tag };
  }

  private async entries(studyId: Hex): Promise<CapturedEntry[]> {
    const rows = await this.deps.storage.all<{ seq: number; subject_tag: Hex; type: string; id: string; version_id: string; content_hash: string; captured_at: string; clinical_time: string | null; batch: number | null }>(
      'SELECT seq, subject_tag, type, id, version_id, content_hash, captured_at, clinical_time, batch FROM research_entries WHERE study_id = ? ORDER BY seq',
      [studyId.toLowerCase()],
    );
    return rows.map((r) => ({
      studyId: studyId.toLowerCase() as Hex,
      seq: Number(r.seq),
      subjectTag: r.subject_tag,
      type: r.type,
      id: r.id,
      versionId: r.version_id,
      contentHash: r.content_hash,
      capturedAt: r.captured_at,
      ...(r.clinical_time ? { clinicalTime: r.clinical_time } : {}),
      batch: r.batch === null ? null : Number(r.batch),
    }));
  }
}

interface LocalStudy {
  studyId: Hex;
  researchStudyId: string;
  sponsor: Hex;
}

