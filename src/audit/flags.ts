/**
 * Insider-threat rules over the audit log, for the privacy officer. Each flag names the rule, the
 * agent, and the evidence: the audit entries (by index, each provable) that triggered it.
 */
import type { AuditLog, EntryRow } from './audit-log.ts';

export interface FlagRules {
  /** Distinct patients one agent may access within `windowMs` before it counts as bulk access. */
  bulkPatients: number;
  windowMs: number;
  /** Denials by one agent within `windowMs` that count as repeated. */
  denials: number;
  /** Working hours [start, end) in UTC; access outside is flagged. */
  workdayStartHour: number;
  workdayEndHour: number;
}

export const DEFAULT_RULES: FlagRules = { bulkPatients: 50, windowMs: 10 * 60_000, denials: 5, workdayStartHour: 7, workdayEndHour: 19 };

export type FlagKind = 'bulk-access' | 'repeated-denials' | 'after-hours' | 'no-care-relationship' | 'watched-patient';

export interface Flag {
  kind: FlagKind;
  agent: string;
  description: string;
  evidence: number[];
}

type Row = Pick<EntryRow, 'idx' | 'recorded_ms' | 'patient_token' | 'agent' | 'action' | 'outcome'>;

/** Agents that are people (not the node itself or unauthenticated callers) are what these rules watch. */
const isPerson = (agent: string) => /^(Practitioner|PractitionerRole|RelatedPerson|Person)\//.test(agent);

export async function evaluateFlags(audit: AuditLog, range: { fromMs: number; toMs: number }, rules: FlagRules = DEFAULT_RULES): Promise<Flag[]> {
  const { from, to } = await audit.indexRange(range.fromMs, range.toMs);
  const rows: Row[] = (await audit.rows(from, to)).map((r) => ({ ...r, idx: Number(r.idx), recorded_ms: Number(r.recorded_ms) }));
  const flags: Flag[] = [];
  const byAgent = new Map<string, Row[]>();
  for (const r of rows) (byAgent.get(r.agent) ?? byAgent.set(r.agent, []).get(r.agent)!).push(r);

  for (const [agent, list] of byAgent) {
    const accesses = list.filter((r) => r.outcome === '0' && r.patient_token && (r.action === 'R' || r.action === 'E'));
    const denials = list.filter((r) => r.outcome !== '0');

    // Sliding windows over the agent's accesses and denials.
    let start = 0;
    const counts = new Map<string, number>();
    for (let end = 0; end < accesses.length; end++) {
      const e = accesses[end]!;
      counts.set(e.patient_token!, (counts.get(e.patient_token!) ?? 0) + 1);
      while (e.recorded_ms - accesses[start]!.recorded_ms > rules.windowMs) {
        const s = accesses[start++]!;
        const n = counts.get(s.patient_token!)! - 1;
        if (n === 0) counts.delete(s.patient_token!);
        else counts.set(s.patient_token!, n);
      }
      if (counts.size > rules.bulkPatients) {
        flags.push({ kind: 'bulk-access', agent, description: `${counts.size} patients within ${rules.windowMs / 60_000} min`, evidence: accesses.slice(start, end + 1).map((r) => r.idx) });
        break;
      }
    }
    for (let i = 0; i + rules.denials - 1 < denials.length; i++) {
      const windowRows = denials.slice(i, i + rules.denials);
      if (windowRows.at(-1)!.recorded_ms - windowRows[0]!.recorded_ms <= rules.windowMs) {
        flags.push({ kind: 'repeated-denials', agent, description: `${rules.denials} denied requests within ${rules.windowMs / 60_000} min`, evidence: windowRows.map((r) => r.idx) });
        break;
      }
    }
    if (!isPerson(agent)) continue;
    const afterHours = accesses.filter((r) => {
      const h = new Date(r.recorded_ms).getUTCHours();
      return h < rules.workdayStartHour || h >= rules.workdayEndHour;
    });
    if (afterHours.length) flags.push({ kind: 'after-hours', agent, description: `${afterHours.length} access(es) outside ${rules.workdayStartHour}:00-${rules.workdayEndHour}:00 UTC`, evidence: afterHours.map((r) => r.idx) });
    const noCare: Row[] = [];
    for (const r of accesses) if (!(await audit.hasCareRelationship(r.patient_token!, agent, r.recorded_ms))) noCare.push(r);
    if (noCare.length) flags.push({ kind: 'no-care-relationship', agent, description: `${new Set(noCare.map((r) => r.patient_token)).size} patient(s) without an encounter with this clinician`, evidence: noCare.map((r) => r.idx) });
    const onWatched: Row[] = [];
    const reasonSet = new Set<string>();
    for (const r of accesses) {
      const reason = await audit.watchReason(r.patient_token!);
      if (reason) onWatched.push(r), reasonSet.add(reason);
    }
    if (onWatched.length) {
      const reasons = [...reasonSet];
      flags.push({ kind: 'watched-patient', agent, description: `access to watched record(s): ${reasons.join(', ')}`, evidence: onWatched.map((r) => r.idx) });
    }
  }
  return flags;
}
