/** Small helpers the rules share: which CMS table setting a claim falls under, lines grouped by date. */
import type { MueSetting, PtpSetting, TableSource } from '../tables/types.ts';
import type { ClaimLine, IsoDate, NormalizedClaim, TableRowRef } from './types.ts';

/** Type-of-bill prefixes of inpatient institutional claims (11x hospital inpatient, 12x inpatient Part B, 18x swing bed, 21x SNF inpatient). */
const INPATIENT_BILL_TYPES = ['11', '12', '18', '21'];

/** True for an institutional claim whose type of bill (subType) marks an inpatient stay. */
export function isInpatientClaim(claim: NormalizedClaim): boolean {
  if (claim.type !== 'institutional' || !claim.subType) return false;
  const tob = claim.subType.replace(/^0/, '');
  return INPATIENT_BILL_TYPES.some((p) => tob.startsWith(p));
}

/**
 * The NCCI setting whose tables apply: practitioner tables for professional claims (and claims of no
 * stated type), outpatient hospital tables for non-inpatient institutional claims. Inpatient,
 * pharmacy, oral and vision claims are outside NCCI (null).
 */
export function ncciSetting(claim: NormalizedClaim): (PtpSetting & MueSetting) | null {
  switch (claim.type) {
    case undefined:
    case 'professional':
      return 'practitioner';
    case 'institutional':
      return isInpatientClaim(claim) ? null : 'outpatient-hospital';
    default:
      return null;
  }
}

/** True if the line's code is HCPCS Level I (CPT) or Level II. */
export const isHcpcs = (line: ClaimLine): boolean => line.codeKind === 'cpt' || line.codeKind === 'hcpcs';

/** The claim's lines grouped by first date of service, dates in first-seen order. */
export function linesByDate(claim: NormalizedClaim): Map<IsoDate, ClaimLine[]> {
  const out = new Map<IsoDate, ClaimLine[]>();
  for (const l of claim.lines) {
    const list = out.get(l.serviceDate);
    if (list) list.push(l);
    else out.set(l.serviceDate, [l]);
  }
  return out;
}

/** A table row cited as evidence. */
export function tableRow(table: string, src: { source: TableSource; line: number }, row: TableRowRef['row']): TableRowRef {
  return {
    table,
    source: src.source.version ? `${src.source.name} (${src.source.version})` : src.source.name,
    line: src.line,
    ...(src.source.synthetic && { synthetic: true }),
    row,
  };
}

/** `a, b and c`. */
export function listText(items: readonly (string | number)[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** `1 unit` / `3 units`. */
export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

/** Clamps a score into 0..1 and rounds it to 3 decimals, so flags compare and print cleanly. */
export const score = (x: number): number => Math.round(Math.min(1, Math.max(0, x)) * 1000) / 1000;
