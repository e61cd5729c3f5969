/**
 * Licence checks per request, remembered for a few seconds and only while the index stays at the same
 * block: a suspension on the ledger takes effect with the first request after it is indexed. This is
 * the node's `Standing` for clinicians.
 */
import type { Hex } from 'viem';
import type { Principal } from '../identity/principal.ts';
import type { Standing } from '../identity/standing.ts';
import type { CredentialStore } from './store.ts';

export class LicenceCache implements Standing {
  private readonly entries = new Map<string, { block: number; at: number; problem: string | null }>();

  constructor(
    private readonly store: CredentialStore,
    private readonly organization: Hex,
    private readonly indexedBlock: () => number,
    private readonly ttlMs = 5_000,
  ) {}

  async problem(p: Principal): Promise<string | undefined> {
    if (!p.practitioner) return 'a clinician account must act as a Practitioner';
    return (await this.practitionerProblem(p.practitioner)) ?? undefined;
  }

  async practitionerProblem(practitioner: string): Promise<string | null> {
    const block = this.indexedBlock();
    const hit = this.entries.get(practitioner);
    if (hit && hit.block === block && Date.now() - hit.at < this.ttlMs) return hit.problem;
    const problem = await this.store.licenceProblem(practitioner, this.organization, block);
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(practitioner, { block, at: Date.now(), problem });
    return problem;
  }
}
