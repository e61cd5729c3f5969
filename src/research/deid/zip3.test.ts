import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RESTRICTED_ZIP3, safeHarborZip } from './zip3.ts';

describe('safeHarborZip', () => {
  const cases: [string, string | undefined, string | undefined][] = [
    ['02026', undefined, '020'],
    ['02026-1234', 'US', '020'],
    ['020261234', 'USA', '020'],
    ['03601', 'US', '000'], // 036 is restricted
    ['89301', 'United States', '000'], // 893
    ['89001', undefined, '000'], // 890
    ['89101', undefined, '891'], // 891 is not restricted
    ['SW1A 1AA', 'GB', undefined],
    ['12345', 'CA', undefined], // a non-US country: no Safe Harbor rule keeps it
    ['1234', 'US', undefined], // malformed
  ];
  for (const [zip, country, want] of cases) {
    it(`${zip} (${country ?? 'no country'}) → ${want ?? 'removed'}`, () => assert.equal(safeHarborZip(zip, country), want));
  }

  it('has the 17 ZIP3s of the HHS table (2000 Census)', () => {
    assert.deepEqual([...RESTRICTED_ZIP3].sort(), ['036', '059', '063', '102', '203', '556', '692', '790', '821', '823', '830', '831', '878', '879', '884', '890', '893']);
  });
});
