/**
 * Keyed tokens (HMAC-SHA256 under a key derived from the organization's index secret) for values
 * the node must find by equality but must not store in the clear: patient links, codes, identifiers.
 * The same value always gives the same token at one organization and an unrelated one elsewhere, so
 * a database alone reveals neither who a record is about nor a diagnosis, and nothing links
 * organizations.
 */
import { createHmac } from 'node:crypto';

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
}
