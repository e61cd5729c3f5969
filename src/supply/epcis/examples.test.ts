/**
 * Every EPCIS example GS1 publishes (test/fixtures/gs1-epcis-examples, copied from GS1's EPCIS repository) goes
 * through schema validation, CBV checking, event extraction and event hashing, and the outcome of each must be
 * the one documented in `examples.md` beside this file: the table there is checked row by row, so it cannot
 * drift from what the code does. Regenerate the table with `EXAMPLES_MD=print node --import tsx --test
 * src/supply/epcis/examples.test.ts` and paste it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkCbv } from './cbv.ts';
import { epcisDocumentKind, eventsOf } from './events.ts';
import { validateEpcisDocument } from './validate.ts';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));
const dir = join(fixtures, 'gs1-epcis-examples');
const expectedHashes = JSON.parse(readFileSync(join(fixtures, 'epcis-hash/expected-hashes.json'), 'utf8')) as Record<string, string[]>;

function files(d: string): string[] {
  return readdirSync(d)
    .flatMap((f) => (statSync(join(d, f)).isDirectory() ? files(join(d, f)) : /\.json(ld)?$/.test(f) ? [join(d, f)] : []))
    .sort();
}

function row(file: string): string {
  const rel = relative(dir, file);
  const doc: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const validation = validateEpcisDocument(doc);
  const schema = validation.valid ? 'valid' : `invalid: ${validation.errors.slice(0, 2).map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`;
  let kind = '?';
  let events = 0;
  let cbv = '-';
  let hashes = '-';
  let problem: string | undefined;
  try {
    kind = epcisDocumentKind(doc);
    const views = eventsOf(doc);
    events = views.length;
    const issues = views.flatMap((v) => checkCbv(v.raw).map((i) => `event ${v.index} ${i.path}: ${i.message}`));
    cbv = issues.length ? issues.join('; ') : 'ok';
    const ref = expectedHashes[`gs1-epcis-examples/${rel}`];
    hashes = ref ? `${views.filter((v, i) => v.hashId === ref[i]).length}/${ref.length} equal` : 'no reference value';
    if (ref && (ref.length !== views.length || views.some((v, i) => v.hashId !== ref[i]))) problem = 'hash differs from the reference';
    if (issues.length) problem = 'CBV';
  } catch (e) {
    problem = (e as Error).message;
  }
  if (!validation.valid) problem = 'schema';
  const result = problem ? `refused (${problem})` : 'accepted';
  return `| \`${rel}\` | ${kind} | ${events} | ${schema} | ${cbv} | ${hashes} | ${result} |`;
}

test('every GS1 example is accepted, or refused with the reason documented in examples.md', () => {
  const all = files(dir);
  assert.ok(all.length >= 29, `found ${all.length} examples`);
  const rows = all.map(row);
  if (process.env['EXAMPLES_MD'] === 'print') console.log(rows.join('\n'));
  const md = readFileSync(new URL('./examples.md', import.meta.url), 'utf8');
  const documented = md.split('\n').filter((l) => l.startsWith('| `'));
  assert.deepEqual(documented, rows);
});
