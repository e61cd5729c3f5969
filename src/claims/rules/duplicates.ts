/**
 * Duplicate and near-duplicate billing: a line that repeats a line of another claim of the same
 * member at the same billing provider for the same code.
 *
 * - exact: same date of service, same modifiers (in any order), same units (a resubmission or a
 *   double bill, whatever the claim id);
 * - near: same code within ±`nearDays` days, or on the same date with different modifiers or units
 *   (a duplicate disguised by a shifted date, an added modifier or split units). When the only
 *   difference is a repeat-procedure modifier (76, 77, 91) on this line, the provider has declared a
 *   repeat, and the flag is low.
 *
 * Only claims of the same type (professional, institutional, pharmacy, …) are compared.
 * Two identical lines within this claim are flagged too. One flag per other claim and kind of match
 * (all the lines that match it that way), so a whole resubmitted claim reads as one finding.
 */
import { addDays, daysBetween } from './dates.ts';
import { listText, plural, score } from './claim-helpers.ts';
import { REPEAT_MODIFIERS } from './modifiers.ts';
import type { ClaimFacts, ClaimLine, Flag, NormalizedClaim, Rule } from './types.ts';

export interface DuplicateOptions {
  /** How many days apart a near duplicate's date of service may be (default 1). */
  nearDays?: number;
}

export const DUPLICATE_RULE_ID = 'duplicate-claim';

type MatchKind = 'exact' | 'near' | 'declared-repeat';

interface Match {
  line: ClaimLine;
  other: ClaimLine;
  kind: MatchKind;
  differences: string[];
}

const sameModifiers = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((m) => b.includes(m));

function compare(line: ClaimLine, other: ClaimLine, nearDays: number): Match | null {
  if (line.code !== other.code) return null;
  const days = daysBetween(other.serviceDate, line.serviceDate);
  if (Math.abs(days) > nearDays) return null;
  const differences: string[] = [];
  if (days !== 0) differences.push(`dated ${other.serviceDate} there, ${line.serviceDate} here`);
  const modsEqual = sameModifiers(line.modifiers, other.modifiers);
  if (!modsEqual) differences.push(`modifiers ${other.modifiers.join('+') || 'none'} there, ${line.modifiers.join('+') || 'none'} here`);
  if (line.quantity !== other.quantity) differences.push(`${plural(other.quantity, 'unit')} there, ${plural(line.quantity, 'unit')} here`);
  if (differences.length === 0) return { line, other, kind: 'exact', differences };
  const added = line.modifiers.filter((m) => !other.modifiers.includes(m));
  const declaredRepeat =
    days === 0 &&
    line.quantity === other.quantity &&
    added.length > 0 &&
    added.every((m) => REPEAT_MODIFIERS.has(m)) &&
    other.modifiers.every((m) => line.modifiers.includes(m));
  return { line, other, kind: declaredRepeat ? 'declared-repeat' : 'near', differences };
}

const RANK: Record<MatchKind, number> = { exact: 3, near: 2, 'declared-repeat': 1 };

export function duplicateRule(options: DuplicateOptions = {}): Rule {
  const nearDays = options.nearDays ?? 1;
  return {
    id: DUPLICATE_RULE_ID,
    title: 'Duplicate or near-duplicate claim lines',
    description: `Flags lines that repeat another claim of the same member at the same billing provider for the same code: exactly (same date, modifiers and units) or nearly (±${nearDays} day, other modifiers or units).`,
    async evaluate(claim: NormalizedClaim, facts: ClaimFacts): Promise<Flag[]> {
      if (claim.lines.length === 0) return [];
      const flags: Flag[] = [];
      const range = { from: addDays(claim.serviceRange.from, -nearDays), to: addDays(claim.serviceRange.to, nearDays) };
      const others = await facts.priorClaims(claim.patient.key, claim.provider.key, range);
      for (const other of others) {
        // Only claims of the same type: a pharmacy claim and a medical claim for one visit are two
        // benefits, not a double bill (Synthea writes the visit code on both).
        if (other.id === claim.id || other.type !== claim.type) continue;
        const matches: Match[] = [];
        for (const line of claim.lines) {
          let best: Match | null = null;
          for (const o of other.lines) {
            const m = compare(line, o, nearDays);
            if (m && (!best || RANK[m.kind] > RANK[best.kind])) best = m;
          }
          if (best) matches.push(best);
        }
        for (const kind of ['exact', 'near', 'declared-repeat'] as const) {
          const ofKind = matches.filter((m) => m.kind === kind);
          if (ofKind.length) flags.push(otherClaimFlag(claim, other, kind, ofKind));
        }
      }
      flags.push(...withinClaim(claim));
      return flags;
    },
  };
}

function otherClaimFlag(claim: NormalizedClaim, other: NormalizedClaim, kind: MatchKind, matches: Match[]): Flag {
  const allExact = kind === 'exact';
  const lineText = listText(matches.map((m) => `${m.line.sequence} (${m.line.code} on ${m.line.serviceDate})`));
  const who = `the same member (${claim.patient.key}) and billing provider (${claim.provider.key})`;
  let explanation: string;
  if (allExact) {
    const whole = matches.length === claim.lines.length && matches.length === other.lines.length;
    explanation = `${matches.length === 1 ? 'Line' : 'Lines'} ${lineText} exactly repeat${matches.length === 1 ? 's' : ''} ${whole ? 'every line of ' : ''}claim ${other.id} for ${who}.`;
  } else {
    const diffs = matches
      .filter((m) => m.differences.length)
      .map((m) => `line ${m.line.sequence} vs its line ${m.other.sequence}: ${m.differences.join(', ')}`);
    explanation = `${matches.length === 1 ? 'Line' : 'Lines'} ${lineText} nearly repeat${matches.length === 1 ? 's' : ''} claim ${other.id} for ${who} (${diffs.join('; ')})${kind === 'declared-repeat' ? ', with a repeat-procedure modifier declaring the repeat' : ''}.`;
  }
  return {
    rule: DUPLICATE_RULE_ID,
    severity: allExact ? 'high' : kind === 'near' ? 'medium' : 'low',
    score: score(allExact ? 0.95 : kind === 'near' ? 0.55 : 0.25),
    explanation,
    evidence: {
      lines: matches.map((m) => m.line.sequence),
      dates: [...new Set(matches.flatMap((m) => [m.line.serviceDate, m.other.serviceDate]))],
      codes: [...new Set(matches.map((m) => m.line.code))],
      claims: [other.id],
      details: {
        match: kind,
        pairs: matches.map((m) => `${m.line.sequence}=${other.id}:${m.other.sequence}`),
        differences: matches.flatMap((m) => m.differences),
      },
    },
  };
}

/** Identical lines (code, dates, modifiers, units) within the claim itself. */
function withinClaim(claim: NormalizedClaim): Flag[] {
  const flags: Flag[] = [];
  const seen = new Map<string, ClaimLine>();
  for (const l of claim.lines) {
    const key = `${l.code}|${l.serviceDate}|${l.serviceEnd}|${[...l.modifiers].sort().join('+')}|${l.quantity}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, l);
      continue;
    }
    flags.push({
      rule: DUPLICATE_RULE_ID,
      severity: 'medium',
      score: score(0.5),
      explanation: `Line ${l.sequence} repeats line ${first.sequence} of the same claim exactly (${l.code} on ${l.serviceDate}, ${plural(l.quantity, 'unit')}, modifiers ${l.modifiers.join('+') || 'none'}).`,
      evidence: { lines: [first.sequence, l.sequence], dates: [l.serviceDate], codes: [l.code], details: { match: 'exact-within-claim' } },
    });
  }
  return flags;
}
