/**
 * String-search normalisation (R4 search.html#string): "This search is insensitive to casing and
 * included combining characters, like accents or other diacritical marks. Punctuation and
 * non-significant whitespace (e.g. repeated space characters, tab vs space) should also be
 * ignored. By default, a field matches a string query if the value of the field equals or starts
 * with the supplied parameter value, after both have been normalized by case and combining
 * characters." `:contains` matches anywhere; `:exact` compares the raw strings.
 *
 * The index holds no plaintext: the storage layer blinds (keyed HMAC) the normalised prefixes of a
 * value, for the default search, and its trigrams, for `:contains`. A query is normalised the same
 * way; a query longer than the indexed prefixes, and every `:contains` query (trigrams only narrow
 * the candidates), must be confirmed on the decrypted resource with `matchesString`.
 *
 * Normalisation: lower-case (Unicode default case mapping), NFD, combining marks (\p{M}) removed,
 * letters that do not decompose folded (ø→o, ł→l, đ→d, ß→ss, æ→ae, œ→oe, ı→i, þ→th, ð→d, ħ→h,
 * ŧ→t), punctuation (\p{P}) removed ("ignored": `O'Brien` → `obrien`, `Jean-Luc` → `jeanluc`),
 * whitespace runs collapsed to one space, trimmed.
 */

const FOLD: Record<string, string> = {
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ı: 'i',
  þ: 'th',
  ð: 'd',
  ħ: 'h',
  ŧ: 't',
};
const FOLD_RE = /[øłđßæœıþðħŧ]/g;
const MARKS_RE = /\p{M}+/gu;
const PUNCT_RE = /\p{P}+/gu;
const SPACE_RE = /\s+/gu;

/** The normalised form of a string for case-, accent- and punctuation-insensitive matching. */
export function normalizeString(value: string): string {
  return value
    .toLowerCase()
    .normalize('NFD')
    .replace(MARKS_RE, '')
    .replace(FOLD_RE, (c) => FOLD[c] ?? c)
    .replace(PUNCT_RE, '')
    .replace(SPACE_RE, ' ')
    .trim();
}

export interface PrefixOptions {
  /** Longest prefix produced, in code points (default 32). */
  readonly maxLength?: number;
  /**
   * Also produce the prefixes starting at each later word (default true): "servers should search
   * the parts of a family name independently. E.g. searching either "Carreno" or "Quinones"
   * should match a family name of "Carreno Quinones"" (search.html#string).
   */
  readonly wordStarts?: boolean;
}

export const DEFAULT_PREFIX_LENGTH = 32;

/**
 * The distinct prefixes (lengths 1…maxLength code points) of the normalised value — and, with
 * `wordStarts`, of each of its word-suffixes — to blind for the default (starts-with) search.
 */
export function normalizedPrefixes(value: string, options: PrefixOptions = {}): string[] {
  const max = options.maxLength ?? DEFAULT_PREFIX_LENGTH;
  const norm = [...normalizeString(value)];
  const out = new Set<string>();
  const starts = [0];
  if (options.wordStarts ?? true) for (let i = 1; i < norm.length; i++) if (norm[i - 1] === ' ' && norm[i] !== ' ') starts.push(i);
  for (const s of starts) {
    let p = '';
    for (let i = s; i < norm.length && i - s < max; i++) {
      p += norm[i];
      if (norm[i] !== ' ') out.add(p);
    }
  }
  return [...out];
}

/**
 * The prefix token a default string query looks up: the normalised query cut to `maxLength`.
 * `truncated` says the index alone over-matches and hits must be confirmed with `matchesString`.
 */
export function prefixQuery(query: string, maxLength = DEFAULT_PREFIX_LENGTH): { prefix: string; truncated: boolean } {
  const norm = [...normalizeString(query)];
  return { prefix: norm.slice(0, maxLength).join(''), truncated: norm.length > maxLength };
}

/** The distinct n-grams (n code points) of the normalised value; shorter values give none. */
export function ngrams(value: string, n: number): string[] {
  const norm = [...normalizeString(value)];
  const out = new Set<string>();
  for (let i = 0; i + n <= norm.length; i++) out.add(norm.slice(i, i + n).join(''));
  return [...out];
}

/** The trigrams of the normalised value, to blind for `:contains` (queries of 3+ characters). */
export function trigrams(value: string): string[] {
  return ngrams(value, 3);
}

/**
 * Whether `value` matches a string query (search.html#string): default = the normalised value
 * starts with the normalised query (or, with `wordStarts`, one of its words does); `contains` =
 * the normalised query occurs anywhere; `exact` = the raw strings are equal.
 */
export function matchesString(
  value: string,
  query: string,
  modifier?: 'exact' | 'contains',
  options: { wordStarts?: boolean } = {},
): boolean {
  if (modifier === 'exact') return value === query;
  const v = normalizeString(value);
  const q = normalizeString(query);
  if (modifier === 'contains') return v.includes(q);
  if (v.startsWith(q)) return true;
  if (!(options.wordStarts ?? true)) return false;
  return v.split(' ').some((_, i, words) => words.slice(i).join(' ').startsWith(q));
}

/**
 * The ancestors of a URL by path segment, itself included (`http://a/b/c` → `http://a/b/c`,
 * `http://a/b`, `http://a`), for `uri` `:below` / `:above` (search.html#uri) over blinded values:
 * index every ancestor of a value, and `url:below=X` is an equality lookup of X; for
 * `url:above=X` look up each ancestor of X. URNs (`urn:oid:…`) have no ancestors but themselves:
 * ":above and :below modifiers only apply to URLs, and not URNs".
 */
export function uriAncestors(uri: string): string[] {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) return [uri];
  const schemeEnd = uri.indexOf('://') + 3;
  const firstSlash = uri.indexOf('/', schemeEnd);
  const out = [uri];
  if (firstSlash < 0) return out;
  let cur = uri.replace(/\/+$/, '');
  if (cur !== uri) out.push(cur);
  for (;;) {
    const i = cur.lastIndexOf('/');
    if (i < firstSlash) break;
    cur = cur.slice(0, i);
    out.push(cur);
  }
  return out;
}
