/**
 * Whether a principal may act on patient data right now beyond their role: a clinician needs a valid
 * licence, held through their organization. The credentials feature answers (it sits above the
 * features that ask), so they depend on this interface, wired by the node.
 */
import type { Principal } from './principal.ts';

export interface Standing {
  /** Why the principal may not act as a clinician now, or undefined when they may. */
  problem(principal: Principal): Promise<string | undefined>;
}

/** Nobody is refused: for tools and tests without credentials. */
export const ALWAYS_IN_GOOD_STANDING: Standing = { problem: async () => undefined };
