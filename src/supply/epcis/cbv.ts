/**
 * CBV 2.0 standard vocabulary values in any of their three spellings — bare word (`shipping`, the EPCIS 2.0
 * JSON-LD form), Web URI (`https://ref.gs1.org/cbv/BizStep-shipping`, CBV 2.0 §6.3, the canonical form) or
 * URN (`urn:epcglobal:cbv:bizstep:shipping`, CBV 1.x and EPCIS 1.x XML) — and `checkCbv`, which reports the
 * values of an event that claim to be standard but are not.
 *
 * Normal form: the Web URI. A user vocabulary value (any other absolute URI, e.g.
 * `https://example.com/bizstep/relabelling`) is valid and kept as written (CBV 2.0 §6.4).
 */
import { invalid } from '../../shared/errors.ts';
import { BIZ_STEPS, BIZ_TRANSACTION_TYPES, DISPOSITIONS, ERROR_REASONS, SOURCE_DESTINATION_TYPES } from './cbv-vocabulary.ts';

export type CbvKind = 'bizStep' | 'disposition' | 'bizTransactionType' | 'sourceDestinationType' | 'errorReason';

interface KindInfo {
  words: ReadonlySet<string>;
  /** Web URI prefix, e.g. `https://ref.gs1.org/cbv/BizStep-`. */
  web: string;
  /** URN prefix, e.g. `urn:epcglobal:cbv:bizstep:`. */
  urn: string;
}

export const CBV_KINDS: Readonly<Record<CbvKind, KindInfo>> = {
  bizStep: { words: new Set(BIZ_STEPS), web: 'https://ref.gs1.org/cbv/BizStep-', urn: 'urn:epcglobal:cbv:bizstep:' },
  disposition: { words: new Set(DISPOSITIONS), web: 'https://ref.gs1.org/cbv/Disp-', urn: 'urn:epcglobal:cbv:disp:' },
  bizTransactionType: { words: new Set(BIZ_TRANSACTION_TYPES), web: 'https://ref.gs1.org/cbv/BTT-', urn: 'urn:epcglobal:cbv:btt:' },
  sourceDestinationType: { words: new Set(SOURCE_DESTINATION_TYPES), web: 'https://ref.gs1.org/cbv/SDT-', urn: 'urn:epcglobal:cbv:sdt:' },
  errorReason: { words: new Set(ERROR_REASONS), web: 'https://ref.gs1.org/cbv/ER-', urn: 'urn:epcglobal:cbv:er:' },
};

export interface CbvValue {
  /** The normal form: the CBV Web URI for a standard value, the value itself for a user vocabulary URI. */
  uri: string;
  /** The bare word, when the value is (or claims to be) a CBV standard value. */
  word?: string;
  /** True for a known CBV 2.0 value. */
  standard: boolean;
  /** Why the value is not acceptable (a bare word or CBV-namespace value that CBV 2.0 does not define), if so. */
  problem?: string;
}

const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;

/** Normalises one value of `kind`. Never throws: an unknown standard-looking value comes back with `problem`. */
export function normaliseCbv(kind: CbvKind, value: string): CbvValue {
  const k = CBV_KINDS[kind];
  // The compact IRI `cbv:BizStep-shipping` (prefix of the EPCIS 2.0 context) reads as the Web URI.
  const full = value.startsWith('cbv:') ? `https://ref.gs1.org/cbv/${value.slice(4)}` : value;
  let word: string | undefined;
  if (full.startsWith(k.web)) word = full.slice(k.web.length);
  else if (full.startsWith(k.urn)) word = full.slice(k.urn.length);
  else if (!ABSOLUTE_URI.test(full)) word = full;
  if (word === undefined) {
    if (full.startsWith('https://ref.gs1.org/cbv/') || full.startsWith('urn:epcglobal:cbv:')) {
      return { uri: value, standard: false, problem: `"${value}" is in the CBV namespace but is not a ${describe(kind)}` };
    }
    return { uri: value, standard: false };
  }
  if (k.words.has(word)) return { uri: k.web + word, word, standard: true };
  return { uri: value, word, standard: false, problem: `"${value}" is not a CBV 2.0 ${describe(kind)}${suggest(kind, word)}; a user-defined value must be an absolute URI` };
}

/** Like `normaliseCbv` but throws `DomainError('invalid')` for a value with a problem; returns the normal form. */
export function requireCbv(kind: CbvKind, value: string): string {
  const v = normaliseCbv(kind, value);
  if (v.problem) throw invalid(v.problem, [kind]);
  return v.uri;
}

function describe(kind: CbvKind): string {
  return { bizStep: 'business step', disposition: 'disposition', bizTransactionType: 'business transaction type', sourceDestinationType: 'source/destination type', errorReason: 'error reason' }[kind];
}

function suggest(kind: CbvKind, word: string): string {
  const lower = word.toLowerCase().replace(/[\s-]/g, '_');
  for (const w of CBV_KINDS[kind].words) if (w.toLowerCase() === lower) return ` (did you mean "${w}"?)`;
  return '';
}

export interface CbvIssue {
  /** JSON path in the event, e.g. `bizTransactionList[1].type`. */
  path: string;
  kind: CbvKind;
  value: string;
  message: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The CBV values of `event` that are neither CBV 2.0 standard values nor user-vocabulary URIs: bizStep,
 * disposition, persistentDisposition.set/unset, bizTransactionList[].type, sourceList[].type,
 * destinationList[].type, errorDeclaration.reason. An empty list means the event's vocabulary is fine.
 */
export function checkCbv(event: unknown): CbvIssue[] {
  const issues: CbvIssue[] = [];
  if (!isObj(event)) return issues;
  const check = (path: string, kind: CbvKind, value: unknown) => {
    if (typeof value !== 'string') return;
    const v = normaliseCbv(kind, value);
    if (v.problem) issues.push({ path, kind, value, message: v.problem });
  };
  check('bizStep', 'bizStep', event['bizStep']);
  check('disposition', 'disposition', event['disposition']);
  const pd = event['persistentDisposition'];
  if (isObj(pd)) {
    for (const part of ['set', 'unset'] as const) {
      const list = pd[part];
      if (Array.isArray(list)) list.forEach((v, i) => check(`persistentDisposition.${part}[${i}]`, 'disposition', v));
    }
  }
  const entries = (name: string, kind: CbvKind) => {
    const list = event[name];
    if (Array.isArray(list)) list.forEach((e, i) => isObj(e) && check(`${name}[${i}].type`, kind, e['type']));
  };
  entries('bizTransactionList', 'bizTransactionType');
  entries('sourceList', 'sourceDestinationType');
  entries('destinationList', 'sourceDestinationType');
  const ed = event['errorDeclaration'];
  if (isObj(ed)) check('errorDeclaration.reason', 'errorReason', ed['reason']);
  return issues;
}
