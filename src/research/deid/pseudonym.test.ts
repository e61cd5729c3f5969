import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { isDomainError } from '../../shared/errors.ts';
import { Pseudonymizer } from './pseudonym.ts';

const secretA = Buffer.alloc(32, 1);
const secretB = Buffer.alloc(32, 2);

describe('Pseudonymizer', () => {
  it('is stable within a study', () => {
    const p = new Pseudonymizer('study-1', secretA);
    const q = new Pseudonymizer('study-1', secretA);
    assert.equal(p.uuid('bc0fbd67-bfe3-46c8-8ce9-ef20b0705b46'), q.uuid('bc0fbd67-bfe3-46c8-8ce9-ef20b0705b46'));
    assert.notEqual(p.uuid('a'), p.uuid('b'));
  });

  it('is unlinkable across studies (other secret, or same secret and other study id)', () => {
    const v = 'bc0fbd67-bfe3-46c8-8ce9-ef20b0705b46';
    const a = new Pseudonymizer('study-1', secretA).uuid(v);
    assert.notEqual(new Pseudonymizer('study-1', secretB).uuid(v), a);
    assert.notEqual(new Pseudonymizer('study-2', secretA).uuid(v), a);
  });

  it('is HMAC-SHA256 keyed with the study secret', () => {
    const p = new Pseudonymizer('s', secretA);
    const mac = createHmac('sha256', secretA).update('carechain/deid/v1\0s\0x').digest();
    const got = Buffer.from(p.uuid('x').replaceAll('-', ''), 'hex');
    assert.deepEqual(got.subarray(0, 6), mac.subarray(0, 6));
    assert.deepEqual(got.subarray(9, 16), mac.subarray(9, 16));
  });

  it('makes RFC 9562 v8 UUIDs and 2.25 OIDs of the same bits, both valid FHIR ids', () => {
    const p = new Pseudonymizer('s', randomBytes(32));
    const u = p.uuid('patient-1');
    assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const o = p.oid('patient-1');
    assert.equal(BigInt(`0x${u.replaceAll('-', '')}`).toString(10), o.slice(5));
    for (const v of [u, o, p.id('1.2.840.99999999.1.1.43984781.1559319189628')]) assert.match(v, /^[A-Za-z0-9\-.]{1,64}$/);
    assert.ok(p.id('1.2.840.1').startsWith('2.25.'));
    assert.ok(!p.id('abc').startsWith('2.25.'));
  });

  const bad: [string, string, unknown][] = [
    ['empty study id', '', secretA],
    ['short secret', 's', Buffer.alloc(16)],
    ['secret not a Buffer', 's', 'x'.repeat(64)],
  ];
  for (const [name, studyId, secret] of bad) {
    it(`refuses ${name}`, () => assert.throws(() => new Pseudonymizer(studyId, secret as Buffer), (e) => isDomainError(e, 'invalid')));
  }
});
