/**
 * Insurance claims between nodes, with the ledger as the shared record of what was billed and how it
 * was decided (issue 15).
 *
 * Provider: `submit` registers the claim's hash and the patient's salted commitment on the
 * ClaimRegistry, then sends the FHIR Claim to the insurer's node signed organization-to-organization,
 * with the inclusion proofs of the Encounters it bills for, the credential ids of its practitioners
 * and the minimum the rules need of the patient (birth date, sex, date of death). It keeps the
 * ClaimResponse it gets back; it may void, appeal and answer the insurer's flags.
 *
 * Insurer: `receive` checks the request's signature, that the ledger holds this exact claim from this
 * provider for this insurer and patient commitment, verifies the encounter proofs against the
 * provider's anchored roots, runs every rule (src/claims/rules) with facts from its own claim history
 * and the ledger (licence at the date of service, exclusions), and decides: approve, deny (a critical
 * flag) or pend into the special-investigations queue. The decision goes on the ledger with the
 * ClaimResponse's hash; the patient's ExplanationOfBenefit is kept for them. A reviewer's decision on a
 * pended claim is an audited override naming its reason.
 *
 * Patient: `mine` lists every claim in their name this node holds, each checked against the ledger
 * (claim hash, commitment opened with the salt, state, disputes); `dispute` records on the ledger that
 * they contest it and reopens it for review.
 *
 * Everything is stored sealed (`sealed.ts`) and every access audited. Only hashes, the commitment and
 * states reach the ledger.
 */
import { getAddress, type Address, type Hex } from 'viem';
import type { LogAnchorer } from '../anchoring/log-anchorer.ts';
import type { AuditFacts, AuditTrail } from '../audit/trail.ts';
import type { ChainConnection } from '../chain/client.ts';
import type { Deployment } from '../chain/deployment.ts';
import { logIdOf } from '../chain/ids.ts';
import type { Ledger } from '../chain/submit.ts';
import { decide as decideAccess } from '../consent/pdp.ts';
import { scopeReleases, type Scope } from '../consent/scope.ts';
import type { CredentialStore } from '../credentials/store.ts';
import type { OrgKeys } from '../crypto/org-keys.ts';
import { verifyOrgRequest, type OrgRequest } from '../http/org-request.ts';
import type { Actor, Caller } from '../identity/principal.ts';
import { listAnchors } from '../indexer/projectors/anchors.ts';
import { ledgerClaim, ledgerClaimsInState, type LedgerClaim } from '../indexer/projectors/claim-registry.ts';
import { grantById } from '../indexer/projectors/consent.ts';
import { credentialStatusHistory } from '../indexer/projectors/credential-status.ts';
import type { Participant } from '../indexer/projectors/participants.ts';
import { inclusionProof } from '../merkle/proofs.ts';
import type { RecordStore } from '../records/store.ts';
import { DomainError, errorMessage, forbidden, invalid, notFound } from '../shared/errors.ts';
import type { Storage } from '../storage/engine.ts';
import type { WriteQueue } from '../storage/write-queue.ts';
import type { FetchLike } from '../tls/peer-fetch.ts';
import { bytesToHex } from 'viem';
import { claimResponseOf, explanationOfBenefitOf, type Decision } from './adjudicate.ts';
import { adjudicate } from './adjudication.ts';
import type { ClaimOverlay } from './claim-facts.ts';
import { claimHashOf, docHashOf, freshClaimId, freshSalt, patientCommitmentOf } from './commitment.ts';
import { verifyEncounterEvidence, type EncounterEvidence } from './encounter-evidence.ts';
import { coverageIdOf, eligibilityResponseOf } from './eligibility.ts';
import { EmTally } from './em-tally.ts';
import { ClaimLedger } from './ledger.ts';
import { licenceStatusOn, type DatedStatus } from './licence-at.ts';
import { ClaimsPeer } from './peer.ts';
import type { RuleRun } from './rules/engine.ts';
import { InMemoryClaimFacts } from './rules/in-memory-facts.ts';
import { normalizeClaim } from './rules/normalize.ts';
import type { Exclusion, Flag, IsoDate, LicenceStatus, NormalizedClaim } from './rules/types.ts';
import { openJson, sealJson, type SealedRow } from './sealed.ts';
import type { ClaimTables } from './tables/claim-tables.ts';

export interface ClaimsDeps {
  storage: Storage;
  queue: WriteQueue;
  audit: AuditTrail;
  ledger: Ledger;
  deployment: Deployment;
  conn: ChainConnection;
  keys: OrgKeys;
  orgId: Hex;
  org: string;
  peerFetch: FetchLike;
  records: RecordStore;
  recordAnchorer: LogAnchorer;
  credentials: CredentialStore;
  tables: () => ClaimTables;
  waitForBlock: (block: number, timeoutMs: number) => Promise<void>;
  indexedBlock: () => number;
}

/** The patient's payment consent (HPAYMT) to the insurer, as the patient disclosed it to the provider. */
export interface PaymentConsent {
  grantId: Hex;
  salt: Hex;
  scope: Scope;
}

type Json = Record<string, unknown>;

/** What the patient discloses for adjudication: the minimum the rules read. */
export interface PatientFacts {
  address: Address;
  salt: Hex;
  birthDate?: string;
  gender?: 'male' | 'female' | 'other' | 'unknown';
  deceasedDate?: string;
}

/** The signed request a provider sends an insurer. */
export interface Submission {
  claimId: Hex;
  block: number;
  claim: Json;
  patient: PatientFacts;
  encounters: EncounterEvidence[];
  credentials: { provider: string; credentialId: Hex }[];
}

export interface Override {
  at: string;
  by: string;
  decision: Decision;
  reason: string;
  flags: string[];
}

interface InsurerDoc {
  claim: Json;
  patient: PatientFacts;
  evidenceProblems: string[];
  run: Pick<RuleRun, 'flags' | 'score' | 'severity' | 'rulesRun' | 'errors' | 'complete'>;
  decision: Decision;
  reason: string;
  response: Json;
  eob: Json;
  messages: { at: string; kind: 'response' | 'appeal'; text: string }[];
  overrides: Override[];
  disputes: { at: string; reason: string; hash: Hex }[];
  payments: { at: string; hash: Hex }[];
}

interface ProviderDoc {
  claim: Json;
  patient: PatientFacts;
  response?: Json;
  messages: { at: string; kind: 'response' | 'appeal' | 'void'; text: string }[];
}

export interface SubmitResult {
  claimId: Hex;
  state: string;
  txHash: Hex;
  claimResponse: Json;
  /** What was sent beyond the claim, and under which consent. */
  released: string;
}

export interface QueueEntry {
  claimId: Hex;
  provider: Hex;
  state: string;
  decision: Decision;
  score: number;
  flags: Flag[];
  evidenceProblems: string[];
  messages: InsurerDoc['messages'];
  disputes: InsurerDoc['disputes'];
}

export interface PatientClaim {
  claimId: Hex;
  role: 'provider' | 'insurer';
  provider: Hex;
  insurer: Hex;
  state: string;
  disputed: boolean;
  /** True when the ledger holds this claim's hash and the patient's commitment opens with its salt. */
  verified: boolean;
  problems: string[];
  flags: { rule: string; score: number; explanation: string }[];
  explanationOfBenefit?: Json;
  claim: Json;
}

const now = () => new Date().toISOString();
const today = () => now().slice(0, 10);
const refOf = (x: unknown): string | undefined => (x && typeof x === 'object' && typeof (x as Json).reference === 'string' ? ((x as Json).reference as string) : undefined);
const STATE_OF: Record<Decision, 'approve' | 'pend' | 'deny'> = { approved: 'approve', pended: 'pend', denied: 'deny' };

export class ClaimsService {
  readonly chain: ClaimLedger;
  private readonly peer: ClaimsPeer;
  private history: { facts: InMemoryClaimFacts; em: EmTally } | undefined;
  private readonly blockDates = new Map<number, IsoDate>();

  constructor(readonly deps: ClaimsDeps) {
    this.chain = new ClaimLedger(deps);
    this.peer = new ClaimsPeer({ sql: deps.storage, keys: deps.keys, orgId: deps.orgId, fetch: deps.peerFetch });
  }

  // ─── provider ──────────────────────────────────────────────────────────────────────────────────

  /** Registers `claim` on the ledger and sends it to `insurer`; returns the insurer's ClaimResponse. */
  async submit(caller: Caller, input: { claim: Json; insurer: Hex; patient: Address; credentials?: { provider: string; credentialId: Hex }[]; consent?: PaymentConsent }): Promise<SubmitResult> {
    return this.audited(caller, 'claim-submit', [], async () => {
      if (input.claim.resourceType !== 'Claim') throw invalid('the body must carry a FHIR Claim');
      if (input.insurer.toLowerCase() === this.deps.orgId.toLowerCase()) throw invalid('a provider cannot bill itself');
      normalizeClaim(input.claim);
      const patientRef = refOf(input.claim.patient);
      const address = getAddress(input.patient);
      // Minimum necessary: beyond the claim itself, only what the patient's HPAYMT consent to the insurer releases.
      const release = await this.paymentRelease(caller, input.insurer, address, input.consent);
      const patient: PatientFacts = { address, salt: freshSalt(), ...(release.allow ? await this.patientFacts(patientRef) : {}) };
      const encounters = release.allow ? await this.encounterEvidence(input.claim, release.scope) : [];
      const claimId = freshClaimId();
      const claimHash = claimHashOf(input.claim);
      const { hash, blockNumber } = await this.chain.submit(claimId, input.insurer, claimHash, patientCommitmentOf(patient.address, patient.salt));
      await this.save(claimId, 'provider', this.deps.orgId, input.insurer, patient.address, { claim: input.claim, patient, messages: [] } satisfies ProviderDoc, {});
      const submission: Submission = { claimId, block: blockNumber, claim: input.claim, patient, encounters, credentials: input.credentials ?? [] };
      const answer = await this.peer.post<{ claimResponse: Json; state: string }>(input.insurer, 'claims-submit', '/api/claims/peer/submit', submission);
      await this.update<ProviderDoc>(claimId, 'provider', (d) => ({ ...d, response: answer.claimResponse }));
      await this.deps.audit.record(caller, { action: 'C', subtype: 'claim-submit', outcome: '0', what: [`Claim/${claimId}`], outcomeDesc: `sent to ${input.insurer}; ${answer.state}` });
      return { claimId, state: answer.state, txHash: hash, claimResponse: answer.claimResponse, released: release.allow ? `HPAYMT grant ${release.grantId}: demographics${encounters.length ? `, ${encounters.length} encounter proof(s)` : ''}` : `the claim only (${release.reason})` };
    });
  }

  /** Asks `insurer` whether the patient's Coverage is in force (a CoverageEligibilityRequest); returns the response. */
  async eligibility(caller: Caller, insurer: Hex, request: Json): Promise<Json> {
    return this.audited(caller, 'claim-eligibility', [], async () => {
      if (request.resourceType !== 'CoverageEligibilityRequest') throw invalid('the body must carry a FHIR CoverageEligibilityRequest');
      const response = await this.peer.post<Json>(insurer, 'claims-eligibility', '/api/claims/peer/eligibility', request);
      await this.deps.audit.record(caller, { action: 'E', subtype: 'claim-eligibility', outcome: '0', outcomeDesc: `asked ${insurer}: ${String(response.disposition)}`.slice(0, 500) });
      return response;
    });
  }

  /** Answers a provider's eligibility request from the Coverage this insurer holds. */
  async answerEligibility(provider: Participant, request: Json): Promise<Json> {
    const actor: Actor = { agent: `Organization/${provider.orgId}`, purpose: 'HPAYMT' };
    if (request.resourceType !== 'CoverageEligibilityRequest') throw invalid('the body must carry a FHIR CoverageEligibilityRequest');
    const coverageId = coverageIdOf(request);
    const coverage = coverageId ? ((await this.deps.records.read('Coverage', coverageId).catch(() => undefined)) as Json | undefined) : undefined;
    const date = typeof request.servicedDate === 'string' ? request.servicedDate.slice(0, 10) : today();
    const response = eligibilityResponseOf(request, { id: freshClaimId().slice(2, 34), insurer: this.deps.orgId, ...(coverage ? { coverage } : {}), ...(coverageId ? { coverageId } : {}), date, created: now() });
    await this.deps.audit.record(actor, { action: 'R', subtype: 'claim-eligibility', outcome: coverage ? '0' : '4', what: coverageId ? [`Coverage/${coverageId}`] : [], outcomeDesc: String(response.disposition) });
    return response;
  }

  /** The provider withdraws (void) or appeals its claim, on the ledger, telling the insurer why. */
  async providerMove(caller: Caller, claimId: Hex, move: 'void' | 'appeal', text: string): Promise<{ state: string; txHash: Hex }> {
    return this.audited(caller, `claim-${move}`, [`Claim/${claimId}`], async () => {
      const row = await this.row(claimId, 'provider');
      const docHash = docHashOf({ claimId, move, text });
      const { hash } = await this.chain.move(move === 'void' ? 'voidClaim' : 'appeal', claimId, docHash);
      await this.update<ProviderDoc>(claimId, 'provider', (d) => ({ ...d, messages: [...d.messages, { at: now(), kind: move, text }] }));
      if (move === 'appeal') await this.peer.post(row.insurer as Hex, 'claims-message', '/api/claims/peer/messages', { claimId, kind: 'appeal', text });
      await this.deps.audit.record(caller, { action: 'U', subtype: `claim-${move}`, outcome: '0', what: [`Claim/${claimId}`] });
      return { state: (await ledgerClaim(this.deps.storage, claimId))?.state ?? 'unknown', txHash: hash };
    });
  }

  /** The provider answers the insurer's flags (the text goes to the insurer's review queue). */
  async respond(caller: Caller, claimId: Hex, text: string): Promise<{ delivered: true }> {
    return this.audited(caller, 'claim-respond', [`Claim/${claimId}`], async () => {
      const row = await this.row(claimId, 'provider');
      await this.peer.post(row.insurer as Hex, 'claims-message', '/api/claims/peer/messages', { claimId, kind: 'response', text });
      await this.update<ProviderDoc>(claimId, 'provider', (d) => ({ ...d, messages: [...d.messages, { at: now(), kind: 'response', text }] }));
      await this.deps.audit.record(caller, { action: 'U', subtype: 'claim-respond', outcome: '0', what: [`Claim/${claimId}`] });
      return { delivered: true };
    });
  }

  /** Decides, with the PDP over the indexed grants, what the patient's payment consent releases to the insurer; audited. */
  private async paymentRelease(caller: Caller, insurer: Hex, patient: Address, consent: PaymentConsent | undefined): Promise<{ allow: true; scope: Scope; grantId: Hex } | { allow: false; reason: string }> {
    const d = consent
      ? decideAccess(await grantById(this.deps.storage, consent.grantId), { patient, requester: insurer, purpose: 'HPAYMT', scope: consent.scope, salt: consent.salt, nowSeconds: Math.floor(Date.now() / 1000), indexedBlock: this.deps.indexedBlock() })
      : { allow: false as const, reason: 'no payment consent given' };
    await this.deps.audit.record(
      { ...caller, purpose: 'HPAYMT' },
      { action: 'E', subtype: 'claim-consent', outcome: d.allow ? '0' : '4', outcomeDesc: `release to ${insurer}: ${d.reason}`.slice(0, 500), what: consent ? [`Consent/${consent.grantId}`] : [] },
    );
    return d.allow && consent ? { allow: true, scope: consent.scope, grantId: consent.grantId } : { allow: false, reason: d.reason };
  }

  /** The Patient's birth date, sex and date of death from this node's records (nothing else). */
  private async patientFacts(ref: string | undefined): Promise<Omit<PatientFacts, 'address' | 'salt'>> {
    const m = ref?.match(/^Patient\/([A-Za-z0-9\-.]{1,64})$/);
    if (!m) return {};
    const p = (await this.deps.records.read('Patient', m[1]!).catch(() => undefined)) as Json | undefined;
    if (!p) return {};
    const deceased = typeof p.deceasedDateTime === 'string' ? p.deceasedDateTime.slice(0, 10) : undefined;
    return {
      ...(typeof p.birthDate === 'string' ? { birthDate: p.birthDate } : {}),
      ...(typeof p.gender === 'string' ? { gender: p.gender as PatientFacts['gender'] } : {}),
      ...(deceased ? { deceasedDate: deceased } : {}),
    };
  }

  /** Inclusion proofs of the anchored Encounters the claim's items name (those not anchored yet are left out). */
  private async encounterEvidence(claim: Json, scope: Scope): Promise<EncounterEvidence[]> {
    const refs = new Set<string>();
    for (const it of Array.isArray(claim.item) ? (claim.item as Json[]) : []) for (const e of Array.isArray(it.encounter) ? it.encounter : []) if (refOf(e)) refs.add(refOf(e)!);
    const out: EncounterEvidence[] = [];
    const { records } = this.deps;
    for (const ref of refs) {
      const m = ref.match(/^Encounter\/([A-Za-z0-9\-.]{1,64})$/);
      if (!m) continue;
      const enc = (await records.read('Encounter', m[1]!).catch(() => undefined)) as Json | undefined;
      if (!enc || !scopeReleases(scope, enc as Parameters<typeof scopeReleases>[1])) continue;
      const row = await records.versionRow('Encounter', m[1]!, Number((enc.meta as Json | undefined)?.versionId ?? 1));
      if (!row) continue;
      let anchor = await this.deps.recordAnchorer.anchorCovering(row.leaf_index);
      if (!anchor) {
        await this.deps.recordAnchorer.maybeAnchor(true);
        anchor = await this.deps.recordAnchorer.anchorCovering(row.leaf_index);
      }
      if (!anchor) continue;
      const period = enc.period as Json | undefined;
      const date = (typeof period?.start === 'string' ? period.start : typeof enc.meta === 'object' ? String((enc.meta as Json).lastUpdated) : today()).slice(0, 10);
      out.push({
        reference: ref,
        date,
        leafIndex: row.leaf_index,
        leaf: (await records.log.leaf(row.leaf_index))!.toString('base64'),
        proof: inclusionProof(records.log.tree, row.leaf_index, anchor.treeSize).map((h) => bytesToHex(h)),
        anchor: { index: anchor.index, treeSize: anchor.treeSize, root: anchor.root, blockNumber: anchor.blockNumber },
      });
    }
    return out;
  }

  // ─── insurer ───────────────────────────────────────────────────────────────────────────────────

  /** Checks a signed request from another organization's node. */
  authenticate(r: OrgRequest & { headers: Record<string, unknown> }): Promise<Participant> {
    return verifyOrgRequest(
      {
        sql: this.deps.storage,
        useNonce: async (org, nonce) => (await this.deps.storage.run('INSERT INTO claims_nonces (org_id, nonce, seen_ms) VALUES (?, ?, ?) ON CONFLICT (org_id, nonce) DO NOTHING', [org.toLowerCase(), nonce, Date.now()])).changes === 1,
      },
      r,
    );
  }

  /** Adjudicates a claim a provider sent; answers the ClaimResponse and the state it put on the ledger. */
  async receive(provider: Participant, s: Submission): Promise<{ claimResponse: Json; state: string }> {
    const actor: Actor = { agent: `Organization/${provider.orgId}`, purpose: 'HPAYMT' };
    return this.audited(actor, 'claim-adjudicate', [`Claim/${s.claimId}`], async () => {
      await this.deps.waitForBlock(s.block, 30_000);
      const onChain = await ledgerClaim(this.deps.storage, s.claimId);
      if (!onChain) throw invalid(`claim ${s.claimId} is not on the ledger`);
      if (onChain.provider !== provider.orgId.toLowerCase()) throw forbidden(`claim ${s.claimId} was registered by another organization`);
      if (onChain.insurer !== this.deps.orgId.toLowerCase()) throw forbidden(`claim ${s.claimId} is addressed to another insurer`);
      if (onChain.state !== 'submitted') throw new DomainError('conflict', `claim ${s.claimId} is ${onChain.state}, not submitted`);
      if (onChain.claimHash !== claimHashOf(s.claim)) throw invalid('the claim does not match the hash on the ledger');
      if (onChain.patientCommitment !== patientCommitmentOf(s.patient.address, s.patient.salt)) throw invalid("the patient's address and salt do not open the commitment on the ledger");

      const { overlay, problems } = await this.overlayOf(provider.orgId, s);
      const normalized = this.rekey(normalizeClaim(s.claim), s.patient.address);
      const history = await this.claimHistory();
      const { run, outcome, response, eob } = await adjudicate({ claim: s.claim, normalized, claimId: s.claimId, insurer: this.deps.orgId, history: history.facts, em: history.em, tables: this.deps.tables(), overlay, lookups: this.lookups() });
      const { decision, reason } = outcome;
      try {
        await this.chain.move(STATE_OF[decision], s.claimId, docHashOf(response));
      } catch (err) {
        this.history = undefined; // the claim was added to the history; reload it from what is stored
        throw err;
      }
      const doc: InsurerDoc = { claim: s.claim, patient: s.patient, evidenceProblems: problems, run: pickRun(run), decision, reason, response, eob, messages: [], overrides: [], disputes: [], payments: [] };
      await this.save(s.claimId, 'insurer', provider.orgId, this.deps.orgId, s.patient.address, doc, { decision, score: run.score, review: decision === 'pended' ? 'open' : null });
      await this.deps.audit.record(actor, { action: 'C', subtype: 'claim-adjudicate', outcome: '0', what: [`Claim/${s.claimId}`], outcomeDesc: `${decision}: ${reason}`.slice(0, 500) });
      return { claimResponse: response, state: decision };
    });
  }

  /** A provider's answer to flags, or the text of its appeal (already on the ledger): reopens review. */
  async receiveMessage(provider: Participant, m: { claimId: Hex; kind: 'response' | 'appeal'; text: string }): Promise<{ received: true }> {
    const row = await this.row(m.claimId, 'insurer');
    if (row.provider !== provider.orgId.toLowerCase()) throw forbidden(`claim ${m.claimId} is another provider's`);
    await this.update<InsurerDoc>(m.claimId, 'insurer', (d) => ({ ...d, messages: [...d.messages, { at: now(), kind: m.kind, text: m.text }] }), m.kind === 'appeal' ? 'open' : undefined);
    await this.deps.audit.record({ agent: `Organization/${provider.orgId}`, purpose: 'HPAYMT' }, { action: 'U', subtype: `claim-${m.kind}`, outcome: '0', what: [`Claim/${m.claimId}`] });
    return { received: true };
  }

  /** The special-investigations queue: pended, appealed and disputed claims, with every flag. */
  async queue(caller: Caller): Promise<QueueEntry[]> {
    const ids = new Set((await this.deps.storage.all<{ claim_id: string }>("SELECT claim_id FROM claims WHERE role = 'insurer' AND review = 'open' ORDER BY score DESC, created_ms")).map((r) => r.claim_id));
    for (const c of await ledgerClaimsInState(this.deps.storage, this.deps.orgId, 'appealed')) ids.add(c.claimId);
    const out: QueueEntry[] = [];
    for (const id of ids) {
      const row = await this.row(id as Hex, 'insurer').catch(() => undefined);
      if (!row) continue;
      const d = this.open<InsurerDoc>(row);
      out.push({ claimId: id as Hex, provider: row.provider as Hex, state: (await ledgerClaim(this.deps.storage, id as Hex))?.state ?? 'unknown', decision: d.decision, score: Number(row.score), flags: d.run.flags, evidenceProblems: d.evidenceProblems, messages: d.messages, disputes: d.disputes });
    }
    await this.deps.audit.record(caller, { action: 'R', subtype: 'claim-queue', outcome: '0', what: [...ids].map((i) => `Claim/${i}`).slice(0, 200) });
    return out;
  }

  /** A reviewer decides a queued claim; the override of the rules' finding is audited with its reason. */
  async review(caller: Caller, claimId: Hex, input: { decision: 'approved' | 'denied'; reason: string }): Promise<{ state: string; txHash: Hex }> {
    return this.audited(caller, 'claim-review', [`Claim/${claimId}`], async () => {
      const row = await this.row(claimId, 'insurer');
      const d = this.open<InsurerDoc>(row);
      const onChain = await ledgerClaim(this.deps.storage, claimId);
      // An approval after a dispute or from a paid state is not a ledger move; the ledger says what is allowed.
      const response = claimResponseOf(d.claim, { id: claimId.slice(2, 26), claimId, insurer: this.deps.orgId, decision: { decision: input.decision, reason: `reviewed: ${input.reason}` }, flags: d.run.flags, created: now() });
      const { hash } = await this.chain.move(input.decision === 'approved' ? 'approve' : 'deny', claimId, docHashOf(response));
      const override: Override = { at: now(), by: caller.agent, decision: input.decision, reason: input.reason, flags: [...new Set(d.run.flags.map((f) => f.rule))] };
      const eob = explanationOfBenefitOf(d.claim, response, { id: `eob-${claimId.slice(2, 22)}`, claimId, state: input.decision });
      await this.update<InsurerDoc>(claimId, 'insurer', (x) => ({ ...x, decision: input.decision, reason: input.reason, response, eob, overrides: [...x.overrides, override] }), 'closed');
      await this.deps.audit.record(caller, {
        action: 'U',
        subtype: 'claim-override',
        outcome: '0',
        what: [`Claim/${claimId}`],
        outcomeDesc: `${onChain?.state ?? '?'} -> ${input.decision} over ${override.flags.join(', ') || 'no flags'}: ${input.reason}`.slice(0, 500),
      });
      return { state: input.decision, txHash: hash };
    });
  }

  /** Pays an approved claim (the remittance's hash on the ledger). */
  async pay(caller: Caller, claimId: Hex): Promise<{ state: string; txHash: Hex }> {
    return this.audited(caller, 'claim-pay', [`Claim/${claimId}`], async () => {
      const d = this.open<InsurerDoc>(await this.row(claimId, 'insurer'));
      const docHash = docHashOf({ claimId, eob: d.eob, paidAt: now() });
      const { hash } = await this.chain.move('pay', claimId, docHash);
      await this.update<InsurerDoc>(claimId, 'insurer', (x) => ({ ...x, payments: [...x.payments, { at: now(), hash: docHash }] }));
      await this.deps.audit.record(caller, { action: 'U', subtype: 'claim-pay', outcome: '0', what: [`Claim/${claimId}`] });
      return { state: 'paid', txHash: hash };
    });
  }

  // ─── patient ───────────────────────────────────────────────────────────────────────────────────

  /** Every claim in the caller's name this node holds, each verified against the ledger. */
  async mine(caller: Caller): Promise<PatientClaim[]> {
    const addresses = (caller.principal.addresses ?? []).map((a) => a.toLowerCase());
    if (caller.principal.kind !== 'patient' || addresses.length === 0) throw forbidden('only a patient lists the claims in their name');
    const rows = await this.deps.storage.all<ClaimRow>(`SELECT * FROM claims WHERE patient_address IN (${addresses.map(() => '?').join(', ')}) ORDER BY created_ms`, addresses);
    const out: PatientClaim[] = [];
    for (const row of rows) {
      const d = this.open<InsurerDoc & ProviderDoc>(row);
      const onChain = await ledgerClaim(this.deps.storage, row.claim_id as Hex);
      const problems = checkAgainstLedger(onChain, d.claim, d.patient);
      out.push({
        claimId: row.claim_id as Hex,
        role: row.role as 'provider' | 'insurer',
        provider: row.provider as Hex,
        insurer: row.insurer as Hex,
        state: onChain?.state ?? 'not on the ledger',
        disputed: onChain?.disputed ?? false,
        verified: problems.length === 0,
        problems,
        flags: (d.run?.flags ?? []).map((f) => ({ rule: f.rule, score: f.score, explanation: f.explanation })),
        ...(d.eob ? { explanationOfBenefit: d.eob } : {}),
        claim: d.claim,
      });
    }
    await this.deps.audit.record(caller, { action: 'R', subtype: 'claim-patient-view', outcome: '0', what: out.map((c) => `Claim/${c.claimId}`) });
    return out;
  }

  /** The patient contests a claim (a service they never received): recorded on the ledger, reopened for review. */
  async dispute(caller: Caller, claimId: Hex, reason: string): Promise<{ disputeHash: Hex; txHash: Hex }> {
    return this.audited(caller, 'claim-dispute', [`Claim/${claimId}`], async () => {
      const row = await this.row(claimId, 'insurer');
      const addresses = (caller.principal.addresses ?? []).map((a) => a.toLowerCase());
      if (caller.principal.kind !== 'patient' || !addresses.includes(row.patient_address)) throw notFound(`claim ${claimId}`);
      const at = now();
      const disputeHash = docHashOf({ claimId, reason, at, patient: row.patient_address });
      const { hash } = await this.chain.move('recordDispute', claimId, disputeHash);
      await this.update<InsurerDoc>(claimId, 'insurer', (d) => ({ ...d, disputes: [...d.disputes, { at, reason, hash: disputeHash }] }), 'open');
      await this.deps.audit.record(caller, { action: 'U', subtype: 'claim-dispute', outcome: '0', what: [`Claim/${claimId}`] });
      return { disputeHash, txHash: hash };
    });
  }

  /** One claim as this node holds it (staff), with its ledger state and history. */
  async get(caller: Caller, claimId: Hex): Promise<{ role: string; state: string; document: unknown }[]> {
    const rows = await this.deps.storage.all<ClaimRow>('SELECT * FROM claims WHERE claim_id = ?', [claimId.toLowerCase()]);
    if (!rows.length) throw notFound(`claim ${claimId}`);
    const state = (await ledgerClaim(this.deps.storage, claimId))?.state ?? 'unknown';
    await this.deps.audit.record(caller, { action: 'R', subtype: 'claim-read', outcome: '0', what: [`Claim/${claimId}`] });
    return rows.map((r) => ({ role: r.role, state, document: this.open(r) }));
  }

  // ─── facts ─────────────────────────────────────────────────────────────────────────────────────

  private async overlayOf(provider: Hex, s: Submission): Promise<{ overlay: ClaimOverlay; problems: string[] }> {
    const anchors = await listAnchors(this.deps.storage, { orgId: provider, kind: 'records', logId: logIdOf('records'), limit: 1_000_000 });
    const encounters = new Map<IsoDate, NonNullable<ReturnType<ClaimOverlay['encounters']['get']>>>();
    const problems: string[] = [];
    for (const e of s.encounters ?? []) {
      const r = verifyEncounterEvidence(e, anchors, logIdOf('records'));
      if (r.ok) encounters.set(e.date, r.proof);
      else problems.push(r.reason);
    }
    const p = s.patient;
    return {
      overlay: {
        encounters,
        credentials: new Map((s.credentials ?? []).map((c) => [c.provider, c.credentialId])),
        ...(p.birthDate || p.gender ? { demographics: { ...(p.birthDate ? { birthDate: p.birthDate } : {}), ...(p.gender ? { gender: p.gender } : {}) } } : {}),
        ...(p.deceasedDate ? { death: { date: p.deceasedDate, source: 'Patient.deceasedDateTime (provider)' } } : {}),
      },
      problems,
    };
  }

  /** Ledger lookups for the rules: licence on a date from the status history, LEIE exclusions. */
  lookups() {
    return {
      licenceAt: async (credentialId: string, date: IsoDate): Promise<LicenceStatus> => {
        const history = await credentialStatusHistory(this.deps.storage, credentialId as Hex);
        const dated: DatedStatus[] = [];
        for (const h of history) dated.push({ ...h, date: await this.blockDate(h.block) });
        return licenceStatusOn(dated, date, credentialId);
      },
      exclusionAt: async (npi: string, date: IsoDate): Promise<Exclusion | null> => {
        const x = await this.deps.credentials.exclusionOf(npi);
        if (!x) return null;
        const since = /^\d{8}$/.test(x.excldate) ? `${x.excldate.slice(0, 4)}-${x.excldate.slice(4, 6)}-${x.excldate.slice(6, 8)}` : x.excldate;
        return since <= date ? { list: 'LEIE', type: x.excltype, since, reinstated: null, source: 'LEIE import' } : null;
      },
    };
  }

  private async blockDate(block: number): Promise<IsoDate> {
    let d = this.blockDates.get(block);
    if (!d) {
      const b = await this.deps.conn.client.getBlock({ blockNumber: BigInt(block) });
      d = new Date(Number(b.timestamp) * 1000).toISOString().slice(0, 10);
      this.blockDates.set(block, d);
    }
    return d;
  }

  /** The insurer's claim history for duplicate, frequency and same-day rules (loaded once, then kept). */
  private async claimHistory(): Promise<{ facts: InMemoryClaimFacts; em: EmTally }> {
    if (this.history) return this.history;
    const facts = new InMemoryClaimFacts({ tables: this.deps.tables() });
    const em = new EmTally();
    for (const row of await this.deps.storage.all<ClaimRow>("SELECT * FROM claims WHERE role = 'insurer'")) {
      const d = this.open<InsurerDoc>(row);
      const c = this.rekey(normalizeClaim(d.claim), d.patient.address);
      facts.addClaim(c);
      em.add(c);
    }
    return (this.history ??= { facts, em });
  }

  /** The insurer's member key is the patient's address: one member across every provider's patient ids. */
  private rekey(c: NormalizedClaim, address: Address): NormalizedClaim {
    return { ...c, id: c.id, patient: { ...c.patient, key: address.toLowerCase() } };
  }

  // ─── storage ───────────────────────────────────────────────────────────────────────────────────

  private async save(claimId: Hex, role: 'provider' | 'insurer', provider: Hex, insurer: Hex, patient: Address, doc: unknown, extra: { decision?: string; score?: number; review?: string | null }): Promise<void> {
    const s = sealJson(this.deps.keys, `${claimId}/${role}`, doc);
    const t = Date.now();
    await this.deps.queue.run((tx) =>
      tx.run(
        `INSERT INTO claims (claim_id, role, provider, insurer, patient_address, decision, score, review, kek_id, wrapped_key, sealed, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [claimId.toLowerCase(), role, provider.toLowerCase(), insurer.toLowerCase(), patient.toLowerCase(), extra.decision ?? null, extra.score ?? null, extra.review ?? null, s.kek_id, s.wrapped_key, s.sealed, t, t],
      ),
    );
  }

  private async update<T>(claimId: Hex, role: 'provider' | 'insurer', change: (d: T) => T, review?: 'open' | 'closed'): Promise<void> {
    await this.deps.queue.run(async (tx) => {
      const row = await tx.get<ClaimRow>('SELECT * FROM claims WHERE claim_id = ? AND role = ?', [claimId.toLowerCase(), role]);
      if (!row) throw notFound(`claim ${claimId}`);
      const next = change(this.open<T>(row));
      const s = sealJson(this.deps.keys, `${claimId.toLowerCase()}/${role}`, next);
      const decision = (next as { decision?: string }).decision ?? row.decision;
      await tx.run('UPDATE claims SET kek_id = ?, wrapped_key = ?, sealed = ?, decision = ?, review = COALESCE(?, review), updated_ms = ? WHERE claim_id = ? AND role = ?', [
        s.kek_id, s.wrapped_key, s.sealed, decision ?? null, review ?? null, Date.now(), claimId.toLowerCase(), role,
      ]);
    });
  }

  private async row(claimId: Hex, role: 'provider' | 'insurer'): Promise<ClaimRow> {
    if (!/^0x[0-9a-fA-F]{64}$/.test(claimId)) throw invalid('a claim id is 0x and 64 hex digits');
    const row = await this.deps.storage.get<ClaimRow>('SELECT * FROM claims WHERE claim_id = ? AND role = ?', [claimId.toLowerCase(), role]);
    if (!row) throw notFound(`claim ${claimId} (as ${role})`);
    return row;
  }

  private open<T>(row: ClaimRow): T {
    return openJson<T>(this.deps.keys, `${row.claim_id}/${row.role}`, row);
  }

  private async audited<T>(actor: Actor, subtype: string, what: string[], fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const facts: AuditFacts = { action: 'E', subtype, outcome: '4', outcomeDesc: errorMessage(err).slice(0, 500), what };
      await this.deps.audit.record(actor, facts).catch(() => {});
      throw err;
    }
  }
}

interface ClaimRow extends SealedRow {
  claim_id: string;
  role: string;
  provider: string;
  insurer: string;
  patient_address: string;
  decision: string | null;
  score: number | null;
  review: string | null;
}

const pickRun = (r: RuleRun): InsurerDoc['run'] => ({ flags: r.flags, score: r.score, severity: r.severity, rulesRun: r.rulesRun, errors: r.errors, complete: r.complete });

/** What is wrong between a stored claim and the ledger (empty when the ledger confirms it). */
export function checkAgainstLedger(onChain: LedgerClaim | undefined, claim: unknown, patient: PatientFacts): string[] {
  if (!onChain) return ['the ledger holds no claim with this id'];
  const problems: string[] = [];
  if (onChain.claimHash !== claimHashOf(claim)) problems.push('the claim differs from the hash on the ledger');
  if (onChain.patientCommitment !== patientCommitmentOf(patient.address, patient.salt)) problems.push("the ledger's patient commitment does not open to this patient");
  return problems;
}
