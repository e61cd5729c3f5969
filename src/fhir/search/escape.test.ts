import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDomainError } from '../../shared/errors.ts';
import { splitEscaped, unescapeValue } from './escape.ts';

test('splitEscaped and unescapeValue: the search.html#escaping rules', () => {
  const rows: [string, ',' | '|' | '$', string[]][] = [
    ['a,b', ',', ['a', 'b']],
    ['a\\,b', ',', ['a,b']],
    ['a\\,b,c', ',', ['a,b', 'c']],
    ['xx$xx', '$', ['xx', 'xx']],
    ['xx\\$xx', '$', ['xx$xx']],
    ['xx\\\\xx', ',', ['xx\\xx']],
    ['sys|code', '|', ['sys', 'code']],
    ['sys\\|x|code', '|', ['sys|x', 'code']],
    ['|code', '|', ['', 'code']],
    ['a\\\\,b', ',', ['a\\', 'b']],
  ];
  for (const [value, sep, want] of rows) {
    assert.deepEqual(splitEscaped(value, sep).map((p) => unescapeValue(p, 'p')), want, value);
  }
});

test('unescapeValue: "xx\\xx is illegal"', () => {
  assert.throws(() => unescapeValue('xx\\xx', 'name'), (e) => isDomainError(e, 'invalid') && /name/.test(e.message));
  assert.throws(() => unescapeValue('trailing\\', 'name'), (e) => isDomainError(e, 'invalid'));
});
