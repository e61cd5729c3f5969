/**
 * Validation of EPCIS 2.0 JSON/JSON-LD documents against GS1's own EPCIS 2.0 JSON schema (draft-07, the
 * inlined `gs1/EPCIS-JSON-Schema.json`, GS1 EPCIS repository snapshot of 2023-05-16), with Ajv.
 *
 * The schema accepts an `EPCISDocument`, an `EPCISQueryDocument` or a bare event. It is the reference: the
 * `epcis2.js` SDK refuses about half of GS1's own examples, this schema with Ajv accepts them all.
 *
 * The validator is compiled once, on first use (~150–250 ms), then cached. Ajv runs with `allErrors` (every
 * error is reported, not only the first) and `strict: false` (GS1's schema lists required properties that
 * it does not declare, which Ajv's strict mode rejects); formats `uri` and `date-time` come from ajv-formats.
 * Errors of the `if` keyword ("must match then schema") are dropped: each only repeats the errors found inside
 * the `then` branch, which are kept.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsPlugin from 'ajv-formats';

export interface EpcisValidationError {
  /** JSON Pointer (RFC 6901) of the offending value in the document, e.g. `/epcisBody/eventList/0/eventTime`; `''` is the root. */
  path: string;
  /** Ajv's message, e.g. `must have required property 'eventTimeZoneOffset'`. */
  message: string;
  /** The JSON schema keyword that failed (`required`, `format`, `pattern`, `enum`, `anyOf`, …). */
  keyword: string;
  /** Where in GS1's schema, e.g. `#/definitions/ObjectEvent/required`. */
  schemaPath: string;
  /** Keyword details from Ajv (e.g. `{ missingProperty: 'action' }`). */
  params: Record<string, unknown>;
}

export interface EpcisValidationResult {
  valid: boolean;
  errors: EpcisValidationError[];
}

let validator: ValidateFunction | undefined;

/** The compiled validator (compiled on first call, then cached for the life of the process). */
function compiled(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(new URL('./gs1/EPCIS-JSON-Schema.json', import.meta.url), 'utf8')) as object;
    const ajv = new Ajv({ allErrors: true, strict: false });
    (formatsPlugin as unknown as (a: Ajv) => Ajv)(ajv);
    validator = ajv.compile(schema);
  }
  return validator;
}

/**
 * Validates `json` (an already parsed EPCIS document, query document or event) against GS1's EPCIS 2.0 JSON
 * schema, returning every error with its JSON Pointer. Pure apart from the one-time schema load.
 */
export function validateEpcisDocument(json: unknown): EpcisValidationResult {
  const validate = compiled();
  if (validate(json)) return { valid: true, errors: [] };
  const errors = (validate.errors ?? []).filter((e: ErrorObject) => e.keyword !== 'if').map(toError);
  return { valid: false, errors };
}

function toError(e: ErrorObject): EpcisValidationError {
  return { path: e.instancePath, message: e.message ?? e.keyword, keyword: e.keyword, schemaPath: e.schemaPath, params: e.params as Record<string, unknown> };
}

/** One line per error, `path: message`, for logs and HTTP problem details. */
export function formatValidationErrors(errors: readonly EpcisValidationError[]): string {
  return errors.map((e) => `${e.path || '/'}: ${e.message}${e.params['missingProperty'] === undefined && e.params['allowedValues'] === undefined ? '' : ` (${JSON.stringify(e.params)})`}`).join('\n');
}
