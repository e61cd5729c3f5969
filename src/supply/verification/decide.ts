/**
 * The verification decision, pure: from what the responder knows about a product identifier (its own
 * serial data and the indexed ledger) to one answer, every finding behind it, and the GS1 Lightweight
 * Messaging Standard (LMS) response fields.
 *
 * LMS (GS1 Lightweight Messaging Standard for Verification of Product Identifiers, release 1.x; the
 * DSCSA implementation guideline 1.3 for the codes): `verified` says whether the identifier is one the
 * responder commissioned and the product may be redistributed; `verificationFailureReason` is one of
 * No_match_GTIN_Serial, No_match_GTIN_Serial_Lot, No_match_GTIN_Serial_Expiry,
 * No_match_GTIN_Serial_Lot_Expiry, Manufacturer_policy, Not_for_re-distribution, No_reason_provided;
 * `additionalInfo` one of Expired, Recalled, Suspect, Illegitimate. Carechain's own answer (and its
 * evidence) travel beside them, since the LMS codes are coarser than the answers a ledger can give
 * (stolen, already dispensed, broken custody, aggregation mismatch).
 *
 * The LMS leaves the verified flag for recalled or expired product to "manufacturer policy"; Carechain's
 * policy is that anything that must not be redistributed is `verified: false`.
 */
import type { Hex } from 'viem';
import type { StatusFinding } from '../ledger/custody.ts';

export const ANSWERS = [
  'verified',
  'unknown-serial',
  'mismatch',
  'illegitimate',
  'stolen',
  'destroyed',
  'dispensed',
  'recalled',
  'suspect',
  'expired',
  'broken-custody',
  'aggregation-mismatch',
] as const;
/** Carechain's answers, most serious first: the first finding in this order is the answer. */
export type Answer = (typeof ANSWERS)[number];

export type FailureReason =
  | 'No_match_GTIN_Serial'
  | 'No_match_GTIN_Serial_Lot'
  | 'No_match_GTIN_Serial_Expiry'
  | 'No_match_GTIN_Serial_Lot_Expiry'
  | 'Manufacturer_policy'
  | 'Not_for_re-distribution'
  | 'No_reason_provided';
export type AdditionalInfo = 'Expired' | 'Recalled' | 'Suspect' | 'Illegitimate';

export interface LmsData {
  verified: boolean;
  verificationFailureReason?: FailureReason;
  additionalInfo?: AdditionalInfo;
}

export interface Finding {
  answer: Answer;
  message: string;
}

export interface VerificationFacts {
  request: {
    gtin: string;
    serial: string;
    lot?: string;
    /** ISO date YYYY-MM-DD. */
    expiry?: string;
    /** Who presented the product to the requester (must be its holder). */
    sender?: Hex;
    /** The container the product was received in: its key, or null if it names a container the responder does not know. */
    parent?: Hex | null;
  };
  /** The responder's record of the serial, if it has one. */
  known?: { lot: string; expiry: string; manufacturer: Hex };
  /** Is the serial's batch committed on the ledger? */
  onLedger: boolean;
  /** Who owns the GTIN's company prefix on the ledger (undefined if no one). */
  prefixOwner?: Hex;
  custody?: { holder: Hex | null; inTransit: { from: Hex; to: Hex } | null; sealedIn: Hex | null; state: 'active' | 'unpacked' | 'dispensed' };
  statuses: StatusFinding[];
  /** Today, YYYY-MM-DD (UTC). */
  today: string;
}

export interface Decision {
  answer: Answer;
  findings: Finding[];
  lms: LmsData;
}

const short = (h: Hex | null | undefined) => (h ? `${h.slice(0, 10)}…` : 'nobody');

/** Decides a verification from its facts. */
export function decide(f: VerificationFacts): Decision {
  const findings: Finding[] = [];
  const add = (answer: Answer, message: string) => findings.push({ answer, message });
  const k = f.known;
  if (!k) {
    add('unknown-serial', `no product with GTIN ${f.request.gtin} and serial ${f.request.serial} was commissioned`);
  } else if (!f.onLedger) {
    add('unknown-serial', `serial ${f.request.serial} is in the manufacturer's data but its commissioning is not on the ledger`);
  } else {
    const lotWrong = f.request.lot !== undefined && f.request.lot !== k.lot;
    const expiryWrong = f.request.expiry !== undefined && f.request.expiry !== k.expiry;
    if (lotWrong) add('mismatch', `lot ${f.request.lot} does not match the commissioned lot ${k.lot}`);
    if (expiryWrong) add('mismatch', `expiry ${f.request.expiry} does not match the commissioned expiry ${k.expiry}`);
    if (f.prefixOwner && f.prefixOwner !== k.manufacturer) add('illegitimate', `the GTIN's company prefix belongs to ${short(f.prefixOwner)}, not to the lot's manufacturer ${short(k.manufacturer)}`);
    for (const s of f.statuses) {
      const where = s.source === 'unit' ? 'the product' : s.source === 'lot' ? 'its lot' : 'the container it is sealed in';
      add(s.status === 'recalled' ? 'recalled' : s.status, `${where} is marked ${s.status} on the ledger by ${short(s.by)}`);
    }
    const c = f.custody;
    if (c?.state === 'dispensed') add('dispensed', 'the product was already dispensed (decommissioned on the ledger)');
    if (k.expiry < f.today) add('expired', `the product expired on ${k.expiry}`);
    if (f.request.sender && c && c.state !== 'dispensed') {
      const holder = c.inTransit ? c.inTransit.from : c.holder;
      if (holder !== f.request.sender) add('broken-custody', `the sender ${short(f.request.sender)} does not hold the product on the ledger: ${short(holder)} does${c.inTransit ? ' (in transit)' : ''}`);
    }
    if (f.request.parent !== undefined && c) {
      if (f.request.parent === null) add('aggregation-mismatch', 'the container it came in is not known to the responder');
      else if (c.sealedIn !== f.request.parent) add('aggregation-mismatch', c.sealedIn ? `the product is sealed in another container (${short(c.sealedIn)})` : 'the product is not sealed in the container it came in');
    }
  }
  findings.sort((a, b) => ANSWERS.indexOf(a.answer) - ANSWERS.indexOf(b.answer));
  const answer = findings[0]?.answer ?? 'verified';
  return { answer, findings, lms: lmsOf(answer, findings) };
}

/** The LMS fields of an answer. */
export function lmsOf(answer: Answer, findings: readonly Finding[] = []): LmsData {
  switch (answer) {
    case 'verified':
      return { verified: true };
    case 'unknown-serial':
      return { verified: false, verificationFailureReason: 'No_match_GTIN_Serial' };
    case 'mismatch': {
      const lot = findings.some((f) => f.answer === 'mismatch' && f.message.startsWith('lot '));
      const expiry = findings.some((f) => f.answer === 'mismatch' && f.message.startsWith('expiry '));
      return { verified: false, verificationFailureReason: lot && expiry ? 'No_match_GTIN_Serial_Lot_Expiry' : lot ? 'No_match_GTIN_Serial_Lot' : 'No_match_GTIN_Serial_Expiry' };
    }
    case 'recalled':
      return { verified: false, verificationFailureReason: 'Manufacturer_policy', additionalInfo: 'Recalled' };
    case 'expired':
      return { verified: false, verificationFailureReason: 'Manufacturer_policy', additionalInfo: 'Expired' };
    case 'illegitimate':
    case 'destroyed':
      return { verified: false, verificationFailureReason: 'Not_for_re-distribution', additionalInfo: 'Illegitimate' };
    case 'stolen':
    case 'suspect':
    case 'broken-custody':
      return { verified: false, verificationFailureReason: 'Not_for_re-distribution', additionalInfo: 'Suspect' };
    case 'dispensed':
      return { verified: false, verificationFailureReason: 'Not_for_re-distribution' };
    case 'aggregation-mismatch':
      return { verified: false, verificationFailureReason: 'No_reason_provided', additionalInfo: 'Suspect' };
  }
}
