/** Who is signed in. Kept in memory only: a reload signs out, and a patient's key is never stored. */
import type { Hex } from 'viem';

export type Session =
  | { kind: 'user'; token: string; username: string; roles: string[]; practitioner?: string }
  | { kind: 'patient'; token: string; address: Hex; master: Hex; orgId: Hex };

export interface NodeInfo {
  org: string;
  orgId: Hex;
  name: string;
  kind: string;
}
