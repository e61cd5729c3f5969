/**
 * What a grant commits to on the ledger, and nothing more: a salted commitment to the grantee and a
 * salted commitment to the scope document. The 32-byte salt is chosen by the patient for each grant
 * and known only to the patient, the custodian and the grantee, so an observer can neither enumerate
 * scopes nor tell who the grantee is, and two grants to the same grantee look unrelated.
 */
import { randomBytes } from 'node:crypto';
import { bytesToHex, encodeAbiParameters, keccak256, stringToHex, type Hex } from 'viem';
import { canonicalJson } from '../shared/canonical-json.ts';
import type { Scope } from './scope.ts';

const GRANTEE_TAG = keccak256(stringToHex('carechain:grantee:v1'));
const SCOPE_TAG = keccak256(stringToHex('carechain:scope:v1'));
const BYTES32x3 = [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes32' }] as const;

export const newSalt = (): Hex => bytesToHex(randomBytes(32));

/** keccak256 of the scope's canonical form (types, categories and classes sorted, duplicates dropped). */
export function scopeDigest(scope: Scope): Hex {
  const normalized = {
    resourceTypes: [...new Set(scope.resourceTypes)].sort(),
    ...(scope.categories?.length ? { categories: [...new Set(scope.categories)].sort() } : {}),
    ...(scope.sensitive?.length ? { sensitive: [...new Set(scope.sensitive)].sort() } : {}),
  };
  return keccak256(stringToHex(canonicalJson(normalized)));
}

/**
 * The commitments are pure functions of their inputs, recomputed by the custodian on every decision
 * (two keccak256 in JavaScript, ~80 µs). A bounded memo keyed by the exact inputs keeps a decision
 * near a map lookup; it holds only values that are public on the ledger anyway, keyed by salts the
 * node already holds.
 */
const MEMO_LIMIT = 10_000;
function memo<A extends unknown[]>(key: (...a: A) => string, fn: (...a: A) => Hex): (...a: A) => Hex {
  const cache = new Map<string, Hex>();
  return (...a: A) => {
    const k = key(...a);
    let v = cache.get(k);
    if (v === undefined) {
      v = fn(...a);
      if (cache.size >= MEMO_LIMIT) cache.clear();
      cache.set(k, v);
    }
    return v;
  };
}

export const granteeCommitment = memo(
  (salt: Hex, grantee: Hex) => `${salt.toLowerCase()}|${grantee.toLowerCase()}`,
  (salt: Hex, grantee: Hex): Hex => keccak256(encodeAbiParameters(BYTES32x3, [GRANTEE_TAG, salt, grantee])),
);

export const scopeCommitment = memo(
  (salt: Hex, scope: Scope) => `${salt.toLowerCase()}|${JSON.stringify([scope.resourceTypes, scope.categories ?? null, scope.sensitive ?? null])}`,
  (salt: Hex, scope: Scope): Hex => keccak256(encodeAbiParameters(BYTES32x3, [SCOPE_TAG, salt, scopeDigest(scope)])),
);

/** A practitioner grantee id: keccak256 of "<orgId>/<Practitioner/id>". */
export const practitionerGrantee = (orgId: Hex, practitioner: string): Hex => keccak256(stringToHex(`${orgId}/${practitioner}`));

/** What the patient discloses to the custodian and the grantee so they can open the commitments. */
export interface Disclosure {
  salt: Hex;
  grantee: { org: Hex; practitioner?: string };
  scope: Scope;
}

/** The grantee id a disclosure commits to (an organization, or one practitioner there). */
export const granteeIdOf = (g: Disclosure["grantee"]): Hex => (g.practitioner ? practitionerGrantee(g.org, g.practitioner) : g.org);

/** Do the on-chain commitments open to this disclosure? */
export function opens(onChain: { grantee: Hex; scopeHash: Hex }, d: Disclosure): { grantee: boolean; scope: boolean } {
  return {
    grantee: onChain.grantee.toLowerCase() === granteeCommitment(d.salt, granteeIdOf(d.grantee)).toLowerCase(),
    scope: onChain.scopeHash.toLowerCase() === scopeCommitment(d.salt, d.scope).toLowerCase(),
  };
}

/** The grant id the ConsentRegistry gives a grant: keccak256(abi.encode(patient, nonce)). */
export const grantIdOf = (patient: Hex, nonce: bigint): Hex => keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [patient, nonce]));
