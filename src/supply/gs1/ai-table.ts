/**
 * The GS1 Application Identifiers this module understands, after the table of GS1 General Specifications
 * (release 24.0) §3.2 "GS1 Application Identifiers in numerical order", and the table of AIs with a
 * predefined length (§7.8.5, Figure 7.8.5-2), which are the only ones that need no FNC1 separator after them.
 *
 * It covers the identification and traceability AIs of a drug/device supply chain: keys (00, 01, 02, 253,
 * 255, 402, 410–417, 8003, 8004, 8006, 8010, 8017, 8018), their qualifiers (10, 21, 22, 235, 254, 8011), dates
 * (11, 12, 13, 15, 16, 17, 7003), national healthcare reimbursement numbers (710–715), quantities and
 * measures (30, 31nn–36nn, 37, 390n–393n), order/shipping references (400, 401, 403, 420–422, 8020) and the
 * company-internal AIs 90–99. An AI outside this table is refused as unknown (rather than guessed at):
 * add it here when a customer's labels need it.
 */
import type { Charset } from './charsets.ts';

export interface AiDefinition {
  /** The AI, 2 to 4 digits. */
  readonly ai: string;
  /** GS1's data title (General Specifications §3.2). */
  readonly title: string;
  /** Character set of the value. */
  readonly charset: Charset;
  /** Length of the value: min..max characters (equal for fixed-length AIs). */
  readonly min: number;
  readonly max: number;
  /**
   * True when the AI is in the predefined-length table (§7.8.5): its value has exactly `max` characters and
   * is never followed by FNC1. Every other AI ends at FNC1 (GS, U+001D) or at the end of the data.
   */
  readonly predefined: boolean;
  /** The value starts with this many digits forming a GS1 key whose last digit is a mod-10 check digit. */
  readonly checkDigitOver?: number;
  /** A leading numeric part of this many digits (for composite formats such as N13+X..17, N3+X..9). */
  readonly numericPrefix?: number;
  /** The value is a date YYMMDD (DD may be 00) or a date-time YYMMDDHHMM. */
  readonly date?: 'YYMMDD' | 'YYMMDDHHMM';
}

function def(
  ai: string,
  title: string,
  charset: Charset,
  min: number,
  max: number,
  extra: Partial<Pick<AiDefinition, 'checkDigitOver' | 'numericPrefix' | 'date'>> = {},
): AiDefinition {
  return { ai, title, charset, min, max, predefined: isPredefinedLength(ai), ...extra };
}

/** §7.8.5 Figure 7.8.5-2: AIs starting with these two digits have a predefined length (no FNC1 after them). */
const PREDEFINED_PREFIXES = new Set(['00', '01', '02', '03', '04', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20', '31', '32', '33', '34', '35', '36', '41']);
function isPredefinedLength(ai: string): boolean {
  return PREDEFINED_PREFIXES.has(ai.slice(0, 2));
}

const list: AiDefinition[] = [
  def('00', 'SSCC', 'N', 18, 18, { checkDigitOver: 18 }),
  def('01', 'GTIN', 'N', 14, 14, { checkDigitOver: 14 }),
  def('02', 'CONTENT', 'N', 14, 14, { checkDigitOver: 14 }),
  def('10', 'BATCH/LOT', 'X', 1, 20),
  def('11', 'PROD DATE', 'N', 6, 6, { date: 'YYMMDD' }),
  def('12', 'DUE DATE', 'N', 6, 6, { date: 'YYMMDD' }),
  def('13', 'PACK DATE', 'N', 6, 6, { date: 'YYMMDD' }),
  def('15', 'BEST BEFORE or BEST BY', 'N', 6, 6, { date: 'YYMMDD' }),
  def('16', 'SELL BY', 'N', 6, 6, { date: 'YYMMDD' }),
  def('17', 'USE BY or EXPIRY', 'N', 6, 6, { date: 'YYMMDD' }),
  def('20', 'VARIANT', 'N', 2, 2),
  def('21', 'SERIAL', 'X', 1, 20),
  def('22', 'CPV', 'X', 1, 20),
  def('235', 'TPX', 'X', 1, 28),
  def('240', 'ADDITIONAL ID', 'X', 1, 30),
  def('241', 'CUST. PART No.', 'X', 1, 30),
  def('242', 'MTO VARIANT', 'N', 1, 6),
  def('243', 'PCN', 'X', 1, 20),
  def('250', 'SECONDARY SERIAL', 'X', 1, 30),
  def('251', 'REF. TO SOURCE', 'X', 1, 30),
  def('253', 'GDTI', 'X', 13, 30, { numericPrefix: 13, checkDigitOver: 13 }),
  def('254', 'GLN EXTENSION COMPONENT', 'X', 1, 20),
  def('255', 'GCN', 'N', 13, 25, { checkDigitOver: 13 }),
  def('30', 'VAR. COUNT', 'N', 1, 8),
  def('37', 'COUNT', 'N', 1, 8),
  def('400', 'ORDER NUMBER', 'X', 1, 30),
  def('401', 'GINC', 'X', 1, 30),
  def('402', 'GSIN', 'N', 17, 17, { checkDigitOver: 17 }),
  def('403', 'ROUTE', 'X', 1, 30),
  def('410', 'SHIP TO LOC', 'N', 13, 13, { checkDigitOver: 13 }),
  def('411', 'BILL TO', 'N', 13, 13, { checkDigitOver: 13 }),
  def('412', 'PURCHASE FROM', 'N', 13, 13, { checkDigitOver: 13 }),
  def('413', 'SHIP FOR LOC', 'N', 13, 13, { checkDigitOver: 13 }),
  def('414', 'LOC No.', 'N', 13, 13, { checkDigitOver: 13 }),
  def('415', 'PAY TO', 'N', 13, 13, { checkDigitOver: 13 }),
  def('416', 'PROD/SERV LOC', 'N', 13, 13, { checkDigitOver: 13 }),
  def('417', 'PARTY', 'N', 13, 13, { checkDigitOver: 13 }),
  def('420', 'SHIP TO POST', 'X', 1, 20),
  def('421', 'SHIP TO POST', 'X', 4, 12, { numericPrefix: 3 }),
  def('422', 'ORIGIN', 'N', 3, 3),
  def('7003', 'EXPIRY TIME', 'N', 10, 10, { date: 'YYMMDDHHMM' }),
  def('710', 'NHRN PZN', 'X', 1, 20),
  def('711', 'NHRN CIP', 'X', 1, 20),
  def('712', 'NHRN CN', 'X', 1, 20),
  def('713', 'NHRN DRN', 'X', 1, 20),
  def('714', 'NHRN AIM', 'X', 1, 20),
  def('715', 'NHRN NDC', 'X', 1, 20),
  def('8003', 'GRAI', 'X', 14, 30, { numericPrefix: 14, checkDigitOver: 14 }),
  def('8004', 'GIAI', 'X', 1, 30),
  def('8006', 'ITIP', 'N', 18, 18, { checkDigitOver: 14 }),
  def('8010', 'CPID', 'Y', 1, 30),
  def('8011', 'CPID SERIAL', 'N', 1, 12),
  def('8017', 'GSRN - PROVIDER', 'N', 18, 18, { checkDigitOver: 18 }),
  def('8018', 'GSRN - RECIPIENT', 'N', 18, 18, { checkDigitOver: 18 }),
  def('8020', 'REF No.', 'X', 1, 25),
  def('90', 'INTERNAL', 'X', 1, 30),
];
for (let n = 91; n <= 99; n++) list.push(def(String(n), 'INTERNAL', 'X', 1, 90));
// Trade measures with an implied decimal point (31nn–36nn: the 4th digit is the number of decimals, 0–5).
for (const p of ['310', '311', '312', '313', '314', '315', '316', '320', '321', '322', '323', '324', '325', '326', '327', '328', '329', '330', '331', '332', '333', '334', '335', '336', '337', '340', '341', '342', '343', '344', '345', '346', '347', '348', '349', '350', '351', '352', '353', '354', '355', '356', '357', '360', '361', '362', '363', '364', '365', '366', '367', '368', '369']) {
  for (let d = 0; d <= 5; d++) list.push(def(p + d, 'MEASURE', 'N', 6, 6));
}
for (let d = 0; d <= 9; d++) {
  list.push(def(`390${d}`, 'AMOUNT', 'N', 1, 15));
  list.push(def(`391${d}`, 'AMOUNT', 'N', 4, 18, { numericPrefix: 3 }));
  list.push(def(`392${d}`, 'PRICE', 'N', 1, 15));
  list.push(def(`393${d}`, 'PRICE', 'N', 4, 18, { numericPrefix: 3 }));
}

/** AI → definition. GS1 AIs are prefix-free, so at most one of the 2-, 3- and 4-digit prefixes of a string is an AI. */
export const AI_TABLE: ReadonlyMap<string, AiDefinition> = new Map(list.map((d) => [d.ai, d]));

/** The definition of `ai`, or undefined when this module does not know it. */
export function aiDefinition(ai: string): AiDefinition | undefined {
  return AI_TABLE.get(ai);
}

/** The AI that starts `s` at `pos` (2, 3 or 4 digits), or undefined. */
export function aiAt(s: string, pos: number): AiDefinition | undefined {
  return AI_TABLE.get(s.substr(pos, 2)) ?? AI_TABLE.get(s.substr(pos, 3)) ?? AI_TABLE.get(s.substr(pos, 4));
}
