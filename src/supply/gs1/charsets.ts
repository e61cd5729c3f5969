/**
 * The character sets of GS1 element string values (GS1 General Specifications §7.11, Figures 7.11-1 to -3).
 * - CSET 82 (`X` in the AI table): the 82 characters `! " % & ' ( ) * + , - . / 0-9 : ; < = > ? A-Z _ a-z`.
 * - CSET 39 (`Y`, AI 8010 CPID): `# - / 0-9 A-Z`.
 * - Numeric (`N`): `0-9`.
 */
export type Charset = 'N' | 'X' | 'Y';

const CSET82 = new Uint8Array(128);
for (const c of `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`) CSET82[c.charCodeAt(0)] = 1;
const CSET39 = new Uint8Array(128);
for (const c of '#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ') CSET39[c.charCodeAt(0)] = 1;

/** The index of the first character of `s` outside `charset`, or -1 when every character belongs to it. */
export function firstInvalidChar(s: string, charset: Charset): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (charset === 'N') {
      if (c < 48 || c > 57) return i;
    } else if (c > 127 || (charset === 'X' ? CSET82[c] : CSET39[c]) !== 1) return i;
  }
  return -1;
}

/** A character for an error message: printable ones quoted, control characters as `U+001D`. */
export function showChar(ch: string): string {
  const c = ch.charCodeAt(0);
  return c < 32 || c === 127 || c > 126 ? `U+${c.toString(16).toUpperCase().padStart(4, '0')}` : `"${ch}"`;
}

export const CHARSET_NAME: Record<Charset, string> = { N: 'digits', X: 'GS1 character set 82', Y: 'GS1 character set 39' };
