/** POST /fhir: transaction and batch Bundles, at most the node's configured bytes (413 before parsing) and entries. */
import type { FastifyInstance } from 'fastify';
import type { Bundle } from '../../fhir/types.ts';
import { sendFhir } from '../../http/fhir-surface.ts';
import { CostBudget, expensive } from '../../http/rate-limits.ts';
import { invalid } from '../../shared/errors.ts';
import { processBatch, processTransaction } from '../bundle.ts';
import type { RecordService } from '../service.ts';
import { bodyResource, repoOf } from './shared.ts';

export function bundleRoutes(fhir: FastifyInstance, records: RecordService, opts: { expensivePerMinute: number }): void {
  // Weighted by cost: each caller may submit this many entries a minute (50 per expensive request).
  const budget = new CostBudget(opts.expensivePerMinute * 50);
  fhir.post('/', { bodyLimit: records.limits.maxBundleBytes, ...expensive(opts.expensivePerMinute) }, async (req, reply) => {
    const bundle = bodyResource(req) as Bundle;
    if (bundle.resourceType !== 'Bundle') throw invalid('POST /fhir takes a Bundle of type transaction or batch', ['resourceType']);
    budget.charge(req, Math.max(1, bundle.entry?.length ?? 0));
    if (bundle.type === 'transaction') return sendFhir(reply, 200, await processTransaction(repoOf(records, req), bundle));
    if (bundle.type === 'batch') return sendFhir(reply, 200, await processBatch(repoOf(records, req), bundle));
    throw invalid(`Bundle.type must be transaction or batch, got ${bundle.type}`, ['Bundle.type']);
  });
}
