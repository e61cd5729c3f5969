import type { NodeContext } from '../node/context.ts';
import { licenceProblem } from './store.ts';

/**
 * Licence checks per request, remembered for a few seconds and only while the index stays at the same
 * block: a suspension on the ledger takes effect with the first request after it is indexed.
 */
export class LicenceCache {
  private readonly entries = new Map<string, { block: number; at: number; problem: string | null }>();

  constructor(
    private readonly ctx: NodeContext,
    private readonly ttlMs = 5_000,
  ) {}

  async problem(practitioner: string): Promise<string | null> {
    const block = this.ctx.indexer.indexedBlock;
    const hit = this.entries.get(practitioner);
    if (hit && hit.block === block && Date.now() - hit.at < this.ttlMs) return hit.problem;
    const problem = await licenceProblem(this.ctx.db, practitioner, block);
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(practitioner, { block, at: Date.now(), problem });
    return problem;
  }
}
