import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { isDomainError } from '../shared/errors.ts';
import { CostBudget } from './rate-limits.ts';

const caller = (token: string) => ({ headers: { authorization: `Bearer ${token}` }, ip: '10.0.0.1' }) as unknown as FastifyRequest;

test('CostBudget: a large request counts for its cost; callers apart; the window slides', () => {
  const b = new CostBudget(150);
  const t0 = 1_000_000;
  b.charge(caller('a'), 100, t0);
  assert.throws(() => b.charge(caller('a'), 60, t0 + 1000), (e) => isDomainError(e, 'too-many') && /retry in 59 s/.test((e as Error).message));
  b.charge(caller('b'), 150, t0 + 1000); // another caller has its own budget
  b.charge(caller('a'), 50, t0 + 2000); // what is left
  b.charge(caller('a'), 100, t0 + 60_500); // the first charge has left the window
  // One request alone over the whole budget still runs once (then waits): caps bound its size.
  const c = new CostBudget(10);
  c.charge(caller('c'), 1000, t0);
  assert.throws(() => c.charge(caller('c'), 1, t0 + 1), (e) => isDomainError(e, 'too-many'));
});
