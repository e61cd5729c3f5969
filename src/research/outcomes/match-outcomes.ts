/**
 * Pairs reported outcomes with registered ones. The matching rule:
 *
 * 1. A reported outcome that cites a registered outcome's id (`registeredId`) is paired with it.
 * 2. Otherwise a reported and a registered outcome can be paired only if their **names** have the
 *    same content words (normalise.ts): they differ at most in case, punctuation, whitespace, word
 *    order, articles/prepositions, plural, or "%" spelled out. Nothing fuzzier: two names differing
 *    in any other word ("systolic"/"diastolic", "mean"/"median", "≥"/"<", "and"/"or", "VAS"/"NRS")
 *    are different outcomes, so a changed outcome is reported as `omitted` + `added` — with the
 *    similar names pointed out to a reviewer (`similar`) — and is never silently treated as the
 *    registered one.
 * 3. Among the candidate pairs, the ones agreeing on more fields win (id, then measure, then time
 *    frame, then kind), so "HbA1c at 12 weeks" and "HbA1c at 24 weeks" pair with their own
 *    registered counterparts; ties go to the earlier outcome. Each outcome is paired at most once.
 *
 * Measures and time frames of a pair are then compared field by field (compare-outcomes.ts); a
 * pairing never hides a difference in them.
 */
import { sameTimeFrame, sameWords } from './normalise.ts';
import type { RegisteredOutcome, ReportedOutcome } from './types.ts';

export interface OutcomePair {
  registered: number;
  reported: number;
  matchedBy: 'id' | 'name';
}

export interface Matching {
  pairs: OutcomePair[];
  unmatchedRegistered: number[];
  unmatchedReported: number[];
}

export function matchOutcomes(registered: readonly RegisteredOutcome[], reported: readonly ReportedOutcome[]): Matching {
  const candidates: (OutcomePair & { score: number })[] = [];
  for (const [j, rep] of reported.entries()) {
    for (const [i, reg] of registered.entries()) {
      const byId = rep.registeredId !== undefined && reg.id !== undefined && rep.registeredId === reg.id;
      if (!byId && !sameWords(reg.name, rep.name)) continue;
      const score = (byId ? 8 : 0) + (sameWords(reg.measure, rep.measure) ? 4 : 0) + (sameTimeFrame(reg.timeFrame, rep.timeFrame) ? 2 : 0) + (reg.kind === rep.kind ? 1 : 0);
      candidates.push({ registered: i, reported: j, matchedBy: byId ? 'id' : 'name', score });
    }
  }
  candidates.sort((a, b) => b.score - a.score || a.registered - b.registered || a.reported - b.reported);
  const usedReg = new Set<number>();
  const usedRep = new Set<number>();
  const pairs: OutcomePair[] = [];
  for (const c of candidates) {
    if (usedReg.has(c.registered) || usedRep.has(c.reported)) continue;
    usedReg.add(c.registered);
    usedRep.add(c.reported);
    pairs.push({ registered: c.registered, reported: c.reported, matchedBy: c.matchedBy });
  }
  pairs.sort((a, b) => a.registered - b.registered);
  return {
    pairs,
    unmatchedRegistered: registered.map((_, i) => i).filter((i) => !usedReg.has(i)),
    unmatchedReported: reported.map((_, j) => j).filter((j) => !usedRep.has(j)),
  };
}
