/**
 * The pre-hash string of one event (CBV 2.0 §8.9.2, "Event hash ID" algorithm, as implemented by GS1's
 * reference implementation RalphTro/epcis-event-hash-generator): `eventType=…` followed by the event's fields in
 * the canonical property order of the standard (eventTime, eventTimeZoneOffset, certificationInfo, parentID,
 * epcList, …, sensorElementList), each `name=value` with values in canonical form (see `canonical-value.ts`),
 * list members sorted, then every remaining field (user extensions, and — as in the reference implementation —
 * bizTransactionList, sourceList and destinationList) in sorted generic form. recordTime, eventID and
 * errorDeclaration are excluded, so that an event's hash does not change when it is recorded or declared
 * erroneous. Fields are joined with the empty string.
 */
import { canonicalTimestamp, canonicalValue } from './canonical-value.ts';
import { isPair, pyCompare, type PyNode, type Triple } from './py-model.ts';

/** A property name with its own child order, or null for a leaf. `NEVER` marks entries whose children are pairs. */
type Order = readonly (readonly [string | typeof NEVER, Order | null])[];
const NEVER = Symbol('pairs');

const QUANTITY: Order = [['quantityElement', [['epcClass', null], ['quantity', null], ['uom', null]]]];
const EPC: Order = [['epc', null]];
const PAIRS: Order = [[NEVER, null]];

/** CBV 2.0 §8.9.2 canonical property order. */
export const PROPERTY_ORDER: Order = [
  ['eventTime', null],
  ['eventTimeZoneOffset', null],
  ['certificationInfo', null],
  ['parentID', null],
  ['epcList', EPC],
  ['inputEPCList', EPC],
  ['childEPCs', EPC],
  ['quantityList', QUANTITY],
  ['childQuantityList', QUANTITY],
  ['inputQuantityList', QUANTITY],
  ['outputEPCList', EPC],
  ['outputQuantityList', QUANTITY],
  ['action', null],
  ['transformationID', null],
  ['bizStep', null],
  ['disposition', null],
  ['persistentDisposition', [['set', null], ['unset', null]]],
  ['readPoint', [['id', null]]],
  ['bizLocation', [['id', null]]],
  ['bizTransactionList', PAIRS],
  ['sourceList', PAIRS],
  ['destinationList', PAIRS],
  [
    'sensorElementList',
    [
      [
        'sensorElement',
        [
          ['sensorMetadata', [['time', null], ['startTime', null], ['endTime', null], ['deviceID', null], ['deviceMetadata', null], ['rawData', null], ['dataProcessingMethod', null], ['bizRules', null]]],
          [
            'sensorReport',
            [
              ['type', null], ['exception', null], ['deviceID', null], ['deviceMetadata', null], ['rawData', null], ['dataProcessingMethod', null], ['time', null],
              ['microorganism', null], ['chemicalSubstance', null], ['value', null], ['component', null], ['stringValue', null], ['booleanValue', null],
              ['hexBinaryValue', null], ['uriValue', null], ['minValue', null], ['maxValue', null], ['meanValue', null], ['sDev', null], ['percRank', null],
              ['percValue', null], ['uom', null], ['coordinateReferenceSystem', null],
            ],
          ],
        ],
      ],
    ],
  ],
];

/** Top-level fields never hashed. */
const EXCLUDED = new Set(['recordTime', 'eventID', 'type', 'errorDeclaration']);

const keyOf = (n: PyNode): string | Triple | undefined => n[0];
/** Python's `needle in x[0]`: substring for a string, membership for a tuple. */
function pyIn(needle: string, hay: string | Triple | undefined): boolean {
  if (typeof hay === 'string') return hay.includes(needle);
  return Array.isArray(hay) && hay.some((el) => el === needle);
}

/** Pre-hash string of an event already in the XML-shaped model (`toXmlShape`). Mutates `event`. */
export function preHashOfModel(event: Triple): string {
  return `eventType=${event[0]}${inOrder(event[2], PROPERTY_ORDER)}${remaining(event[2])}`;
}

function leaf(child: Triple, sub: Order | null): string {
  let text = '';
  const grand = sub ? inOrder(child[2], sub) : '';
  if (child[1]) {
    text = child[1].trim();
    const name = child[0].toLowerCase();
    text = name.includes('time') && !name.includes('offset') ? canonicalTimestamp(text) : canonicalValue(text);
    if (text) text = `=${text}`;
  }
  return text || grand ? child[0] + text + grand : '';
}

/** `_recurse_through_children_in_order`: consumes the children it writes. */
function inOrder(list: PyNode[], order: Order): string {
  let pre = '';
  const ext = userExtensions(list);
  for (const [name, sub] of order) {
    const matching = list.filter((x) => keyOf(x) === name) as Triple[];
    const values: string[] = [];
    for (const child of matching) {
      const s = leaf(child, sub);
      if (s) values.push(s);
      if (child[2].length === 0) list.splice(list.indexOf(child), 1);
    }
    values.sort();
    if (values.join('')) pre = pre ? pre + values.join('') : values.join('');
  }
  if (ext.length) pre += generic(ext);
  return pre;
}

/** Namespaced extension fields (`{ns/}name`) inside a nested element, written after its standard fields. */
function userExtensions(list: PyNode[]): PyNode[] {
  if (list.length <= 1) return [];
  for (const child of list) if (pyIn('eventTime', keyOf(child)) || pyIn('action', keyOf(child))) return [];
  const ext = list.filter((x) => pyIn('{', keyOf(x)) && pyIn('/}', keyOf(x)));
  for (const e of ext) list.splice(list.indexOf(e), 1);
  return ext;
}

/** `_generic_child_list_to_prehash_string`: every remaining field, recursively, sorted unless a bizTransaction/source/destination entry. */
function generic(children: readonly PyNode[]): string {
  const values: string[] = [];
  for (const child of children) {
    if (isPair(child)) {
      values.push(generic(child));
      continue;
    }
    let text = child[1].trim();
    if (text) text = `=${canonicalValue(text)}`;
    values.push(child[0] + text + generic(child[2]));
  }
  if (children.length > 1 && !children.some((c) => c[0] === 'bizTransaction' || c[0] === 'source' || c[0] === 'destination')) values.sort(pyCompare);
  return values.join('');
}

function remaining(children: PyNode[]): string {
  const rest = children.filter((c) => typeof c[0] !== 'string' || !EXCLUDED.has(c[0]));
  return rest.length ? generic(rest) : '';
}
