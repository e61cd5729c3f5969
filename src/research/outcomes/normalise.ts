/**
 * Normalisation of outcome texts, so that trivial wording differences (case, punctuation,
 * whitespace, word order, articles and prepositions, plurals, "%" vs "percent") do not count as a
 * change, while anything that can change meaning does: every other word, numbers, comparison
 * operators (`≥ 7%` is not `< 7%`), negations, "and"/"or".
 */

/** Words dropped from names and measures: articles, prepositions, copulas. Not "and", "or", "no", "not", "without". */
const STOP = new Set(['a', 'an', 'the', 'of', 'in', 'on', 'at', 'to', 'for', 'by', 'from', 'as', 'with', 'its', 'their', 'is', 'are', 'was', 'were', 'be', 'been']);

const SYMBOLS: [RegExp, string][] = [
  [/≥|>=|=>/g, ' ge '],
  [/≤|<=|=</g, ' le '],
  [/>/g, ' gt '],
  [/</g, ' lt '],
  [/%/g, ' percent '],
  [/\+/g, ' plus '],
  [/±/g, ' plusminus '],
];

/** Lower case, no accents, symbols spelled out, punctuation to spaces (a decimal point kept), single spaces. */
export function normaliseText(s: string): string {
  let t = s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  for (const [re, w] of SYMBOLS) t = t.replace(re, w);
  return t
    .replace(/(\d)[.,](\d)/g, '$1\u0000$2')
    .replace(/[^\p{L}\p{N}\u0000]+/gu, ' ')
    .replace(/\u0000/g, '.')
    .trim()
    .replace(/\s+/g, ' ');
}

/** A crude singular: "events" → "event", "therapies" → "therapy"; "status", "analysis", "mass" unchanged. */
export function singular(w: string): string {
  if (w.length > 4 && w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (w.length > 3 && w.endsWith('s') && !/(?:ss|us|is)$/.test(w)) return w.slice(0, -1);
  return w;
}

/** The content words of a text, normalised: stop words dropped, plurals singular, sorted, unique. */
export function contentWords(s: string): string[] {
  const words = normaliseText(s)
    .split(' ')
    .filter((w) => w !== '' && !STOP.has(w))
    .map(singular);
  return [...new Set(words)].sort();
}

/** The same set of content words. */
export function sameWords(a: string, b: string): boolean {
  const x = contentWords(a);
  const y = contentWords(b);
  return x.length === y.length && x.every((w, i) => w === y[i]);
}

/** Words of `a` not in `b`, and of `b` not in `a`. */
export function wordDifference(a: string, b: string): { onlyA: string[]; onlyB: string[] } {
  const x = new Set(contentWords(a));
  const y = new Set(contentWords(b));
  return { onlyA: [...x].filter((w) => !y.has(w)), onlyB: [...y].filter((w) => !x.has(w)) };
}

/** Dice coefficient of the content-word sets (0 … 1): used only to point a human at similar outcomes. */
export function similarity(a: string, b: string): number {
  const x = new Set(contentWords(a));
  const y = new Set(contentWords(b));
  if (x.size + y.size === 0) return 1;
  let common = 0;
  for (const w of x) if (y.has(w)) common++;
  return (2 * common) / (x.size + y.size);
}

const NUMBER_WORDS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, eighteen: 18, twenty: 20,
  twentyfour: 24, thirty: 30, thirtysix: 36, fortyeight: 48, fifty: 50, fiftytwo: 52, sixty: 60, ninety: 90,
};

/** Duration units: minutes for exact ones (minute … week), months for calendar ones (month, year). */
const UNITS: Record<string, [base: 'min' | 'mo', factor: number]> = {
  minute: ['min', 1], min: ['min', 1],
  hour: ['min', 60], hr: ['min', 60], h: ['min', 60],
  day: ['min', 1440], d: ['min', 1440],
  week: ['min', 10080], wk: ['min', 10080], w: ['min', 10080],
  month: ['mo', 1], mo: ['mo', 1], mth: ['mo', 1],
  year: ['mo', 12], yr: ['mo', 12], y: ['mo', 12],
};

/** Words naming the start of follow-up: ignored, a change-from-baseline outcome implies it. */
const BASELINE = new Set(['baseline', 'screening', 'randomization', 'randomisation', 'randomized', 'randomised', 'enrollment', 'enrolment', 'inclusion', 'entry']);
/** Connecting words that do not change a time frame. */
const TIME_STOP = new Set([...STOP, 'and', 'after', 'post', 'following', 'since', 'time', 'frame', 'timeframe', 'point', 'timepoint', 'visit', 'assessed', 'measured', 'month', 'week', 'day', 'year', 'hour', 'minute']);

/**
 * A time frame as a set of canonical words: each duration ("12 weeks", "week 12", "84 days",
 * "twelve wk") becomes one token of its length in exact units — minutes up to weeks, months for
 * months and years (a month is not 4 weeks, so "3 months" ≠ "12 weeks") — baseline words are
 * dropped, other words kept ("up to 52 weeks" ≠ "52 weeks"). Duration 0 ("day 0") counts as baseline.
 */
export function timeFrameTokens(s: string): string[] {
  const words = normaliseText(s.replace(/(\d)([a-z])/gi, '$1 $2').replace(/([a-z])(\d)/gi, '$1 $2'))
    .split(' ')
    .map((w) => singular(w));
  const out = new Set<string>();
  const used = new Set<number>();
  const num = (w: string | undefined) => (w === undefined ? undefined : /^\d+(?:\.\d+)?$/.test(w) ? Number(w) : NUMBER_WORDS[w]);
  for (let i = 0; i < words.length; i++) {
    const unit = UNITS[words[i]!];
    if (unit === undefined) continue;
    // "12 weeks" (number before) or "week 12" (number after)
    const before = num(words[i - 1]);
    const after = num(words[i + 1]);
    const [value, at] = before !== undefined && !used.has(i - 1) ? [before, i - 1] : after !== undefined ? [after, i + 1] : [undefined, -1];
    if (value === undefined) continue;
    used.add(i).add(at);
    const amount = value * unit[1];
    if (amount !== 0) out.add(`${amount}${unit[0]}`);
  }
  // A list sharing one unit: "12 and 24 weeks", "weeks 12 and 24", "6, 12 and 24 months".
  for (const [i, w] of words.entries()) {
    const value = num(w);
    if (value === undefined || used.has(i)) continue;
    let unit: [base: 'min' | 'mo', factor: number] | undefined;
    const joins = (x: string) => num(x) !== undefined || x === 'and' || x === 'or';
    for (let j = i + 1; j < words.length && unit === undefined; j++) {
      if (UNITS[words[j]!] && used.has(j)) unit = UNITS[words[j]!];
      else if (!joins(words[j]!)) break;
    }
    for (let j = i - 1; j >= 0 && unit === undefined; j--) {
      if (UNITS[words[j]!] && used.has(j)) unit = UNITS[words[j]!];
      else if (!joins(words[j]!)) break;
    }
    if (unit === undefined) continue;
    used.add(i);
    if (value !== 0) out.add(`${value * unit[1]}${unit[0]}`);
  }
  for (const [i, w] of words.entries()) {
    if (used.has(i) || w === '' || BASELINE.has(w) || TIME_STOP.has(w)) continue;
    out.add(w);
  }
  return [...out].sort();
}

/** Same time frame under `timeFrameTokens`. */
export function sameTimeFrame(a: string, b: string): boolean {
  const x = timeFrameTokens(a);
  const y = timeFrameTokens(b);
  return x.length === y.length && x.every((w, i) => w === y[i]);
}
