/**
 * Normalising literal references (R4 references.html#literal, search.html#reference) so that equal
 * targets index to equal strings:
 *
 * - `Patient/123`, `Patient/123/_history/4`, `/Patient/123` → `Patient/123` (version kept apart);
 * - `https://this-node/fhir/Patient/123[/_history/4]` → `Patient/123` when the base is one of the
 *   node's own (`localBases`), else the absolute URL without `_history` (a remote resource:
 *   searching `Patient/123` must not find it);
 * - `urn:uuid:…`, `urn:oid:…` → kept (a transaction should have rewritten them; if it did not,
 *   they still match themselves);
 * - `#p1` → kept, with the type of the contained resource when known;
 * - anything else (a conditional reference `Patient?identifier=…`, a typo) → kept, type from the
 *   part before `?` if it is a resource type.
 *
 * Canonicals (`url|version`) are split at `|`.
 */
import { isResourceType } from './model.ts';

export interface NormalizedReference {
  readonly reference: string;
  readonly targetType?: string;
  readonly id?: string;
  readonly version?: string;
}

export interface ReferenceOptions {
  /** The node's own base URLs (`https://node.example/fhir`), without a trailing slash. */
  readonly localBases?: readonly string[];
}

const ID_RE = /^[A-Za-z0-9\-.]{1,64}$/;
/** `…Type/id[/_history/vid]` at the end of a path or URL. */
const TAIL_RE = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?$/;

export function normalizeReference(ref: string, options: ReferenceOptions = {}): NormalizedReference {
  if (ref.startsWith('#') || ref.startsWith('urn:')) return { reference: ref };
  const q = ref.indexOf('?');
  if (q >= 0) {
    const type = ref.slice(0, q);
    return isResourceType(type) ? { reference: ref, targetType: type } : { reference: ref };
  }
  const m = TAIL_RE.exec(ref);
  if (!m || !isResourceType(m[1]!)) return { reference: ref };
  const type = m[1]!;
  const id = m[2]!;
  const version = m[3];
  const head = ref.slice(0, m.index);
  const isAbsolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(ref);
  const local = !isAbsolute || (options.localBases ?? []).some((b) => head === b || head === b.replace(/\/+$/, ''));
  if (!isAbsolute && head !== '' && head !== '/' && !head.startsWith('/') && head.includes(':')) return { reference: ref };
  const reference = local ? `${type}/${id}` : `${head}/${type}/${id}`;
  return version === undefined ? { reference, targetType: type, id } : { reference, targetType: type, id, version };
}

/** `url|version` → its parts (R4 references.html#canonical). */
export function splitCanonical(value: string): { url: string; version?: string } {
  const bar = value.indexOf('|');
  return bar < 0 ? { url: value } : { url: value.slice(0, bar), version: value.slice(bar + 1) };
}

/** Whether `id` is a valid FHIR logical id. */
export function isValidId(id: string): boolean {
  return ID_RE.test(id);
}
