/**
 * FHIR PATCH with JSON Patch (R4 http.html#patch, RFC 6902), by fast-json-patch: the operations are
 * validated (each `op`, `path`, `value`; a failing `test` aborts), applied to a copy, never to the
 * stored resource; prototype-polluting paths are refused.
 */
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { Resource } from '../fhir/types.ts';
import { DomainError, invalid } from '../shared/errors.ts';

const { applyPatch, deepClone, JsonPatchError } = fastJsonPatch;

/** `resource` with `operations` applied; `invalid` for a malformed patch, `unprocessable` for a failed `test`. */
export function applyJsonPatch(resource: Resource, operations: unknown): Resource {
  if (!Array.isArray(operations)) throw invalid('a JSON Patch body is an array of operations (RFC 6902)');
  try {
    return applyPatch(deepClone(resource) as Resource, operations as Operation[], true, true, true).newDocument;
  } catch (err) {
    if (err instanceof JsonPatchError) {
      const index = (err as { index?: number }).index;
      const where = index === undefined ? '' : ` (operation ${index})`;
      if (err.name === 'TEST_OPERATION_FAILED') throw new DomainError('unprocessable', `JSON Patch test failed${where}: the resource does not have the expected value`, { code: 'business-rule' });
      throw invalid(`invalid JSON Patch${where}: ${err.message.split('\n')[0]}`);
    }
    throw invalid(`invalid JSON Patch: ${(err as Error).message.split('\n')[0]}`);
  }
}
