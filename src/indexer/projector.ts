/**
 * A projector mirrors one contract's events into tables it owns, so every read of the ledger (API,
 * policy decisions) is a local query, never a chain round trip. Each projector owns its tables (their
 * migrations and their queries live in its file) and applies its events inside the indexer's
 * transaction for a batch of blocks.
 */
import type { Abi, Address, Log } from 'viem';
import type { Deployment } from '../chain/deployment.ts';
import type { Migration, Tx } from '../storage/engine.ts';

/** A decoded event as viem's parseEventLogs returns it. */
export type DecodedEvent = Log & { eventName: string; args: Record<string, unknown> };

export interface Projector {
  /** The component name its tables are migrated under. */
  readonly name: string;
  readonly abi: Abi;
  readonly migrations: readonly Migration[];
  /** Every table it owns: emptied when the index is rebuilt after a reorg. */
  readonly tables: readonly string[];
  /** The contract whose events it applies, from the deployment. */
  address(deployment: Deployment): Address;
  apply(tx: Tx, event: DecodedEvent, block: number): Promise<void>;
}

/** A decoded event's arguments: typed by its ABI at the contract, taken as they come here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventArgs = Record<string, any>;
