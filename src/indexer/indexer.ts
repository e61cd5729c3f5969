/**
 * Mirrors the contracts' events into the node's database, one projector per contract, so every read
 * of the ledger (API, policy decisions) is a local query. Each batch of blocks is applied in one
 * transaction together with the new block pointer: after a crash the indexer resumes exactly where its
 * last committed batch ended, and never applies an event twice.
 *
 * Reorgs: the target chains (Besu QBFT, Anvil) have immediate finality, so no rollback is kept.
 */
import { EventEmitter } from 'node:events';
import { parseEventLogs, type Abi, type Log } from 'viem';
import type { ChainConnection } from '../chain/client.ts';
import type { Deployment } from '../chain/deployment.ts';
import type { Migration, Storage } from '../storage/engine.ts';
import { errorMessage } from '../shared/errors.ts';
import type { DecodedEvent, Projector } from './projector.ts';
import { affiliationsProjector } from './projectors/affiliations.ts';
import { anchorsProjector } from './projectors/anchors.ts';
import { breakGlassProjector } from './projectors/break-glass.ts';
import { claimRegistryProjector } from './projectors/claim-registry.ts';
import { consentProjector } from './projectors/consent.ts';
import { credentialStatusProjector } from './projectors/credential-status.ts';
import { participantsProjector } from './projectors/participants.ts';
import { recordLocatorProjector } from './projectors/record-locator.ts';
import { serialRegistryProjector } from './projectors/serial-registry.ts';
import { trialRegistryProjector } from './projectors/trial-registry.ts';

/** The node's projectors, one per contract. */
export const PROJECTORS: readonly Projector[] = [
  participantsProjector,
  anchorsProjector,
  consentProjector,
  recordLocatorProjector,
  breakGlassProjector,
  credentialStatusProjector,
  affiliationsProjector,
  serialRegistryProjector,
  claimRegistryProjector,
  trialRegistryProjector,
];

const stateMigrations: Migration[] = [(tx) => tx.exec('CREATE TABLE indexer_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)')];

/** Every table the indexer owns, by component (the block pointer and each projector's mirror). */
export const indexerMigrations: Record<string, readonly Migration[]> = Object.fromEntries([
  ['index.state', stateMigrations],
  ...PROJECTORS.map((p) => [p.name, p.migrations]),
]);

export interface IndexerStatus {
  indexedBlock: number;
  chainHead: number | null;
  lastPollAt: number | null;
  lastError: string | null;
}

export class Indexer extends EventEmitter<{ block: [number] }> {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private stopped = false;
  private chainHead: number | null = null;
  private lastPollAt: number | null = null;
  private lastError: string | null = null;
  private indexed: number;
  private readonly byAddress: Map<string, Projector>;
  private readonly abi: Abi;

  private constructor(
    private readonly storage: Storage,
    private readonly conn: ChainConnection,
    private readonly deployment: Deployment,
    private readonly projectors: readonly Projector[],
    private readonly opts: { pollMs?: number; maxRange?: number },
    indexed: number,
  ) {
    super();
    this.setMaxListeners(0);
    this.indexed = indexed;
    this.byAddress = new Map(projectors.map((p) => [p.address(deployment).toLowerCase(), p]));
    this.abi = projectors.flatMap((p) => p.abi as readonly unknown[]) as unknown as Abi;
  }

  /** Opens the indexer at the block its last committed batch reached (tables must be migrated). */
  static async open(
    storage: Storage,
    conn: ChainConnection,
    deployment: Deployment,
    opts: { pollMs?: number; maxRange?: number; projectors?: readonly Projector[] } = {},
  ): Promise<Indexer> {
    const row = await storage.get<{ value: string }>(`SELECT value FROM indexer_state WHERE key = 'block'`);
    return new Indexer(storage, conn, deployment, opts.projectors ?? PROJECTORS, opts, row ? Number(row.value) : deployment.deployedAtBlock - 1);
  }

  /** Last block whose events are all applied. */
  get indexedBlock(): number {
    return this.indexed;
  }

  status(): IndexerStatus {
    return { indexedBlock: this.indexed, chainHead: this.chainHead, lastPollAt: this.lastPollAt, lastError: this.lastError };
  }

  start(): void {
    this.run(() => this.poll());
  }

  /**
   * A replica that is not the leader does not index: it follows the block pointer the leader's
   * indexer commits (the tables are shared), so `indexedBlock` and `waitForBlock` work the same, and
   * it still asks the chain for its head, for readiness.
   */
  follow(): void {
    this.run(async () => {
      try {
        const row = await this.storage.get<{ value: string }>(`SELECT value FROM indexer_state WHERE key = 'block'`);
        const block = row ? Number(row.value) : this.indexed;
        this.chainHead = Number(await this.conn.client.getBlockNumber());
        if (block > this.indexed) {
          this.indexed = block;
          this.emit('block', block);
        }
        this.lastPollAt = Date.now();
        this.lastError = null;
      } catch (err) {
        this.lastError = errorMessage(err);
      }
    });
  }

  private run(pass: () => Promise<void>): void {
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      this.current = pass().finally(() => (this.current = undefined));
      await this.current;
      if (!this.stopped) this.timer = setTimeout(loop, this.opts.pollMs ?? 250);
    };
    void loop();
  }

  /** Stops polling (or following) and waits for a pass in progress, so the database can be closed after. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.current) await this.current;
  }

  /** Resolves once every event up to block `n` is applied. */
  waitForBlock(n: number | bigint, timeoutMs = 30_000): Promise<void> {
    const target = Number(n);
    if (this.indexed >= target) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('block', onBlock);
        reject(new Error(`index did not reach block ${target} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onBlock = (b: number) => {
        if (b >= target) {
          clearTimeout(timer);
          this.off('block', onBlock);
          resolve();
        }
      };
      this.on('block', onBlock);
    });
  }

  /** One catch-up pass; safe to call concurrently with the loop (only one pass runs at a time). */
  poll(): Promise<void> {
    if (this.current) return this.current;
    this.current = this.pass().finally(() => (this.current = undefined));
    return this.current;
  }

  private async pass(): Promise<void> {
    try {
      const head = Number(await this.conn.client.getBlockNumber());
      this.chainHead = head;
      let from = this.indexed + 1;
      while (from <= head && !this.stopped) {
        const to = Math.min(head, from + (this.opts.maxRange ?? 2000) - 1);
        const logs = await this.conn.client.getLogs({ address: [...this.byAddress.keys()] as `0x${string}`[], fromBlock: BigInt(from), toBlock: BigInt(to) });
        if (this.stopped) return;
        await this.apply(logs, to);
        this.indexed = to;
        this.emit('block', to);
        from = to + 1;
      }
      this.lastPollAt = Date.now();
      this.lastError = null;
    } catch (err) {
      this.lastError = errorMessage(err);
    }
  }

  private async apply(logs: Log[], toBlock: number): Promise<void> {
    const events = parseEventLogs({ abi: this.abi, logs }) as unknown as DecodedEvent[];
    await this.storage.transaction(async (tx) => {
      for (const ev of events) {
        const projector = this.byAddress.get(ev.address.toLowerCase());
        // Contracts share event names (none today); the projector applies only its own ABI's events.
        if (projector) await projector.apply(tx, ev, Number(ev.blockNumber));
      }
      await tx.run(`INSERT INTO indexer_state (key, value) VALUES ('block', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [String(toBlock)]);
    });
  }
}
