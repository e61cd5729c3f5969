import { keccak256, stringToHex, type Hex } from 'viem';

export const CREDENTIAL_TYPES = ['medical-licence', 'board-certification', 'dea-registration', 'npi'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

/** On-chain ids of credential types and jurisdictions (e.g. "US-CA"): hashes any node can recompute. */
export const credentialTypeId = (t: CredentialType): Hex => keccak256(stringToHex(`carechain:credential-type:${t}`));
export const jurisdictionId = (j: string): Hex => keccak256(stringToHex(`carechain:jurisdiction:${j}`));

/**
 * NPI check digit: Luhn over the 9 leading digits with the "80840" health-industry prefix
 * (CMS, "Requirements for NPI check digit"), which adds a constant 24 to the Luhn sum.
 */
export function isValidNpi(npi: string): boolean {
  if (!/^\d{10}$/.test(npi)) return false;
  let sum = 24;
  for (let i = 0; i < 9; i++) {
    let d = Number(npi[8 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10 === Number(npi[9]);
}
