/**
 * The eighteen identifier classes of the HIPAA Privacy Rule's Safe Harbor de-identification method,
 * 45 CFR §164.514(b)(2)(i)(A)–(R), each with the key this module reports it under.
 *
 * The identifiers are those "of the individual or of relatives, employers, or household members of
 * the individual". This module also removes them for providers and organizations (their names,
 * addresses and telephone numbers reveal where a patient lives); see README.md.
 */

export const SAFE_HARBOR_CLASSES = [
  { key: 'names', cfr: '(A)', label: 'Names' },
  { key: 'geographic', cfr: '(B)', label: 'Geographic subdivisions smaller than a state, incl. ZIP codes (first 3 digits kept unless the ZIP3 has ≤ 20,000 people)' },
  { key: 'dates', cfr: '(C)', label: 'All elements of dates (except year) directly related to an individual; ages over 89' },
  { key: 'telephone', cfr: '(D)', label: 'Telephone numbers' },
  { key: 'fax', cfr: '(E)', label: 'Fax numbers' },
  { key: 'email', cfr: '(F)', label: 'Electronic mail addresses' },
  { key: 'ssn', cfr: '(G)', label: 'Social security numbers' },
  { key: 'mrn', cfr: '(H)', label: 'Medical record numbers' },
  { key: 'health-plan', cfr: '(I)', label: 'Health plan beneficiary numbers' },
  { key: 'account', cfr: '(J)', label: 'Account numbers' },
  { key: 'licence', cfr: '(K)', label: 'Certificate/license numbers' },
  { key: 'vehicle', cfr: '(L)', label: 'Vehicle identifiers and serial numbers, incl. license plates' },
  { key: 'device', cfr: '(M)', label: 'Device identifiers and serial numbers' },
  { key: 'url', cfr: '(N)', label: 'Web Universal Resource Locators (URLs)' },
  { key: 'ip', cfr: '(O)', label: 'Internet Protocol (IP) address numbers' },
  { key: 'biometric', cfr: '(P)', label: 'Biometric identifiers, incl. finger and voice prints' },
  { key: 'photo', cfr: '(Q)', label: 'Full face photographic images and any comparable images' },
  { key: 'other-id', cfr: '(R)', label: 'Any other unique identifying number, characteristic, or code' },
] as const;

/** One of the eighteen classes, by its report key. */
export type SafeHarborClass = (typeof SAFE_HARBOR_CLASSES)[number]['key'];

/** What happened to the values of one class: dropped, made coarser (year, ZIP3, 90+), or replaced by a pseudonym. */
export interface ClassTally {
  removed: number;
  generalised: number;
  pseudonymised: number;
}

export const emptyTallies = (): Record<SafeHarborClass, ClassTally> =>
  Object.fromEntries(SAFE_HARBOR_CLASSES.map((c) => [c.key, { removed: 0, generalised: 0, pseudonymised: 0 }])) as Record<
    SafeHarborClass,
    ClassTally
  >;
