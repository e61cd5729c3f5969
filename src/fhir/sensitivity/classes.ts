/**
 * The sensitive classes a consent grant must name before a resource of that class is released.
 *
 * - `restricted`: the author marked the resource Confidentiality V (very restricted), or R without
 *   any sensitivity label or code that explains it (HL7 v3 Confidentiality, see `security-labels.ts`).
 * - `hiv`: HIV/AIDS and other sexually transmitted infections (HL7 ActCode HIV, STD).
 * - `substance-use`: alcohol and drug use disorders, 42 CFR Part 2 (ETH, SUD, ETHUD, OPIOIDUD).
 * - `mental-health`: psychiatric and behavioural health (PSY, MH, BH, PSYTHPN, …).
 * - `reproductive`: sexuality and reproductive health, sexual assault, abuse and domestic violence (SEX, SDV).
 * - `genetics`: genetic testing and hereditary disease (GDIS, SCA).
 *
 * The names are the ones `src/consent/scope.ts` already hashes into grants (plus `genetics`), so
 * existing scope hashes keep their meaning. Classes are carried as a 6-bit mask inside the
 * classifier; `classesOfMask` turns a mask into a shared, frozen, ordered array without allocating.
 */
export const SENSITIVE_CLASSES = ['restricted', 'hiv', 'substance-use', 'mental-health', 'reproductive', 'genetics'] as const;
export type SensitiveClass = (typeof SENSITIVE_CLASSES)[number];

/** Bit of each class in a class mask. */
export const CLASS_BIT: Readonly<Record<SensitiveClass, number>> = Object.freeze({
  restricted: 1 << 0,
  hiv: 1 << 1,
  'substance-use': 1 << 2,
  'mental-health': 1 << 3,
  reproductive: 1 << 4,
  genetics: 1 << 5,
});

/** All classes except `restricted`: the ones that codes can put a resource in. */
export const CODE_CLASSES_MASK = CLASS_BIT.hiv | CLASS_BIT['substance-use'] | CLASS_BIT['mental-health'] | CLASS_BIT.reproductive | CLASS_BIT.genetics;

const BY_MASK: readonly (readonly SensitiveClass[])[] = Array.from({ length: 1 << SENSITIVE_CLASSES.length }, (_, mask) =>
  Object.freeze(SENSITIVE_CLASSES.filter((c) => (mask & CLASS_BIT[c]) !== 0)),
);

/** The classes of a mask, in `SENSITIVE_CLASSES` order (a shared frozen array: do not mutate). */
export function classesOfMask(mask: number): readonly SensitiveClass[] {
  return BY_MASK[mask & ((1 << SENSITIVE_CLASSES.length) - 1)]!;
}

/** The mask of a list of classes. */
export function maskOfClasses(classes: Iterable<SensitiveClass>): number {
  let mask = 0;
  for (const c of classes) mask |= CLASS_BIT[c];
  return mask;
}

export function isSensitiveClass(value: string): value is SensitiveClass {
  return (SENSITIVE_CLASSES as readonly string[]).includes(value);
}
