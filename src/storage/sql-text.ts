/**
 * SQL text as PostgreSQL wants it, from the portable SQL the owners write: positional `?` parameters
 * become `$1, $2, …`, and in DDL SQLite's storage classes INTEGER and BLOB become BIGINT and BYTEA
 * (an SQLite INTEGER holds 64 bits; PostgreSQL's INTEGER only 32). Only code is rewritten: string
 * literals ('…', with '' escapes), quoted identifiers ("…") and comments (-- and /* *\/) pass through
 * unchanged, so a `?` or the word INTEGER inside them is left alone.
 *
 * PostgreSQL 15 docs, §4.1.2.1 (string constants), §4.1.1 (quoted identifiers), §4.1.5 (comments),
 * §8.1 (numeric types), §8.4 (bytea).
 */

/** Splits SQL into code and non-code (literals, quoted identifiers, comments), in order. */
export function segments(sql: string): { code: boolean; text: string }[] {
  const out: { code: boolean; text: string }[] = [];
  let start = 0;
  let i = 0;
  const push = (code: boolean, end: number) => {
    if (end > start) out.push({ code, text: sql.slice(start, end) });
    start = end;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "'" || c === '"') {
      push(true, i);
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) break;
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2; // doubled quote: an escaped quote
          else break;
        } else j++;
      }
      i = Math.min(j + 1, sql.length);
      push(false, i);
    } else if (c === '-' && next === '-') {
      push(true, i);
      const nl = sql.indexOf('\n', i);
      i = nl === -1 ? sql.length : nl;
      push(false, i);
    } else if (c === '/' && next === '*') {
      push(true, i);
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
      push(false, i);
    } else i++;
  }
  push(true, sql.length);
  return out;
}

/** `?` → `$n` in code, numbered left to right; returns the text and how many parameters it names. */
export function toNumberedParameters(sql: string): { text: string; count: number } {
  let n = 0;
  const text = segments(sql)
    .map((s) => (s.code ? s.text.replace(/\?/g, () => `$${++n}`) : s.text))
    .join('');
  return { text, count: n };
}

/** Does the statement define or change schema (CREATE / ALTER)? */
export function isDdl(sql: string): boolean {
  const first = segments(sql).find((s) => s.code && s.text.trim() !== '');
  return first !== undefined && /^\s*(CREATE|ALTER)\b/i.test(first.text);
}

/**
 * INTEGER → BIGINT, BLOB → BYTEA and REAL → DOUBLE PRECISION as whole upper-case words in code (for DDL;
 * the schema writes types in upper case and names in lower case, so a column named `blob` stays): SQLite's
 * REAL is an 8-byte float, PostgreSQL's a 4-byte one (7 digits: an instant in milliseconds would lose
 * its minutes, a large decimal would overflow).
 */
export function toPostgresTypes(sql: string): string {
  return segments(sql)
    .map((s) => (s.code ? s.text.replace(/\bINTEGER\b/g, 'BIGINT').replace(/\bBLOB\b/g, 'BYTEA').replace(/\bREAL\b/g, 'DOUBLE PRECISION') : s.text))
    .join('');
}
