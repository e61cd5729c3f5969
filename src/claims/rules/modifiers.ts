/**
 * Modifier sets the rules consult.
 *
 * NCCI PTP-associated modifiers: the modifiers that may, when the clinical circumstances justify
 * them, bypass a PTP edit whose modifier indicator is 1 (NCCI Policy Manual for Medicare Services,
 * Chapter I, Section E "Modifiers and Modifier Indicators"): anatomic E1–E4, FA, F1–F9, TA, T1–T9,
 * LT, RT, LC, LD, RC, LM, RI; global surgery 24, 25, 57, 58, 78, 79; other 27, 59, 91, XE, XS, XP, XU.
 */
const range = (prefix: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);

export const PTP_ASSOCIATED_MODIFIERS: ReadonlySet<string> = new Set([
  ...range('E', 1, 4),
  'FA',
  ...range('F', 1, 9),
  'TA',
  ...range('T', 1, 9),
  'LT',
  'RT',
  'LC',
  'LD',
  'RC',
  'LM',
  'RI',
  '24',
  '25',
  '57',
  '58',
  '78',
  '79',
  '27',
  '59',
  '91',
  'XE',
  'XS',
  'XP',
  'XU',
]);

/** Repeat-procedure modifiers: 76 (same physician), 77 (another physician), 91 (repeat lab test). */
export const REPEAT_MODIFIERS: ReadonlySet<string> = new Set(['76', '77', '91']);

/** KX: the provider attests the requirements are met; CMS uses it for sex-specific services to patients whose recorded sex differs. */
export const KX = 'KX';

/** The first modifier of `modifiers` that is in `set`, if any. */
export function firstIn(modifiers: readonly string[], set: ReadonlySet<string>): string | undefined {
  for (const m of modifiers) if (set.has(m)) return m;
  return undefined;
}
