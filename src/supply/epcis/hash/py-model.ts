/**
 * The intermediate model of GS1's reference event-hash implementation (RalphTro/epcis-event-hash-generator,
 * MIT), rebuilt here so that our pre-hash strings are byte-identical to it: an event is a tree of
 * `[name, text, children]` triples, the JSON event is mapped onto the EPCIS XML shape (list wrappers such as
 * `epcList` hold `epc` children, `quantityList` holds `quantityElement`s, …), and children are sorted the way
 * Python sorts tuples. Keys with a namespace prefix declared in the document's `@context` become
 * `{namespaceURI}localName`, as in XML (CBV 2.0 §8.9.2 "user extensions").
 */
import { pyStr } from './canonical-value.ts';

/** `[name, text, children]`, Python's `(str, str, list)`. */
export type Triple = [string, string, PyNode[]];
/** The `(type, value)` pair of a bizTransaction / source / destination entry. */
export type Pair = [Triple, Triple] | [Triple];
export type PyNode = Triple | Pair;

export const isPair = (n: PyNode): n is Pair => typeof n[0] !== 'string';

/** Python ordering of tuples/lists/strings (strings compared by code unit, which equals code point order outside surrogates). */
export function pyCompare(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const c = pyCompare(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  // Python 3 would raise TypeError; in the shapes built here this only meets str vs list, ordered str first.
  return typeof a === 'string' ? -1 : 1;
}

const SKIP_KEYS = new Set(['#text', 'rdfs:comment', 'comment']);
const UNSORTED_MARKERS = ['bizTransaction', 'source', 'destination'];

export interface ModelOptions {
  /** Namespace prefixes declared in the document's `@context` (prefix → URI). */
  namespaces: ReadonlyMap<string, string>;
}

function nsKey(key: string, o: ModelOptions): string {
  const i = key.indexOf(':');
  if (i < 0) return key;
  const ns = o.namespaces.get(key.slice(0, i));
  return ns === undefined ? key : `{${ns}}${key.slice(i + 1)}`;
}
function nsValue(value: string, o: ModelOptions): string {
  const i = value.indexOf(':');
  if (i < 0) return value;
  const ns = o.namespaces.get(value.slice(0, i));
  return ns === undefined ? value : ns + value.slice(i + 1);
}

/** JSON → triples (`_json_to_py`). `ignore` lists extra keys to skip at this level only. */
export function jsonToModel(json: unknown, o: ModelOptions, ignore: readonly string[] = []): Triple {
  let node: Triple = ['', '', []];
  if (Array.isArray(json)) {
    for (const child of json) node[2].push(jsonToModel(child, o));
    if (!json.some((v) => typeof v === 'string' && UNSORTED_MARKERS.includes(v))) node[2].sort(pyCompare);
    return node;
  }
  if (json !== null && typeof json === 'object') {
    const obj = json as Record<string, unknown>;
    if ('type' in obj) node = [String(obj['type']), '', []];
    if ('#text' in obj) node = [node[0], String(obj['#text']), node[2]];
    for (const [rawKey, val] of Object.entries(obj)) {
      if (SKIP_KEYS.has(rawKey) || ignore.includes(rawKey) || rawKey.startsWith('@xmlns')) continue;
      const child = jsonToModel(val, o);
      const key = nsKey(rawKey, o);
      if (Array.isArray(val)) for (const el of child[2] as Triple[]) node[2].push([key, el[1], el[2]]);
      else node[2].push([key, child[1], child[2]]);
    }
    if (!UNSORTED_MARKERS.some((k) => k in obj)) node[2].sort(pyCompare);
    return node;
  }
  return ['', typeof json === 'string' ? nsValue(json, o) : pyStr(json), []];
}

const PAIR_LISTS = new Set(['sourceList', 'destinationList', 'bizTransactionList']);

/** Maps the JSON shape onto the XML one (`deep_structure_correction`): list wrappers, `childEPCs`, renamed children. */
export function toXmlShape(node: Triple): Triple {
  const children = node[2] as Triple[];
  const lists = new Map<string, Triple[]>();
  const kept: PyNode[] = [];
  for (const el of children) {
    if (typeof el[0] === 'string' && el[0].endsWith('List')) {
      let l = lists.get(el[0]);
      if (!l) lists.set(el[0], (l = []));
      l.push([el[0].slice(0, -4), el[1], el[2]]);
    } else kept.push(el);
  }
  for (const [name, items] of lists) {
    // (type, value), whatever the JSON key order: JSON objects are unordered, and GS1's examples (which the
    // reference implementation reads in document order) always write `type` first.
    if (PAIR_LISTS.has(name)) kept.push([name, '', items.map((e) => [...e[2].filter((c) => c[0] === 'type'), ...e[2].filter((c) => c[0] !== 'type')].slice(0, 2) as Pair)]);
    else kept.push([name, '', items]);
  }
  const childEpcs: Triple[] = [];
  for (let i = kept.length - 1; i >= 0; i--) {
    const el = kept[i]!;
    if (el[0] === 'childEPCs') {
      childEpcs.unshift(['epc', (el as Triple)[1], []]);
      kept.splice(i, 1);
    }
  }
  if (childEpcs.length) kept.push(['childEPCs', '', childEpcs]);
  const corrected = kept.map((el) => (typeof el[0] === 'string' && PAIR_LISTS.has(el[0]) ? el : toXmlShape(el as Triple)));
  return renameForXml([node[0], node[1], corrected]);
}

function renameForXml(n: Triple): Triple {
  const [name, text, children] = n;
  if (name === 'inputEPC' || name === 'outputEPC') return ['epc', text, children];
  if (name === 'inputQuantity' || name === 'outputQuantity' || name === 'childQuantity' || (name === 'quantity' && children.length > 0)) return ['quantityElement', text, children];
  return n;
}
