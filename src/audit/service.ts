/**
 * The audit trail as an API: entries, signed tree heads, inclusion and consistency proofs, a
 * patient's access history with proofs, NDJSON exports and insider-threat flags. Every access to the
 * trail is itself audited, as the caller's.
 */
import type { Hex } from 'viem';
import type { LogAnchorer } from '../anchoring/log-anchorer.ts';
import type { PatientIdentities } from '../identity/patients.ts';
import type { Caller } from '../identity/principal.ts';
import { forbidden, invalid, notFound } from '../shared/errors.ts';
import type { FindFilter, SignedTreeHead } from './audit-log.ts';
import { evaluateFlags, type Flag } from './flags.ts';
import { consistencyProof, inclusionProof, type InclusionProof } from './proofs.ts';
import type { AuditTrail } from './trail.ts';

export interface AuditServiceDeps {
  trail: AuditTrail;
  anchorer: LogAnchorer;
  patients: PatientIdentities;
  org: string;
  ledger: { chainId: number; anchorRegistry: Hex; orgId: Hex };
}

export interface PatientView {
  sth: SignedTreeHead;
  anchored: Awaited<ReturnType<LogAnchorer['latest']>> | null;
  consistency: ReturnType<typeof consistencyProof> | null;
  entries: { event: Record<string, unknown> | undefined; proof: InclusionProof }[];
}

export class AuditService {
  constructor(private readonly deps: AuditServiceDeps) {}

  private get log() {
    return this.deps.trail.log;
  }

  async sth() {
    return { sth: await this.log.signedTreeHead(), anchored: (await this.deps.anchorer.latest()) ?? null };
  }

  async entries(filter: FindFilter) {
    const idx = await this.log.find(filter);
    return { treeSize: this.log.log.size, entries: await Promise.all(idx.map(async (i) => ({ index: i, event: await this.log.entry(i) }))) };
  }

  /** An entry's inclusion proof, to the first anchor covering it or to `treeSize`. */
  async proof(caller: Caller, index: number, treeSize?: number) {
    const log = this.log.log;
    if (index >= log.size) throw notFound(`audit entry ${index} (the log has ${log.size})`);
    const anchor = treeSize ? null : ((await this.deps.anchorer.anchorCovering(index)) ?? null);
    const size = treeSize ?? anchor?.treeSize ?? log.size;
    if (size > log.size || size <= index) throw invalid(`treeSize must be in ${index + 1}..${log.size}`);
    await this.deps.trail.record(caller, { action: 'E', subtype: 'audit-proof', outcome: '0', what: [`AuditEvent/${index}`] });
    return { ...(await inclusionProof(log, index, size, anchor)), event: await this.log.entry(index), ...this.deps.ledger };
  }

  consistency(first: number, second: number) {
    const log = this.log.log;
    if (first > second || second > log.size) throw invalid(`need 0 <= first <= second <= ${log.size}`);
    return consistencyProof(log, first, second);
  }

  /** Every access to one patient's data here, each with its proof to a signed tree head. */
  async patientView(patientIds: string[]): Promise<PatientView> {
    const idx = [...new Set((await Promise.all(patientIds.map((id) => this.log.find({ patientId: id, limit: 1000 })))).flat())].sort((x, y) => x - y);
    const sth = await this.log.signedTreeHead();
    const anchored = (await this.deps.anchorer.latest()) ?? null;
    return {
      sth,
      anchored,
      consistency: anchored ? consistencyProof(this.log.log, anchored.treeSize, sth.treeSize) : null,
      entries: await Promise.all(idx.map(async (i) => ({ event: await this.log.entry(i), proof: await inclusionProof(this.log.log, i, sth.treeSize, null) }))),
    };
  }

  /** A patient's (or proxy's) own view of who accessed their data at this custodian. */
  async myView(caller: Caller): Promise<PatientView & { org: string; orgId: Hex }> {
    if (caller.principal.kind !== 'patient') throw forbidden('log in as a patient (POST /api/auth/patient/login)');
    const localIds = (await Promise.all(caller.principal.addresses!.map((a) => this.deps.patients.patientsWithAddress(a)))).flat();
    const view = await this.patientView(localIds);
    await this.deps.trail.record(caller, { action: 'R', subtype: 'audit-view', outcome: '0', patientId: localIds[0] });
    return { org: this.deps.org, orgId: this.deps.ledger.orgId, ...view };
  }

  /** NDJSON lines: the signed tree head first, then each matching entry with its inclusion proof. */
  async export(caller: Caller, filter: Omit<FindFilter, 'limit' | 'offset' | 'after'>, query: string): Promise<string[]> {
    const sth = await this.log.signedTreeHead();
    const anchored = (await this.deps.anchorer.latest()) ?? null;
    const lines: string[] = [JSON.stringify({ sth, anchored, consistency: anchored ? consistencyProof(this.log.log, anchored.treeSize, sth.treeSize) : null })];
    for (let after: number | undefined; ; ) {
      const idx = await this.log.find({ ...filter, limit: 1000, after });
      for (const i of idx) lines.push(JSON.stringify({ event: await this.log.entry(i), proof: await inclusionProof(this.log.log, i, sth.treeSize, null) }));
      if (idx.length < 1000) break;
      after = idx.at(-1);
    }
    await this.deps.trail.record(caller, { action: 'E', subtype: 'audit-export', outcome: '0', patientId: filter.patientId, query });
    return lines;
  }

  async flags(range: { fromMs: number; toMs: number }): Promise<(Flag & { events: unknown[] })[]> {
    const flags = await evaluateFlags(this.log, range);
    return Promise.all(flags.map(async (f) => ({ ...f, events: await Promise.all(f.evidence.slice(0, 20).map((i) => this.log.entry(i))) })));
  }

  watch(patientId: string, reason: string): Promise<void> {
    return this.deps.trail.queue.run((tx) => this.log.watch(tx, patientId, reason));
  }
}
