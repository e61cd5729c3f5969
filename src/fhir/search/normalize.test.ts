import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchesString, ngrams, normalizedPrefixes, normalizeString, prefixQuery, trigrams, uriAncestors } from './normalize.ts';

test('normalizeString: case, accents, punctuation, whitespace (search.html#string)', () => {
  const rows: [string, string][] = [
    ['Eve', 'eve'],
    ['ÉVE', 'eve'],
    ['Zoë  Müller-Lüdenscheidt', 'zoe mullerludenscheidt'],
    ["O'Brien", 'obrien'],
    ['Jean-Luc', 'jeanluc'],
    ['  Carreño\tQuiñones \n', 'carreno quinones'],
    ['Łukasz Øster Straße', 'lukasz oster strasse'],
    ['Ærø Œuvre', 'aero oeuvre'],
    ['İstanbul', 'istanbul'],
    ['Nguyễn Văn Đức', 'nguyen van duc'],
    ['ＡＢＣ', 'ａｂｃ'], // NFD leaves full-width letters (NFKD would fold them); case still folds
    ['(03) 5555-6473', '03 55556473'],
    ['', ''],
  ];
  for (const [input, want] of rows) assert.equal(normalizeString(input), want, input);
});

test('normalizedPrefixes: all prefixes up to maxLength, from the start and from each word', () => {
  assert.deepEqual(normalizedPrefixes('Eve'), ['e', 'ev', 'eve']);
  assert.deepEqual(normalizedPrefixes('Évelyn', { maxLength: 3 }), ['e', 'ev', 'eve']);
  assert.deepEqual(normalizedPrefixes('Carreño Quiñones', { maxLength: 4 }), ['c', 'ca', 'car', 'carr', 'q', 'qu', 'qui', 'quin']);
  assert.deepEqual(normalizedPrefixes('Carreño Quiñones', { maxLength: 9, wordStarts: false }), ['c', 'ca', 'car', 'carr', 'carre', 'carren', 'carreno', 'carreno q']);
  assert.deepEqual(normalizedPrefixes('a a'), ['a', 'a a']);
  assert.deepEqual(normalizedPrefixes('...'), []);
  assert.equal(normalizedPrefixes('x'.repeat(100)).length, 32);
});

test('prefixQuery: the token to look up, and whether the index alone over-matches', () => {
  assert.deepEqual(prefixQuery('Éve'), { prefix: 'eve', truncated: false });
  assert.deepEqual(prefixQuery('abcdef', 4), { prefix: 'abcd', truncated: true });
});

test('trigrams and ngrams: substrings of the normalised value, by code point', () => {
  assert.deepEqual(trigrams('Severine'), ['sev', 'eve', 'ver', 'eri', 'rin', 'ine']);
  assert.deepEqual(trigrams('Ève'), ['eve']);
  assert.deepEqual(trigrams('ab'), []);
  assert.deepEqual(trigrams('aaaa'), ['aaa']);
  assert.deepEqual(ngrams('😀ab', 2), ['😀a', 'ab']);
  // Every trigram of a :contains query is a trigram of any value containing it.
  const value = trigrams('Mullerludenscheidt Zoë');
  for (const t of trigrams('lüden')) assert.ok(value.includes(t), t);
});

test('matchesString: default starts-with, :contains, :exact (search.html#string examples)', () => {
  const rows: [string, string, 'exact' | 'contains' | undefined, boolean][] = [
    ['Eve', 'eve', undefined, true],
    ['Evelyn', 'eve', undefined, true],
    ['Severine', 'eve', undefined, false],
    ['Severine', 'eve', 'contains', true],
    ['Evelyn', 'EVE', 'contains', true],
    ['Eve', 'Eve', 'exact', true],
    ['eve', 'Eve', 'exact', false],
    ['EVE', 'Eve', 'exact', false],
    ['Carreno Quinones', 'Quinones', undefined, true],
    ['Carreño Quiñones', 'quinon', undefined, true],
    ['Zoë', 'zoe', undefined, true],
  ];
  for (const [value, query, mod, want] of rows) assert.equal(matchesString(value, query, mod), want, `${value} ${mod ?? 'default'} ${query}`);
  assert.equal(matchesString('Carreno Quinones', 'Quinones', undefined, { wordStarts: false }), false);
});

test('uriAncestors: path-segment ancestors for uri :below / :above; URNs have none', () => {
  assert.deepEqual(uriAncestors('http://acme.org/fhir/ValueSet/123'), ['http://acme.org/fhir/ValueSet/123', 'http://acme.org/fhir/ValueSet', 'http://acme.org/fhir', 'http://acme.org']);
  assert.deepEqual(uriAncestors('http://acme.org/fhir/'), ['http://acme.org/fhir/', 'http://acme.org/fhir', 'http://acme.org']);
  assert.deepEqual(uriAncestors('http://acme.org'), ['http://acme.org']);
  assert.deepEqual(uriAncestors('urn:oid:1.2.3.4.5'), ['urn:oid:1.2.3.4.5']);
  // url:below=http://acme.org/fhir/ matches a value whose ancestors include the (slash-trimmed) query.
  assert.ok(uriAncestors('http://acme.org/fhir/ValueSet/123').includes('http://acme.org/fhir'));
});
