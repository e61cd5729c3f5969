/**
 * Search-value escaping (R4 search.html#escaping): `,` (OR), `|` (system/code, quantity parts) and
 * `$` (composite components) are separators unless preceded by `\`, and `\` escapes itself.
 * "The parameter value `xx\xx` is illegal" — any other character after `\` is an error.
 * This applies after URL %-decoding.
 */
import { invalid } from '../../shared/errors.ts';

/** Splits `value` at unescaped `sep`, keeping escapes in the parts (unescape each part last). */
export function splitEscaped(value: string, sep: ',' | '|' | '$'): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\') i++;
    else if (c === sep) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts;
}

/** Removes the search escapes: `\,` `\|` `\$` `\\` → `,` `|` `$` `\`. */
export function unescapeValue(value: string, name: string): string {
  if (!value.includes('\\')) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = value[i + 1];
    if (next !== ',' && next !== '|' && next !== '$' && next !== '\\') {
      throw invalid(`${name}: "\\" must be followed by one of , | $ \\ (search.html#escaping), in "${value}"`);
    }
    out += next;
    i++;
  }
  return out;
}
