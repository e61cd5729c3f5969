/**
 * Keyed tokens (HMAC-SHA256 under a key derived from the organization's index secret) for values
 * the node must find by equality but must not store in the clear: patient links, codes, identifiers.
 * The same value always gives the same token at one organization and an unrelated one elsewhere, so
 * a database alone reveals neither who a record is about nor a diagnosis, and nothing links
 * organizations.
 */
import { createHmac } from 'node:crypto';

/** Bytes kept of a search-index token: 128 bits, collision-free in practice for equality lookups. */
export const SEARCH_TOKEN_BYTES = 16;

export class BlindIndex {
  private readonly key: Buffer;

  constructor(indexSecret: Buffer) {
    this.key = createHmac('sha256', indexSecret).update('carechain/index-token/v1').digest();
  }

  /** Token of `value` in the namespace `kind` (e.g. `code`, `patient`). */
  token(kind: string, value: string): string {
    return createHmac('sha256', this.key).update(`${kind}\u0000${value}`).digest('base64url');
  }

  patientToken(patientId: string): string {
    return this.token('patient', patientId);
  }

  /**
   * Search-index token of `value` in `namespace` (`Observation.code`) under `kind` (`sc`, `pf`, …):
   * the first 16 bytes of the HMAC, stored as a BLOB (half the size of the base64 form).
   */
  searchToken(namespace: string, kind: string, value: string): Buffer {
    return createHmac('sha256', this.key).update(`search\u0000${namespace}\u0000${kind}\u0000${value}`).digest().subarray(0, SEARCH_TOKEN_BYTES);
  }

  /** A 256-bit key for another purpose (`label`), derived from the same secret: sort-key encryption. */
  subkey(label: string): Buffer {
    return createHmac('sha256', this.key).update(`carechain/subkey/${label}`).digest();
  }
}
