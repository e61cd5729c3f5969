/**
 * Services billed separately during an inpatient stay. While a patient is admitted, the hospital's
 * inpatient claim covers the facility's services (and, under Medicare, outpatient services of the
 * same hospital in the payment window are bundled into it); a physician's own professional services
 * are billed separately at an inpatient place of service. Flagged, for dates strictly between
 * admission and discharge (the admission and discharge days can legitimately have outpatient
 * services):
 *
 * - institutional claims other than the stay's own claim: facility services that belong on the
 *   inpatient claim;
 * - professional lines whose place of service is not an inpatient one (CMS POS 21 inpatient
 *   hospital, 51 inpatient psychiatric facility, 61 comprehensive inpatient rehabilitation): the
 *   patient cannot have been at the office, home or outpatient department that day.
 *
 * Professional lines without a place of service are not flagged.
 */
import { listText, score } from './claim-helpers.ts';
import type { ClaimFacts, ClaimLine, Flag, InpatientStay, NormalizedClaim, Rule } from './types.ts';

export const INPATIENT_RULE_ID = 'billed-during-inpatient-stay';

export const INPATIENT_PLACES_OF_SERVICE: ReadonlySet<string> = new Set(['21', '51', '61']);

const inside = (stay: InpatientStay, line: ClaimLine) => stay.admit < line.serviceDate && (stay.discharge === null || line.serviceDate < stay.discharge);

export function inpatientOverlapRule(): Rule {
  return {
    id: INPATIENT_RULE_ID,
    title: 'Billed separately during an inpatient stay',
    description: 'Flags facility claims, and professional lines at a non-inpatient place of service, dated inside an inpatient stay of the patient.',
    async evaluate(claim: NormalizedClaim, facts: ClaimFacts): Promise<Flag[]> {
      const institutional = claim.type === 'institutional';
      if (!institutional && claim.type !== undefined && claim.type !== 'professional') return [];
      const candidates = institutional
        ? claim.lines
        : claim.lines.filter((l) => l.placeOfService !== undefined && !INPATIENT_PLACES_OF_SERVICE.has(l.placeOfService));
      if (candidates.length === 0) return [];
      const stays = await facts.inpatientStays(claim.patient.key, claim.serviceRange);
      const flags: Flag[] = [];
      for (const stay of stays) {
        if (stay.claimId === claim.id) continue;
        const lines = candidates.filter((l) => inside(stay, l));
        if (lines.length === 0) continue;
        const period = `admitted ${stay.admit}, ${stay.discharge ? `discharged ${stay.discharge}` : 'not yet discharged'}`;
        const lineText = `${lines.length === 1 ? 'Line' : 'Lines'} ${listText(lines.map((l) => `${l.sequence} (${l.code} on ${l.serviceDate}${institutional ? '' : `, place of service ${l.placeOfService}`})`))}`;
        flags.push({
          rule: INPATIENT_RULE_ID,
          severity: 'medium',
          score: score(0.6),
          explanation: institutional
            ? `${lineText} of this facility claim fall${lines.length === 1 ? 's' : ''} inside inpatient stay ${stay.id} at ${stay.facility} (${period}); facility services during a stay belong on the inpatient claim.`
            : `${lineText} ${lines.length === 1 ? 'is' : 'are'} billed outside an inpatient setting while the patient was admitted (stay ${stay.id} at ${stay.facility}, ${period}).`,
          evidence: {
            lines: lines.map((l) => l.sequence),
            dates: [stay.admit, ...(stay.discharge ? [stay.discharge] : []), ...new Set(lines.map((l) => l.serviceDate))],
            codes: [...new Set(lines.map((l) => l.code))],
            ...(stay.claimId && { claims: [stay.claimId] }),
            proofs: [{ kind: 'inpatient-stay', ref: stay.id }],
            details: {
              stay: stay.id,
              facility: stay.facility,
              admit: stay.admit,
              discharge: stay.discharge,
              claimType: institutional ? 'institutional' : 'professional',
            },
          },
        });
      }
      return flags;
    },
  };
}
