/**
 * Age/sex–procedure conflicts: a procedure code (or an ICD-10-CM diagnosis) restricted to one sex or
 * an age range, billed for a patient whose recorded gender or age on the date of service falls
 * outside it. Restrictions come from the age/sex table.
 *
 * Sex restrictions are checked only when the recorded gender is `male` or `female`, and are waived on
 * a procedure line carrying modifier KX (CMS's attestation for sex-specific services to patients
 * whose recorded sex differs, e.g. transgender patients).
 */
import { ageOn } from './dates.ts';
import { score, tableRow } from './claim-helpers.ts';
import { icdKey } from '../tables/age-sex.ts';
import { KX } from './modifiers.ts';
import type { AgeSexRestriction } from '../tables/types.ts';
import type { ClaimFacts, Flag, IsoDate, NormalizedClaim, Rule } from './types.ts';

export const AGE_SEX_RULE_ID = 'age-sex-conflict';

const ICD10 = new Set(['http://hl7.org/fhir/sid/icd-10-cm', 'http://hl7.org/fhir/sid/icd-10', 'urn:oid:2.16.840.1.113883.6.90']);

const ageText = (r: AgeSexRestriction) =>
  r.minAge !== null && r.maxAge !== null ? `ages ${r.minAge}–${r.maxAge}` : r.minAge !== null ? `ages ${r.minAge} and over` : `ages up to ${r.maxAge}`;

export function ageSexRule(): Rule {
  return {
    id: AGE_SEX_RULE_ID,
    title: 'Age or sex conflicts with the code',
    description:
      "Flags procedure and diagnosis codes restricted to one sex or an age range that do not fit the patient's recorded gender or age on the date of service.",
    async evaluate(claim: NormalizedClaim, facts: ClaimFacts): Promise<Flag[]> {
      const { procedures, diagnoses } = facts.tables.ageSex;
      if (procedures.size === 0 && diagnoses.size === 0) return [];
      const relevant = claim.lines.some((l) => procedures.has(l.code)) || claim.diagnoses.some((d) => d.code !== undefined && diagnoses.has(icdKey(d.code)));
      if (!relevant) return [];
      const who = await facts.demographics(claim.patient.key);
      if (!who) return [];
      const gender = who.gender === 'male' || who.gender === 'female' ? who.gender : null;
      const flags: Flag[] = [];

      const test = (r: AgeSexRestriction, date: IsoDate, what: string, lines: number[], waived: boolean) => {
        if (r.sex && gender && gender !== r.sex && !waived) {
          flags.push({
            rule: AGE_SEX_RULE_ID,
            severity: 'medium',
            score: score(0.6),
            explanation: `${what} is restricted to ${r.sex} patients; the patient's recorded gender is ${gender}${lines.length ? ' and the line has no KX modifier' : ''}.`,
            evidence: {
              lines,
              dates: [date],
              codes: [r.code],
              tableRows: [tableRow('age-sex', r, { system: r.system, code: r.code, sex: r.sex, minAge: r.minAge, maxAge: r.maxAge })],
              details: { conflict: 'sex', restrictedTo: r.sex, recordedGender: gender },
            },
          });
        }
        if ((r.minAge !== null || r.maxAge !== null) && who.birthDate) {
          const age = ageOn(who.birthDate, date);
          if ((r.minAge !== null && age < r.minAge) || (r.maxAge !== null && age > r.maxAge)) {
            flags.push({
              rule: AGE_SEX_RULE_ID,
              severity: 'medium',
              score: score(0.5),
              explanation: `${what} is for ${ageText(r)}; the patient (born ${who.birthDate}) was ${age} on ${date}.`,
              evidence: {
                lines,
                dates: [date, who.birthDate],
                codes: [r.code],
                tableRows: [tableRow('age-sex', r, { system: r.system, code: r.code, sex: r.sex, minAge: r.minAge, maxAge: r.maxAge })],
                details: { conflict: 'age', age, minAge: r.minAge, maxAge: r.maxAge },
              },
            });
          }
        }
      };

      for (const line of claim.lines) {
        for (const r of procedures.get(line.code) ?? []) {
          test(r, line.serviceDate, `Line ${line.sequence} (${line.code})`, [line.sequence], line.modifiers.includes(KX));
        }
      }
      for (const d of claim.diagnoses) {
        if (d.code === undefined || (d.system !== undefined && !ICD10.has(d.system))) continue;
        for (const r of diagnoses.get(icdKey(d.code)) ?? []) test(r, claim.serviceRange.from, `Diagnosis ${d.sequence} (${d.code})`, [], false);
      }
      return flags;
    },
  };
}
