/**
 * Per-study pseudonyms for resource ids, references and other unique codes (45 CFR
 * §164.514(b)(2)(i)(R)). A pseudonym is HMAC-SHA256 keyed with the study's secret over the study id
 * and the value, so within a study the same value always gets the same pseudonym (references still
 * resolve, a patient's records still link), and across studies — different secrets — the pseudonyms
 * cannot be linked. Without the secret a pseudonym cannot be reversed or recomputed from a guessed
 * value (a plain hash of an id could be, by hashing candidates).
 *
 * Output keeps the shape a FHIR element expects: a UUID (RFC 9562 version 8, "custom") for ids and
 * `urn:uuid:`, and the same 128 bits as an OID under the UUID arc `2.25` (ITU-T X.667) for values
 * that look like OIDs (DICOM UIDs, `urn:oid:`). Both fit FHIR `id` (≤ 64 characters).
 */
import { createHmac } from 'node:crypto';
import { invalid } from '../../shared/errors.ts';

/** HMAC keys shorter than this are refused: 256 bits, SHA-256's output size (RFC 2104 §3). */
export const MIN_SECRET_BYTES = 32;

const OID = /^[0-2](?:\.(?:0|[1-9]\d*))+$/;
const DOMAIN = 'carechain/deid/v1';

export class Pseudonymizer {
  readonly #secret: Buffer;
  readonly #prefix: string;
  readonly #cache = new Map<string, Buffer>();

  constructor(studyId: string, studySecret: Buffer) {
    if (typeof studyId !== 'string' || studyId.trim() === '') throw invalid('studyId is required: pseudonyms are scoped to one study');
    if (!Buffer.isBuffer(studySecret) || studySecret.length < MIN_SECRET_BYTES) {
      throw invalid(`studySecret must be a Buffer of at least ${MIN_SECRET_BYTES} random bytes (got ${Buffer.isBuffer(studySecret) ? studySecret.length : typeof studySecret}); generate one with crypto.randomBytes(32) and keep it per study`);
    }
    this.#secret = Buffer.from(studySecret);
    this.#prefix = `${DOMAIN}\0${studyId}\0`;
  }

  /** The first 128 bits of HMAC-SHA256(secret, domain ‖ studyId ‖ value), with the UUID v8 version and variant bits set. */
  #bits(value: string): Buffer {
    let b = this.#cache.get(value);
    if (b === undefined) {
      b = createHmac('sha256', this.#secret).update(this.#prefix + value, 'utf8').digest().subarray(0, 16);
      b[6] = (b[6]! & 0x0f) | 0x80;
      b[8] = (b[8]! & 0x3f) | 0x80;
      this.#cache.set(value, b);
    }
    return b;
  }

  /** A UUID (lower-case, 36 characters). */
  uuid(value: string): string {
    const h = this.#bits(value).toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  /** The same pseudonym as an OID under 2.25 (without `urn:oid:`). */
  oid(value: string): string {
    return `2.25.${BigInt(`0x${this.#bits(value).toString('hex')}`).toString(10)}`;
  }

  /** An OID pseudonym for an OID-shaped value, a UUID pseudonym for anything else. */
  id(value: string): string {
    return OID.test(value) ? this.oid(value) : this.uuid(value);
  }

  /** Number of distinct values pseudonymised so far. */
  get size(): number {
    return this.#cache.size;
  }
}
