/**
 * Medically Unlikely Edits: units of service of a code over its MUE value, adjudicated per the MUE
 * Adjudication Indicator (NCCI Policy Manual for Medicare Services, Chapter I, Section V; CMS MUE
 * page):
 *
 * - MAI 1 (line edit): each claim line is checked on its own (the same code on several lines with
 *   modifiers such as 76, 77, 91, RT/LT is allowed);
 * - MAI 2 (date of service edit, policy): all units of the code for the member on the date of service,
 *   on this claim and on the provider's other claims that day, against the value; exceeding it is
 *   contrary to policy (high);
 * - MAI 3 (date of service edit, clinical): the same sum; exceeding it is rarely correct and needs
 *   documentation (medium).
 *
 * The MUE table is the one for the claim's setting (practitioner / outpatient hospital).
 */
import { ncciSetting, plural, score, tableRow } from './claim-helpers.ts';
import type { ClaimFacts, ClaimLine, Flag, IsoDate, NormalizedClaim, Rule } from './types.ts';
import type { MueEdit } from '../tables/types.ts';

export const MUE_RULE_ID = 'mue-units';

const MAI_TEXT: Record<1 | 2 | 3, string> = { 1: 'line edit', 2: 'date of service edit: policy', 3: 'date of service edit: clinical' };

const row = (e: MueEdit) => tableRow('mue', e, { code: e.code, value: e.value, mai: e.mai, rationale: e.rationale, setting: e.setting });

export function mueRule(): Rule {
  return {
    id: MUE_RULE_ID,
    title: 'Units over the Medically Unlikely Edit',
    description: 'Flags units of service per line (MAI 1) or per member per date of service (MAI 2, 3) above the CMS MUE value.',
    async evaluate(claim: NormalizedClaim, facts: ClaimFacts): Promise<Flag[]> {
      const setting = ncciSetting(claim);
      const table = setting ? facts.tables.mue[setting] : undefined;
      if (!table || table.size === 0) return [];
      const flags: Flag[] = [];
      // Date-of-service edits: this claim's lines grouped by (date, code).
      const dos = new Map<IsoDate, Map<string, { edit: MueEdit; lines: ClaimLine[] }>>();
      for (const line of claim.lines) {
        const edit = table.get(line.code);
        if (!edit) continue;
        if (edit.mai === 1) {
          if (line.quantity > edit.value) {
            flags.push({
              rule: MUE_RULE_ID,
              severity: 'medium',
              score: score(0.5),
              explanation: `Line ${line.sequence} bills ${plural(line.quantity, 'unit')} of ${line.code} on ${line.serviceDate}, over the MUE of ${edit.value} per line (MAI 1, ${MAI_TEXT[1]}; rationale: ${edit.rationale || 'not given'}).`,
              evidence: {
                lines: [line.sequence],
                dates: [line.serviceDate],
                codes: [line.code],
                tableRows: [row(edit)],
                details: { units: line.quantity, mueValue: edit.value, mai: 1 },
              },
            });
          }
          continue;
        }
        let byCode = dos.get(line.serviceDate);
        if (!byCode) dos.set(line.serviceDate, (byCode = new Map()));
        const g = byCode.get(line.code);
        if (g) g.lines.push(line);
        else byCode.set(line.code, { edit, lines: [line] });
      }
      if (dos.size === 0) return flags;

      const dates = [...dos.keys()];
      const sameDay = await Promise.all(dates.map((d) => facts.priorClaims(claim.patient.key, claim.provider.key, { from: d, to: d })));
      dates.forEach((date, i) => {
        const others = sameDay[i]!.filter((c) => c.id !== claim.id);
        for (const [code, { edit, lines }] of dos.get(date)!) {
          let units = 0;
          for (const l of lines) units += l.quantity;
          const parts = lines.map((l) => `line ${l.sequence}: ${l.quantity}`);
          const otherClaims: string[] = [];
          for (const c of others) {
            let u = 0;
            for (const l of c.lines) if (l.code === code && l.serviceDate === date) u += l.quantity;
            if (u > 0) {
              units += u;
              parts.push(`claim ${c.id}: ${u}`);
              otherClaims.push(c.id);
            }
          }
          if (units <= edit.value) continue;
          const policy = edit.mai === 2;
          flags.push({
            rule: MUE_RULE_ID,
            severity: policy ? 'high' : 'medium',
            score: score(policy ? 0.9 : 0.6),
            explanation: `${plural(units, 'unit')} of ${code} on ${date} for this member (${parts.join('; ')}) exceed the MUE of ${edit.value} per date of service (MAI ${edit.mai}, ${MAI_TEXT[edit.mai]}; rationale: ${edit.rationale || 'not given'}).`,
            evidence: {
              lines: lines.map((l) => l.sequence),
              dates: [date],
              codes: [code],
              ...(otherClaims.length && { claims: otherClaims }),
              tableRows: [row(edit)],
              details: { units, mueValue: edit.value, mai: edit.mai, breakdown: parts },
            },
          });
        }
      });
      return flags;
    },
  };
}
