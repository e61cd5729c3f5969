/**
 * The typed values the search index is built from (one kind per FHIR search parameter type, R4
 * search.html §3.1.1.4). These are raw values: the storage layer blinds token / reference / string /
 * uri values into keyed tokens and stores date / number / quantity values as numeric ranges.
 *
 * Ranges are half-open `[low, high)` when `low < high`; `low === high` is an exact point (an
 * integer, or a comparison made "with arbitrarily high precision"). Open ends of dates are
 * `MIN_DATE_MS` / `MAX_DATE_MS` (finite, int64-safe); open ends of numbers and quantities are
 * `-Infinity` / `Infinity`.
 */

/** The FHIR search parameter types (SearchParameter.type). */
export type SearchParamType = 'number' | 'date' | 'string' | 'token' | 'reference' | 'composite' | 'quantity' | 'uri' | 'special';

/** Earliest / latest instant representable by a JS Date (±8.64e15 ms): the open ends of date ranges. */
export const MIN_DATE_MS = -8_640_000_000_000_000;
export const MAX_DATE_MS = 8_640_000_000_000_000;

export interface NumericRange {
  readonly low: number;
  readonly high: number;
}

/**
 * token: Coding / CodeableConcept.coding (system, code, text = display), CodeableConcept.text
 * (text only), Identifier (system, code = value, text = type.text, ofType = type.coding),
 * ContactPoint (code = value), code / id / string / uri primitives (code), boolean (code
 * `true` / `false`). `text` serves the `:text` modifier; `ofType` the `:of-type` modifier.
 */
export interface TokenValue {
  readonly kind: 'token';
  readonly system?: string;
  readonly code?: string;
  readonly text?: string;
  readonly ofType?: readonly { readonly system?: string; readonly code?: string }[];
}

/**
 * reference: `reference` is normalised: `Type/id` for a relative reference (or an absolute one on
 * one of the node's own bases), `_history` stripped (kept in `version`); other absolute URLs,
 * `urn:uuid:` / `urn:oid:` and `#contained` references are kept as written (absolute URLs without
 * their `_history` part). Canonicals (`canonical`, `uri` elements) give `reference` = the URL and
 * `version` = the part after `|`. `identifier` (Reference.identifier) serves `:identifier`.
 */
export interface ReferenceValue {
  readonly kind: 'reference';
  readonly reference?: string;
  readonly targetType?: string;
  readonly id?: string;
  readonly version?: string;
  readonly canonical?: true;
  readonly identifier?: TokenValue;
}

/** date: the instants the value covers, epoch ms, from its precision (Period / Timing: outer limits). */
export interface DateValue extends NumericRange {
  readonly kind: 'date';
}

/** string: one raw string (each part of a HumanName / Address is its own value). */
export interface StringValue {
  readonly kind: 'string';
  readonly value: string;
}

/** number: `value` and its implicit range (integers: exact, `low === high === value`). */
export interface NumberValue extends NumericRange {
  readonly kind: 'number';
  readonly value: number;
}

/** quantity: value and implicit range (Range: its bounds; comparator `<` / `>`: open end), units. */
export interface QuantityValue extends NumericRange {
  readonly kind: 'quantity';
  readonly value?: number;
  readonly system?: string;
  readonly code?: string;
  readonly unit?: string;
}

export interface UriValue {
  readonly kind: 'uri';
  readonly value: string;
}

/** composite: one value per component, all taken from the same context node. */
export interface CompositeValue {
  readonly kind: 'composite';
  readonly components: readonly IndexValue[];
}

/** special: only Location `near` (Location.position) is indexable. */
export interface PositionValue {
  readonly kind: 'position';
  readonly latitude: number;
  readonly longitude: number;
}

export type IndexValue =
  | TokenValue
  | ReferenceValue
  | DateValue
  | StringValue
  | NumberValue
  | QuantityValue
  | UriValue
  | CompositeValue
  | PositionValue;

/** The comparison prefixes of number, date and quantity parameters (search.html#prefix). */
export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';
export const PREFIXES: readonly Prefix[] = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'];

/** Search modifiers (search.html#modifiers); `:[type]` on references is represented by `type`. */
export type Modifier =
  | 'missing'
  | 'exact'
  | 'contains'
  | 'text'
  | 'not'
  | 'above'
  | 'below'
  | 'in'
  | 'not-in'
  | 'of-type'
  | 'identifier'
  | 'type';
