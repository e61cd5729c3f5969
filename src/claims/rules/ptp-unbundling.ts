/**
 * NCCI procedure-to-procedure edits (unbundling): two codes of an edit pair billed for the same
 * member by the same provider on the same date of service, on this claim or on this claim and
 * another. The column 2 code is not payable with the column 1 code (NCCI Policy Manual for Medicare
 * Services, Introduction and Chapter I, Section E) unless:
 *
 * - modifier indicator 1 and an NCCI PTP-associated modifier (59, XE, XS, XP, XU, 25, anatomic, …)
 *   is on either line of the pair — then no flag;
 * - modifier indicator 9 — the edit never applied;
 * - the edit was not in force on the date (effective date after it, or deleted on or before it).
 *
 * Indicator 0 pairs are flagged high, indicator 1 pairs without a modifier medium.
 */
import { ncciSetting, score, tableRow } from './claim-helpers.ts';
import { firstIn, PTP_ASSOCIATED_MODIFIERS } from './modifiers.ts';
import type { ClaimFacts, ClaimLine, Flag, IsoDate, NormalizedClaim, Rule } from './types.ts';
import type { PtpEdit } from '../tables/types.ts';

export const PTP_RULE_ID = 'ncci-ptp';

interface Located {
  line: ClaimLine;
  /** null for this claim. */
  claimId: string | null;
}

const where = (x: Located) => (x.claimId === null ? `line ${x.line.sequence}` : `claim ${x.claimId} line ${x.line.sequence}`);

export function ptpRule(): Rule {
  return {
    id: PTP_RULE_ID,
    title: 'NCCI procedure-to-procedure edit (unbundling)',
    description:
      'Flags column 1 / column 2 code pairs of an NCCI PTP edit in force on the date, billed for the same member by the same provider on the same day, without a modifier the edit allows.',
    async evaluate(claim: NormalizedClaim, facts: ClaimFacts): Promise<Flag[]> {
      const setting = ncciSetting(claim);
      const index = setting ? facts.tables.ptp[setting] : undefined;
      if (!index || index.size === 0) return [];
      const byDate = new Map<IsoDate, ClaimLine[]>();
      for (const l of claim.lines) {
        if (!index.hasCode(l.code)) continue;
        const list = byDate.get(l.serviceDate);
        if (list) list.push(l);
        else byDate.set(l.serviceDate, [l]);
      }
      if (byDate.size === 0) return [];
      const dates = [...byDate.keys()];
      const sameDay = await Promise.all(dates.map((d) => facts.priorClaims(claim.patient.key, claim.provider.key, { from: d, to: d })));
      const flags: Flag[] = [];
      dates.forEach((date, i) => {
        const own = byDate.get(date)!;
        const others: Located[] = [];
        for (const c of sameDay[i]!) {
          if (c.id === claim.id) continue;
          for (const l of c.lines) if (l.serviceDate === date && index.hasCode(l.code)) others.push({ line: l, claimId: c.id });
        }
        for (let a = 0; a < own.length; a++) {
          const A: Located = { line: own[a]!, claimId: null };
          // This claim's other lines (each ordered pair once, so both directions are tried) …
          for (let b = 0; b < own.length; b++) {
            if (a === b) continue;
            const flag = check(index.activeEdit(A.line.code, own[b]!.code, date), A, { line: own[b]!, claimId: null }, date);
            if (flag) flags.push(flag);
          }
          // … and the lines of the provider's other claims that day, in both directions.
          for (const B of others) {
            const f1 = check(index.activeEdit(A.line.code, B.line.code, date), A, B, date);
            if (f1) flags.push(f1);
            const f2 = check(index.activeEdit(B.line.code, A.line.code, date), B, A, date);
            if (f2) flags.push(f2);
          }
        }
      });
      return flags;
    },
  };
}

/** A flag if `edit` (column 1 = c1's code, column 2 = c2's code) applies to the pair. */
function check(edit: PtpEdit | undefined, c1: Located, c2: Located, date: IsoDate): Flag | null {
  if (!edit || edit.modifierIndicator === 9 || c1.line.code === c2.line.code) return null;
  const modifier = firstIn(c2.line.modifiers, PTP_ASSOCIATED_MODIFIERS) ?? firstIn(c1.line.modifiers, PTP_ASSOCIATED_MODIFIERS);
  if (edit.modifierIndicator === 1 && modifier) return null;
  const never = edit.modifierIndicator === 0;
  const ownLines = [c1, c2].filter((x) => x.claimId === null).map((x) => x.line.sequence);
  const otherClaim = [c1, c2].find((x) => x.claimId !== null)?.claimId;
  const why = never
    ? `modifier indicator 0: no modifier allows both${modifier ? ` (the ${modifier} reported does not)` : ''}`
    : 'modifier indicator 1, and neither line carries an NCCI PTP-associated modifier (such as 59, XE, XS, XP, XU)';
  return {
    rule: PTP_RULE_ID,
    severity: never ? 'high' : 'medium',
    score: score(never ? 0.85 : 0.65),
    explanation: `${where(c2)} (${c2.line.code}) is the column 2 code of NCCI PTP edit ${edit.column1}/${edit.column2} with ${where(c1)} (${c1.line.code}) on ${date}, in force since ${edit.effective}; ${why}.`,
    evidence: {
      lines: ownLines,
      dates: [date],
      codes: [edit.column1, edit.column2],
      ...(otherClaim && { claims: [otherClaim] }),
      tableRows: [
        tableRow('ncci-ptp', edit, {
          column1: edit.column1,
          column2: edit.column2,
          effective: edit.effective,
          deletion: edit.deletion,
          modifierIndicator: edit.modifierIndicator,
          rationale: edit.rationale,
        }),
      ],
      details: { column1Line: where(c1), column2Line: where(c2), modifierIndicator: edit.modifierIndicator, modifierReported: modifier ?? null },
    },
  };
}
