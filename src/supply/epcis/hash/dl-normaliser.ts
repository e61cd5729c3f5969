/**
 * The identifier normalisation of the CBV 2.0 event hash (CBV 2.0 §8.9.2, "canonical GS1 Digital Link URI"):
 * any EPC URI, EPC class URI, EPC id-pattern URI or GS1 Digital Link URI carrying a GS1 key becomes the
 * constrained canonical Digital Link — domain `https://id.gs1.org`, numeric AIs, GTIN-14, only the finest
 * identification level (a serial drops the lot, the CPV is dropped), no query string. A value it cannot
 * normalise is returned as null (and then hashed as written).
 *
 * The exact behaviour — which patterns are recognised, the percent-encoding of `! ( ) * + , :` in serials,
 * the output checks — follows GS1's reference implementation (`dl_normaliser.py` of
 * RalphTro/epcis-event-hash-generator, MIT licence, commit 5d2f1c3 of 2025-10-17), because the hash must be
 * byte-identical to the one other EPCIS repositories compute. Its quirks are kept on purpose (e.g. a GTIN of
 * 9–11 digits in a Digital Link is padded as if it were a GTIN-8); do not "fix" them without re-running
 * the hash test vectors.
 */
import { gs1CheckDigit } from '../../gs1/check-digit.ts';

/** `! ( ) * + , :` percent-encoded, as GS1 Digital Link table 7-1 requires of values coming from EPC URIs. */
function dlEncode(s: string): string {
  return s.replace(/[!()*+,:]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
const cd = (digits: string) => digits + String(gs1CheckDigit(digits));

/** One escaped-or-plain character of an EPC URI serial (TDS Table A-1 in URI form). */
const X = "(?:%2[125-9A-Fa-f]|%3[0-9A-Fa-f]|%4[1-9A-Fa-f]|%5[0-9AaFf]|%6[1-9A-Fa-f]|%7[0-9Aa]|[!')(*+,.0-9:;=A-Za-z_-])";
/** One character of a CPI component reference. */
const CPI = '(?:%2[3dfDF]|%3[0-9]|%4[1-9A-Fa-f]|%5[0-9Aa]|[0-9A-Z-])';

/** `(?:\d{6}\.\d{7}|…|\d{12}\.\d{1})`: company prefix (6–12 digits) and a reference making `total` digits. */
function split(total: number, last12 = ''): string {
  const alts: string[] = [];
  for (let n = 6; n <= 12; n++) alts.push(n === 12 && last12 ? last12 : `\\d{${n}}\\.\\d{${total - n}}`);
  return `(?:${alts.join('|')})`;
}
/** `(?:\d{6}\.C{1,max}|\d{7}\.C{1,max-1}|…)` for the variable-length GIAI/GINC/CPI references. */
function varRef(chars: string, max: number): string {
  const alts: string[] = [];
  for (let n = 6; n <= 12; n++) alts.push(`\\d{${n}}\\.${chars}{1,${max - (n - 6)}}`);
  return `(?:${alts.join('|')})`;
}

const R = {
  sgtin: new RegExp(`^urn:epc:id:sgtin:${split(13)}\\.${X}{1,20}$`),
  sscc: new RegExp(`^urn:epc:id:sscc:${split(17)}$`),
  sgln: new RegExp(`^urn:epc:id:sgln:${split(12, '\\d{12}\\.')}\\.${X}{1,20}$`),
  grai: new RegExp(`^urn:epc:id:grai:${split(12, '\\d{12}\\.\\.')}\\.${X}{1,16}$`),
  giai: new RegExp(`^urn:epc:id:giai:${varRef(X, 24)}$`),
  gsrn: new RegExp(`^urn:epc:id:gsrn:${split(17)}$`),
  gsrnp: new RegExp(`^urn:epc:id:gsrnp:${split(17)}$`),
  gdti: new RegExp(`^urn:epc:id:gdti:${split(12, '\\d{12}\\.\\.')}${X}{1,20}$`),
  cpi: new RegExp(`^urn:epc:id:cpi:${varRef(CPI, 24)}\\.\\d{1,12}$`),
  sgcn: new RegExp(`^urn:epc:id:sgcn:${split(12, '\\d{12}\\.')}\\.\\d{1,12}$`),
  ginc: new RegExp(`^urn:epc:id:ginc:${varRef(X, 24)}$`),
  gsin: new RegExp(`^urn:epc:id:gsin:${split(16)}$`),
  itip: new RegExp(`^urn:epc:id:itip:${split(13)}\\.\\d{2}\\.\\d{2}\\.${X}{1,20}$`),
  upui: new RegExp(`^urn:epc:id:upui:${split(13)}\\.${X}{1,28}$`),
  pgln: new RegExp(`^urn:epc:id:pgln:${split(12, '\\d{12}\\.')}$`),
  lgtin: new RegExp(`^urn:epc:class:lgtin:${split(13)}\\.${X}{1,20}$`),
  patSgtin: new RegExp(`^urn:epc:idpat:sgtin:${split(13)}\\.\\*$`),
  patGrai: new RegExp(`^urn:epc:idpat:grai:${split(12, '\\d{12}\\.\\.')}\\.\\*$`),
  patGdti: new RegExp(`^urn:epc:idpat:gdti:${split(12, '\\d{12}\\.\\.')}\\.\\*$`),
  patSgcn: new RegExp(`^urn:epc:idpat:sgcn:${split(12, '\\d{12}\\.\\.')}\\.\\*$`),
  patCpi: new RegExp(`^urn:epc:idpat:cpi:${varRef(CPI, 24)}\\.\\*$`),
  patItip: new RegExp(`^urn:epc:idpat:itip:${split(13)}\\.\\d{2}\\.\\d{2}\\.\\*$`),
  patUpui: new RegExp(`^urn:epc:idpat:upui:${split(13)}\\.\\*$`),
};

const KEYS = '01|gtin|8006|itip|8010|cpid|414|gln|417|party|8017|gsrnp|8018|gsrn|255|gcn|00|sscc|253|gdti|401|ginc|402|gsin|8003|grai|8004|giai';
const DL_ANY = new RegExp(`^https?:(\\/\\/((([^\\/?#]*)@)?([^\\/?#:]*)(:([^\\/?#]*))?))?((([^?#]*)(\\/(${KEYS})\\/)(\\d{4}[^\\/]+)(\\/[^/]+\\/[^/]+)?[/]?(\\?([^?\\n]*))?(#([^\\n]*))?)|(\\/[A-Za-z_-]{10}$))`);
const DL_CANONICAL_DOMAIN = /^(?:https:\/\/id.gs1.org\/(01|8006|8010|414|417|8017|8018|255|00|253|401|402|8003|8004)\/(\d{4}[^/]+)(\/[^/]+\/[^/]+)?[/]?(\?([^?\n]*))?(#([^\n]*))?|(\/[A-Za-z_-]{10}$))/;
const SHORT: [string, string][] = [
  ['/gtin/', '/01/'], ['/itip/', '/8006/'], ['/cpid/', '/8010/'], ['/gln/', '/414/'], ['/party/', '/417/'], ['/gsrnp/', '/8017/'], ['/gsrn/', '/8018/'],
  ['/gcn/', '/255/'], ['/sscc/', '/00/'], ['/gdti/', '/253/'], ['/ginc/', '/401/'], ['/gsin/', '/402/'], ['/grai/', '/8003/'], ['/giai/', '/8004/'],
  ['/cpv/', '/22/'], ['/lot/', '/10/'], ['/ser/', '/21/'],
];
const DOMAIN_KEYS = ['/00/', '/01/', '/253/', '/255/', '/401/', '/402/', '/414/', '/417/', '/8003/', '/8004/', '/8006/', '/8010/', '/8017/', '/8018/'];
/** A Digital Link value character allowed in the output (GS1 DL "safe" subset). */
const V = '[\\x22\\x27\\x2D\\x2E\\x30-\\x39\\x3B-\\x3F\\x41-\\x5A\\x5F\\x61-\\x7A]';
const VS = '[\\x2F\\x22\\x27\\x2D\\x2E\\x30-\\x39\\x3B-\\x3F\\x41-\\x5A\\x5F\\x61-\\x7A]';
const CPV_LAST = [new RegExp(`^https:\\/\\/id.gs1.org\\/8006\\/\\d{18}\\/22\\/(${V}{0,20})$`), new RegExp(`^https:\\/\\/id.gs1.org\\/01\\/\\d{14}\\/22\\/(${V}{0,20})$`)];
const CPV_MID = [new RegExp(`^https:\\/\\/id.gs1.org\\/8006\\/\\d{18}\\/22\\/(${VS}{0,20})$`), new RegExp(`^https:\\/\\/id.gs1.org\\/01\\/\\d{14}\\/22\\/(${VS}{0,20})$`)];
const LOT_AND_SERIAL = [new RegExp(`^https:\\/\\/id.gs1.org\\/8006\\/\\d{18}\\/10\\/(${V}{0,20})\\/21\\/(${V}{0,20})$`), new RegExp(`^https:\\/\\/id.gs1.org\\/01\\/(\\d{14})\\/10\\/(${V}{0,20})\\/21\\/(${V}{0,20})$`)];
const VALID_OUTPUT = [
  /^https:\/\/id.gs1.org\/00\/(\d{18})$/,
  new RegExp(`^https:\\/\\/id.gs1.org\\/01\\/(\\d{14})\\/21\\/(${V}{0,20})$`),
  new RegExp(`^https:\\/\\/id.gs1.org\\/01\\/(\\d{14})\\/10\\/(${V}{0,20})$`),
  /^https:\/\/id.gs1.org\/01\/(\d{14})$/,
  new RegExp(`^https:\\/\\/id.gs1.org\\/01\\/(\\d{14})\\/235\\/(${V}{0,28})$`),
  new RegExp(`^https:\\/\\/id.gs1.org\\/253\\/(\\d{13})(${V}{0,17})$`),
  /^https:\/\/id.gs1.org\/255\/(\d{13})(\d{0,12})$/,
  new RegExp(`^https:\\/\\/id.gs1.org\\/401\\/(${V}{0,30})$`),
  /^https:\/\/id.gs1.org\/402\/(\d{17})$/,
  /^https:\/\/id.gs1.org\/414\/(\d{13})$/,
  new RegExp(`^https:\\/\\/id.gs1.org\\/414\\/(\\d{13})\\/254\\/(${V}{0,20})$`),
  /^https:\/\/id.gs1.org\/417\/(\d{13})$/,
  new RegExp(`^https:\\/\\/id.gs1.org\\/8003\\/(\\d{14})(${V}{0,16})$`),
  new RegExp(`^https:\\/\\/id.gs1.org\\/8004\\/(${V}{0,30})$`),
  new RegExp(`^https:\\/\\/id.gs1.org\\/8006\\/(\\d{18})\\/21\\/(${V}{0,20})$`),
  new RegExp(`^https:\\/\\/id.gs1.org\\/8006\\/(\\d{18})\\/10\\/(${V}{0,20})$`),
  /^https:\/\/id.gs1.org\/8006\/(\d{18})$/,
  /^https:\/\/id.gs1.org\/8010\/([\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30})\/8011\/(\d{0,12})$/,
  /^https:\/\/id.gs1.org\/8010\/([\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30})$/,
  /^https:\/\/id.gs1.org\/8017\/(\d{18})$/,
  /^https:\/\/id.gs1.org\/8018\/(\d{18})$/,
];

/** Python's `s[a:b]` for non-negative a (b may be omitted). */
const py = (s: string, a: number, b?: number) => s.slice(a, b);
/** Python's `s[s.find(c):]` / `[:-1]` semantics when `c` may be absent (find → -1). */
const fromFind = (s: string, c: string, dropLast = false) => {
  const i = s.indexOf(c);
  const start = i < 0 ? s.length - 1 : i;
  return dropLast ? s.slice(start, -1) : s.slice(start);
};

/** GTIN-14 body from `{cp}.{indicator}{itemRef}`: indicator + company prefix + item reference, no check digit. */
function gtinBody(uri: string, cpStart: number, dot: number): string {
  const cp = py(uri, cpStart, dot);
  const itemref = py(uri, dot + 1, dot + 1 + (13 - cp.length));
  return itemref.slice(0, 1) + cp + itemref.slice(1);
}
/** Company prefix + reference making 12 digits (GLN, GDTI, SGCN, GRAI bodies). */
function body12(uri: string, cpStart: number, dot: number): string {
  const cp = py(uri, cpStart, dot);
  return cp + py(uri, dot + 1, dot + 1 + (12 - cp.length));
}

/**
 * The canonical Digital Link of `uri`, or null when `uri` is not an identifier this normalisation knows.
 * Pure; never throws.
 */
export function normaliseIdentifier(uri: string): string | null {
  const p = uri.indexOf('.');
  if (p < 0) return null;
  if (uri.startsWith('urn:epc:')) return normaliseEpc(uri, p);
  return normaliseDl(uri);
}

function normaliseEpc(uri: string, p: number): string | null {
  if (R.sgtin.test(uri)) return `https://id.gs1.org/01/${cd(gtinBody(uri, 17, p))}/21/${dlEncode(py(uri, 32))}`;
  if (R.sscc.test(uri)) {
    const cp = py(uri, 16, p);
    return `https://id.gs1.org/00/${cd(py(uri, p + 1, p + 2) + cp + py(uri, p + 2))}`;
  }
  if (R.sgln.test(uri)) {
    const gln = cd(body12(uri, 16, p));
    const ext = py(uri, 30);
    return ext === '0' ? `https://id.gs1.org/414/${gln}` : `https://id.gs1.org/414/${gln}/254/${dlEncode(ext)}`;
  }
  if (R.grai.test(uri)) return `https://id.gs1.org/8003/${cd('0' + body12(uri, 16, p))}${dlEncode(py(uri, 30))}`;
  if (R.giai.test(uri)) return `https://id.gs1.org/8004/${py(uri, 16, p)}${dlEncode(py(uri, p + 1))}`;
  if (R.gsrn.test(uri)) return `https://id.gs1.org/8018/${cd(py(uri, 16, p) + py(uri, p + 1))}`;
  if (R.gsrnp.test(uri)) return `https://id.gs1.org/8017/${cd(py(uri, 17, p) + py(uri, p + 1))}`;
  if (R.gdti.test(uri)) return `https://id.gs1.org/253/${cd(body12(uri, 16, p))}${dlEncode(py(uri, 30))}`;
  if (R.cpi.test(uri)) {
    const sep = uri.lastIndexOf('.');
    return `https://id.gs1.org/8010/${dlEncode(py(uri, 15, p) + py(uri, p + 1, sep))}/8011/${py(uri, sep + 1)}`;
  }
  if (R.sgcn.test(uri)) return `https://id.gs1.org/255/${cd(body12(uri, 16, p))}${py(uri, 30)}`;
  if (R.ginc.test(uri)) return `https://id.gs1.org/401/${py(uri, 16, p)}${dlEncode(py(uri, p + 1))}`;
  if (R.gsin.test(uri)) return `https://id.gs1.org/402/${cd(py(uri, 16, p) + py(uri, p + 1))}`;
  if (R.itip.test(uri)) return `https://id.gs1.org/8006/${cd(gtinBody(uri, 16, p))}${py(uri, 31, 33)}${py(uri, 34, 36)}/21/${dlEncode(py(uri, 37))}`;
  if (R.upui.test(uri)) return `https://id.gs1.org/01/${cd(gtinBody(uri, 16, p))}/235/${dlEncode(py(uri, 31))}`;
  if (R.pgln.test(uri)) return `https://id.gs1.org/417/${cd(body12(uri, 16, p))}`;
  if (R.lgtin.test(uri)) return `https://id.gs1.org/01/${cd(gtinBody(uri, 20, p))}/10/${dlEncode(py(uri, 35))}`;
  if (R.patSgtin.test(uri)) return `https://id.gs1.org/01/${cd(gtinBody(uri, 20, p))}`;
  if (R.patGrai.test(uri)) return `https://id.gs1.org/8003/${cd('0' + body12(uri, 19, p))}`;
  if (R.patGdti.test(uri)) return `https://id.gs1.org/253/${cd(body12(uri, 19, p))}`;
  if (R.patSgcn.test(uri)) return `https://id.gs1.org/255/${cd(body12(uri, 19, p))}`;
  if (R.patCpi.test(uri)) return `https://id.gs1.org/8010/${dlEncode(py(uri, 18, p) + py(uri, p + 1, uri.lastIndexOf('.')))}`;
  if (R.patItip.test(uri)) return `https://id.gs1.org/8006/${cd(gtinBody(uri, 19, p))}${py(uri, 34, 36)}${py(uri, 37, 39)}`;
  if (R.patUpui.test(uri)) return `https://id.gs1.org/01/${cd(gtinBody(uri, 19, p))}`;
  return null;
}

/** Cheap necessary condition for DL_ANY: a primary-key segment followed by 4 digits. */
const DL_HINT = new RegExp(`\\/(?:${KEYS})\\/\\d{4}`);

/**
 * The forms a node writes itself, an item's Digital Link (01 + 21) and a container's (00), are
 * already canonical when they carry no query: the full normalisation returns them unchanged (a serial
 * cannot hold '/', so no short name, CPV or lot segment can be in one). Recognising them first saves
 * the full path's seventeen split/joins and dozen regular expressions per identifier: commissioning a
 * million serials normalises two million of them (the event hash and the query index). The test
 * checks the shortcut against the full normalisation.
 */
const ALREADY_CANONICAL = [VALID_OUTPUT[0]!, VALID_OUTPUT[1]!];

function normaliseDl(input: string): string | null {
  // '?' is a character a serial may hold, but in a URI it starts the query, which the full path drops.
  if (!input.includes('?') && ALREADY_CANONICAL.some((r) => r.test(input))) return input;
  return normaliseDlFully(input);
}

/** The full normalisation of a Digital Link URI (exported for the test of the shortcut above). */
export function normaliseDlFully(input: string): string | null {
  if (!DL_HINT.test(input) || !DL_ANY.test(input)) return null;
  let uri = input;
  const q = uri.indexOf('?');
  if (q >= 0) uri = uri.slice(0, q);
  for (const [from, to] of SHORT) uri = uri.split(from).join(to);
  if (!DL_CANONICAL_DOMAIN.test(uri)) {
    for (const k of DOMAIN_KEYS) {
      const i = uri.indexOf(k);
      if (i >= 0) {
        uri = 'https://id.gs1.org' + uri.slice(i);
        break;
      }
    }
  }
  if (!/^https:\/\/id.gs1.org\/01\/\d{14}/.test(uri)) {
    if (/^https:\/\/id.gs1.org\/01\/\d{13}/.test(uri)) uri = uri.split('/01/').join('/01/0');
    else if (/^https:\/\/id.gs1.org\/01\/\d{12}/.test(uri)) uri = uri.split('/01/').join('/01/00');
    else if (/^https:\/\/id.gs1.org\/01\/\d{8}/.test(uri)) uri = uri.split('/01/').join('/01/000000');
  }
  // Drop the CPV (AI 22), last in the path or followed by other qualifiers.
  const x = uri.slice(uri.indexOf('/22/') + 4 < 4 ? 3 : uri.indexOf('/22/') + 4);
  if (CPV_LAST.some((r) => r.test(uri))) uri = uri.slice(0, uri.indexOf('/22/')) + fromFind(x, '/', true);
  if (CPV_MID.some((r) => r.test(uri))) uri = uri.slice(0, uri.indexOf('/22/')) + fromFind(x, '/');
  // Only the finest level: a serial makes the lot redundant.
  if (LOT_AND_SERIAL.some((r) => r.test(uri))) {
    const y = uri.slice(uri.indexOf('/10/') + 4);
    uri = uri.slice(0, uri.indexOf('/10/')) + fromFind(y, '/');
  }
  return VALID_OUTPUT.some((r) => r.test(uri)) ? uri : null;
}
