/**
 * COMPare-style outcome-switching check: compares the outcomes a trial pre-specified with those it
 * reported and lists every discrepancy — a pre-specified outcome not reported (`omitted`), an
 * outcome reported but not pre-specified and not declared as such (`added`), a changed measure or
 * time frame, a primary demoted to secondary or a secondary promoted to primary — with the evidence
 * (both entries, the fields that differ, the words that differ). CONSORT 2010 item 6b: changes to
 * pre-specified outcomes must be declared with reasons; a reported outcome marked `declaredAsNew`
 * with a reason yields an `added` finding of severity `info`, not a switch.
 *
 * How outcomes are paired is in match-outcomes.ts; how texts are compared, in normalise.ts.
 */
import { invalid } from '../../shared/errors.ts';
import { matchOutcomes } from './match-outcomes.ts';
import { sameTimeFrame, sameWords, similarity, timeFrameTokens, wordDifference } from './normalise.ts';
import type { FieldDifference, OutcomeFinding, ProtocolVersion, RegisteredOutcome, ReportedOutcome, Severity } from './types.ts';

/** Names at least this similar (Dice on content words) are shown to the reviewer as possible counterparts. */
const SIMILAR = 0.5;

export function compareOutcomes(registered: readonly RegisteredOutcome[] | ProtocolVersion, reported: readonly ReportedOutcome[]): OutcomeFinding[] {
  const reg = Array.isArray(registered) ? (registered as readonly RegisteredOutcome[]) : (registered as ProtocolVersion).outcomes;
  check(reg, 'registered');
  check(reported, 'reported');
  for (const [j, r] of reported.entries()) {
    if (r.declaredAsNew !== undefined && (typeof r.declaredAsNew.reason !== 'string' || r.declaredAsNew.reason.trim() === '')) {
      throw invalid(`reported[${j}] "${r.name}" is declared as new without a reason; CONSORT 6b asks for the reason`, [`reported[${j}].declaredAsNew.reason`]);
    }
  }

  const { pairs, unmatchedRegistered, unmatchedReported } = matchOutcomes(reg, reported);
  const findings: OutcomeFinding[] = [];

  for (const p of pairs) {
    const g = reg[p.registered]!;
    const r = reported[p.reported]!;
    const differences = fieldDifferences(g, r);
    const primary = g.kind === 'primary' || r.kind === 'primary';
    const base = { registered: g, reported: r, matchedBy: p.matchedBy, differences };
    if (!sameWords(g.measure, r.measure)) {
      findings.push({ kind: 'measure-changed', severity: primary ? 'major' : 'minor', message: `"${g.name}": measure changed from "${g.measure}" to "${r.measure}"`, evidence: base });
    }
    if (!sameTimeFrame(g.timeFrame, r.timeFrame)) {
      findings.push({ kind: 'time-frame-changed', severity: primary ? 'major' : 'minor', message: `"${g.name}": time frame changed from "${g.timeFrame}" to "${r.timeFrame}"`, evidence: base });
    }
    if (g.kind === 'primary' && r.kind === 'secondary') {
      findings.push({ kind: 'primary-to-secondary', severity: 'major', message: `"${g.name}": pre-specified as primary, reported as secondary`, evidence: base });
    } else if (g.kind === 'secondary' && r.kind === 'primary') {
      findings.push({ kind: 'secondary-to-primary', severity: 'major', message: `"${g.name}": pre-specified as secondary, reported as primary`, evidence: base });
    }
  }

  for (const i of unmatchedRegistered) {
    const g = reg[i]!;
    findings.push({
      kind: 'omitted',
      severity: g.kind === 'primary' ? 'major' : 'minor',
      message: `pre-specified ${g.kind} outcome "${g.name}" (${g.timeFrame}) is not reported`,
      evidence: { registered: g, differences: [], similar: similarNames(g.name, unmatchedReported.map((j) => reported[j]!.name)) },
    });
  }

  for (const j of unmatchedReported) {
    const r = reported[j]!;
    const declared = r.declaredAsNew !== undefined;
    const severity: Severity = declared ? 'info' : r.kind === 'primary' ? 'major' : 'minor';
    findings.push({
      kind: 'added',
      severity,
      message: declared
        ? `${r.kind} outcome "${r.name}" was not pre-specified and is declared as new: ${r.declaredAsNew!.reason}`
        : `${r.kind} outcome "${r.name}" is reported but was not pre-specified, and the report does not say so`,
      evidence: {
        reported: r,
        differences: [],
        similar: similarNames(r.name, unmatchedRegistered.map((i) => reg[i]!.name)),
        ...(declared ? { declaredReason: r.declaredAsNew!.reason } : {}),
      },
    });
  }
  return findings;
}

function fieldDifferences(g: RegisteredOutcome, r: ReportedOutcome): FieldDifference[] {
  const out: FieldDifference[] = [];
  const text = (field: 'name' | 'measure', same: boolean) => {
    if (same) return;
    const d = wordDifference(g[field], r[field]);
    out.push({ field, registered: g[field], reported: r[field], onlyRegistered: d.onlyA, onlyReported: d.onlyB });
  };
  text('name', sameWords(g.name, r.name));
  text('measure', sameWords(g.measure, r.measure));
  if (!sameTimeFrame(g.timeFrame, r.timeFrame)) {
    const a = new Set(timeFrameTokens(g.timeFrame));
    const b = new Set(timeFrameTokens(r.timeFrame));
    out.push({ field: 'timeFrame', registered: g.timeFrame, reported: r.timeFrame, onlyRegistered: [...a].filter((w) => !b.has(w)), onlyReported: [...b].filter((w) => !a.has(w)) });
  }
  if (g.kind !== r.kind) out.push({ field: 'kind', registered: g.kind, reported: r.kind });
  return out;
}

function similarNames(name: string, others: string[]): { name: string; similarity: number }[] {
  return others
    .map((o) => ({ name: o, similarity: Number(similarity(name, o).toFixed(2)) }))
    .filter((s) => s.similarity >= SIMILAR)
    .sort((a, b) => b.similarity - a.similarity);
}

function check(outcomes: readonly (RegisteredOutcome | ReportedOutcome)[], side: string): void {
  if (!Array.isArray(outcomes)) throw invalid(`${side} outcomes must be an array`);
  for (const [i, o] of outcomes.entries()) {
    if (typeof o?.name !== 'string' || o.name.trim() === '') throw invalid(`${side}[${i}] has no name`, [`${side}[${i}].name`]);
    if (o.kind !== 'primary' && o.kind !== 'secondary') throw invalid(`${side}[${i}] "${o.name}" has kind "${String(o.kind)}"; expected primary or secondary`, [`${side}[${i}].kind`]);
    if (typeof o.measure !== 'string') throw invalid(`${side}[${i}] "${o.name}" has no measure (use "" if none was given)`, [`${side}[${i}].measure`]);
    if (typeof o.timeFrame !== 'string') throw invalid(`${side}[${i}] "${o.name}" has no timeFrame (use "" if none was given)`, [`${side}[${i}].timeFrame`]);
  }
}
