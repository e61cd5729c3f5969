import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InMemoryClaimFacts } from './in-memory-facts.ts';
import { licenceStatusRule } from './licence-status.ts';
import { claim } from './testing.ts';
import type { LicenceStatus } from './types.ts';

const rule = licenceStatusRule();
const history = (provider: string, ...statuses: LicenceStatus[]) => statuses.map((status) => ({ provider, status }));

const facts = new InMemoryClaimFacts({
  licences: [
    ...history('Practitioner/good', { status: 'active', since: '2010-01-01', sourceBlock: 10, credentialId: 'cred-good' }),
    ...history(
      'Practitioner/susp',
      { status: 'active', since: '2010-01-01', sourceBlock: 10, credentialId: 'cred-s' },
      { status: 'suspended', since: '2024-03-01', sourceBlock: 812, credentialId: 'cred-s' },
      { status: 'active', since: '2024-06-01', sourceBlock: 990, credentialId: 'cred-s' },
    ),
    ...history('Practitioner/rev', { status: 'revoked', since: '2020-01-01', sourceBlock: 300 }),
    ...history('Practitioner/new', { status: 'active', since: '2024-05-01', sourceBlock: 950 }),
  ],
});

describe('provider-licence', () => {
  const cases: [string, string, string, string | null][] = [
    ['active licence', 'Practitioner/good', '2024-03-05', null],
    ['suspended on the date of service', 'Practitioner/susp', '2024-03-05', 'suspended'],
    ['before the suspension', 'Practitioner/susp', '2024-02-29', null],
    ['after reinstatement', 'Practitioner/susp', '2024-06-01', null],
    ['revoked', 'Practitioner/rev', '2024-03-05', 'revoked'],
    ['before the first licence', 'Practitioner/new', '2024-04-30', 'none'],
    ['licensing not applicable (no history)', 'Organization/clinic', '2024-03-05', null],
  ];
  for (const [name, provider, date, status] of cases) {
    test(`${name}: ${status ?? 'no flag'}`, async () => {
      const flags = await rule.evaluate(claim({ provider, date, lines: ['99213'] }), facts);
      assert.deepEqual(
        flags.map((f) => f.evidence.details?.status),
        status ? [status] : [],
      );
    });
  }

  test('the flag names the status, its start, the ledger block and the lines', async () => {
    const [f] = await rule.evaluate(claim({ provider: 'Practitioner/susp', lines: ['99213', '36415'] }), facts);
    assert.equal(f!.severity, 'high');
    assert.deepEqual(f!.evidence.lines, [1, 2]);
    assert.deepEqual(f!.evidence.proofs, [{ kind: 'licence-status', ref: 'cred-s', block: 812 }]);
    assert.equal(
      f!.explanation,
      'The licence of billing provider Practitioner/susp was suspended since 2024-03-01 (ledger block 812) on the date of service 2024-03-05 of lines 1 and 2.',
    );
  });

  test('a rendering provider is checked at each line date, apart from a licensed billing organization', async () => {
    const c = claim({
      provider: 'Organization/clinic',
      lines: [
        { code: '99213', date: '2024-02-20', performer: 'Practitioner/susp' },
        { code: '99213', date: '2024-03-20', performer: 'Practitioner/susp' },
      ],
    });
    const flags = await rule.evaluate(c, facts);
    assert.equal(flags.length, 1);
    assert.deepEqual(flags[0]!.evidence.lines, [2]);
    assert.equal(flags[0]!.evidence.details?.role, 'rendering provider');
  });
});
