/**
 * Bad input against the FHIR API and the signed node-to-node and consent-relay endpoints, as an
 * attacker sends it: property-based (fast-check) random JSON, random signatures,
 * wrong types, unknown types, deep nesting, huge bodies, mass assignment, `_count` abuse. Never a
 * 5xx, always a 4xx OperationOutcome, and nothing stored by a refused request.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import type { RunningNode } from '../src/node/start.ts';
import { startTestNode, tempDir } from './helpers/env.ts';

const tmp = tempDir();
let chain: EmbeddedChain;
let node: RunningNode;
let token: string;

async function send(method: string, path: string, body: string) {
  const res = await fetch(`${node.url}/fhir${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, body });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
}
const stored = () => node.services.store.versionCount();

before(async () => {
  ({ chain, node, token } = await startTestNode(tmp.dir, 'fuzzed-hospital'));
});
after(async () => {
  await node?.stop();
  await chain?.stop();
  tmp.remove();
});

function assertRefused(r: { status: number; body: any }, what: string) {
  assert.ok(r.status >= 400 && r.status < 500, `${what}: got ${r.status} ${JSON.stringify(r.body)?.slice(0, 300)}`);
  assert.equal(r.body?.resourceType, 'OperationOutcome', what);
}

test('random JSON as a Patient: either a valid create or a 4xx OperationOutcome, never a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 6 }), async (fields) => {
      const before = (await stored());
      const r = await send('POST', '/Patient', JSON.stringify({ ...fields, resourceType: 'Patient' }));
      if (r.status === 201) {
        assert.equal((await stored()), before + 1);
        return;
      }
      assertRefused(r, JSON.stringify(fields));
      assert.equal((await stored()), before, 'nothing stored');
    }),
    { numRuns: 150 },
  );
});

test('random bytes and random JSON bodies on every write path', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 5 })), fc.constantFrom('POST /Patient', 'PUT /Patient/x1', 'POST /', 'POST /Observation'), async (body, route) => {
      const [method, path] = route.split(' ');
      const before = (await stored());
      const r = await send(method!, path!, body);
      if (r.status === 200 || r.status === 201) return; // e.g. an empty batch Bundle
      assertRefused(r, `${route} ${body.slice(0, 100)}`);
      assert.equal((await stored()), before);
    }),
    { numRuns: 150 },
  );
});

test('deep nesting, huge bodies, unknown types, mass assignment, _count abuse', async () => {
  const before = (await stored());
  let deep = '"x"';
  for (let i = 0; i < 5000; i++) deep = `{"extension":[${deep}]}`;
  assertRefused(await send('POST', '/Patient', `{"resourceType":"Patient","extension":[${deep}]}`), 'deep nesting');
  let deepArray = '1';
  for (let i = 0; i < 100_000; i++) deepArray = `[${deepArray}]`;
  assertRefused(await send('POST', '/Patient', `{"resourceType":"Patient","name":${deepArray}}`), 'very deep arrays');
  const huge = JSON.stringify({ resourceType: 'Patient', name: [{ family: 'x'.repeat(6 * 1024 * 1024) }] });
  const r = await send('POST', '/Patient', huge);
  assert.equal(r.status, 413, 'bodies over the limit are refused before parsing');
  assertRefused(await send('POST', '/Spaceship', JSON.stringify({ resourceType: 'Spaceship' })), 'unknown type');
  assertRefused(await send('POST', '/Patient', JSON.stringify({ resourceType: 'Patient', meta: { versionId: 7 } })), 'meta of the wrong type');
  assert.equal((await stored()), before);
  const mass = await send('POST', '/Patient', JSON.stringify({ resourceType: 'Patient', id: '../../etc', meta: { versionId: '99', lastUpdated: '1999-01-01T00:00:00Z' } }));
  assert.equal(mass.status, 201);
  assert.notEqual(mass.body.id, '../../etc');
  assert.equal(mass.body.meta.versionId, '1');
  const many = await fetch(`${node.url}/fhir/Patient?_count=999999999`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(many.status, 200);
  assert.ok(((await many.json()) as { entry?: unknown[] }).entry!.length <= 1000, '_count is capped');
  for (const q of ['_count=1e309', '_offset=-5', '_count=abc', 'patient=' + 'a'.repeat(5000)]) {
    const res = await fetch(`${node.url}/fhir/Observation?${q}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 400, q);
  }
});

test('signed requests with random bodies and signatures: exchange, consent relays (never a 5xx, nothing recorded)', async () => {
  const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => `0x${Buffer.from(b).toString('hex')}`);
  // Well-formed exchange requests (so parsing gets past the schema) with random signatures, and junk.
  const exchange = fc.record({
    requester: hex(32),
    patient: hex(20),
    purpose: fc.constantFrom('TREAT', 'ETREAT', 'HRESCH'),
    scope: fc.constant({ resourceTypes: ['Observation'] }),
    timestamp: fc.constant(Date.now()),
    nonce: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex')),
  });
  const signature = fc.oneof(hex(65), fc.string({ maxLength: 140 }), fc.constant(''), hex(64));
  const granted = async () => (await node.services.storage.get<{ n: number }>('SELECT (SELECT COUNT(*) FROM consent_grants) + (SELECT COUNT(*) FROM tx_journal) AS n'))!.n;
  const released = async () => (await node.services.storage.get<{ n: number }>("SELECT COUNT(*) AS n FROM audit_entries WHERE subtype IN ('exchange', 'break-glass') AND outcome = '0'"))!.n;
  const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${node.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body });
    return { status: res.status, text: await res.text() };
  };
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(exchange.map((e) => JSON.stringify(e)), fc.json({ maxDepth: 4 }), fc.string({ maxLength: 300 })),
      signature,
      fc.constantFrom('/api/exchange/records', '/api/consent/relay', '/api/consent/revoke-relay', '/api/consent/proxy-relay', '/api/auth/patient/login'),
      async (body, sig, path) => {
        const before = [await granted(), await released()];
        const r = await post(path, path === '/api/exchange/records' ? body : JSON.stringify({ ...safeParse(body), signature: sig }), { 'x-carechain-signature': sig.replace(/[^\x20-\x7e]/g, '') });
        assert.ok(r.status >= 400 && r.status < 500, `${path}: ${r.status} ${r.text.slice(0, 300)}`);
        assert.doesNotThrow(() => JSON.parse(r.text), 'a JSON error body');
        assert.deepEqual([await granted(), await released()], before, 'nothing granted, sent or released');
      },
    ),
    { numRuns: 200 },
  );
});

function safeParse(s: string): Record<string, unknown> {
  try {
    const v = JSON.parse(s) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { text: s };
  }
}
