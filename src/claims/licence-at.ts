/**
 * A licence's standing on a past date from its status history on the ledger (the CredentialStatus
 * events, each dated by its block's timestamp): the last status set on or before the end of that day.
 * Before its first event the credential did not exist: `none`.
 */
import type { LicenceState, LicenceStatus } from './rules/types.ts';
import type { IsoDate } from './tables/types.ts';

export interface DatedStatus {
  status: 'none' | 'active' | 'suspended' | 'revoked';
  block: number;
  /** The block's date (UTC). */
  date: IsoDate;
}

export function licenceStatusOn(history: readonly DatedStatus[], date: IsoDate, credentialId: string): LicenceStatus {
  let last: DatedStatus | undefined;
  for (const h of history) if (h.date <= date && (!last || h.block >= last.block)) last = h;
  if (!last) return { status: 'none', since: null, sourceBlock: history[0]?.block ?? 0, credentialId };
  return { status: last.status as LicenceState, since: last.date, sourceBlock: last.block, credentialId };
}
