/**
 * Mirrors the contracts' events into the node's database, one projector per contract, so every read
 * of the ledger (API, policy decisions) is a local query. Each batch of blocks is applied in one
 * transaction together with the new block pointer: after a crash the indexer resumes exactly where its
 * last committed batch ended, and never applies an event twice.
 *
 * Finality. Besu QBFT and Anvil never reorganize, but a chain by URL may (a proof-of-authority
 * client, a public chain). The indexer therefore
 * - trails the head by `confirmations` blocks (default 0): it indexes a block only once that many
 *   blocks are built on it, so a reorg no deeper than that never reaches the index;
 * - detects a deeper one: it keeps the hash of the last block it indexed (`indexer_state`
 *   `block_hash`) and, before indexing more, checks it against the chain, and checks each batch's
 *   first block's parent hash against it (so a reorg between two batches is caught too);
 * - rewinds: on a mismatch it rebuilds every projector's tables from the deployment block in ONE
 *   transaction (delete all mirrored rows, apply every event of the canonical chain, set the pointer),
 *   so a reader sees either the old index or the new one, never a mix. Rolling back only the rows
 *   above the fork point would not be enough: projectors also update rows (a suspension, a
 *   revocation) whose earlier state is not kept. A reorg is rare and the history is a node's own
 *   contracts' events, so rebuilding is cheap next to being wrong.
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

// `indexer_state` holds 'block' (the last indexed block) and 'block_hash' (its hash, for reorgs).
const stateMigrations: Migration[] = [(tx) => tx.exec('CREATE TABLE indexer_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)')];

export interface IndexerOptions {
  pollMs?: number;
  maxRange?: number;
  /** Blocks that must be built on a block before it is indexed (0: index the head). */
  confirmations?: number;
}

/** The chain moved under the index (a block it indexed is no longer canonical). */
class Reorganized extends Error {}

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
  /** Times the index was rebuilt because the chain reorganized. */
  reorgs: number;
}

export class Indexer extends EventEmitter<{ block: [number]; reorg: [number] }> {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private stopped = false;
  private chainHead: number | null = null;
  private lastPollAt: number | null = null;
  private lastError: string | null = null;
  private indexed: number;
  private indexedHash: string | undefined;
  private reorgs = 0;
  private readonly byAddress: Map<string, Projector>;
  private readonly abi: Abi;

  private constructor(
    private readonly storage: Storage,
    private readonly conn: ChainConnection,
    private readonly deployment: Deployment,
    private readonly projectors: readonly Projector[],
    private readonly opts: IndexerOptions,
    indexed: number,
    indexedHash: string | undefined,
  ) {
    super();
    this.setMaxListeners(0);
    this.indexed = indexed;
    this.indexedHash = indexedHash;
    this.byAddress = new Map(projectors.map((p) => [p.address(deployment).toLowerCase(), p]));
    this.abi = projectors.flatMap((p) => p.abi as readonly unknown[]) as unknown as Abi;
  }

  /** Opens the indexer at the block its last committed batch reached (tables must be migrated). */
  static async open(
    storage: Storage,
    conn: ChainConnection,
    deployment: Deployment,
    opts: IndexerOptions & { projectors?: readonly Projector[] } = {},
  ): Promise<Indexer> {
    const row = await storage.get<{ value: string }>(`SELECT value FROM indexer_state WHERE key = 'block'`);
    const hash = await storage.get<{ value: string }>(`SELECT value FROM indexer_state WHERE key = 'block_hash'`);
    return new Indexer(storage, conn, deployment, opts.projectors ?? PROJECTORS, opts, row ? Number(row.value) : deployment.deployedAtBlock - 1, hash?.value);
  }

  /** Last block whose events are all applied. */
  get indexedBlock(): number {
    return this.indexed;
  }

  status(): IndexerStatus {
    return { indexedBlock: this.indexed, chainHead: this.chainHead, lastPollAt: this.lastPollAt, lastError: this.lastError, reorgs: this.reorgs };
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
      const target = head - (this.opts.confirmations ?? 0);
      if (this.indexedHash !== undefined && this.indexed >= this.deployment.deployedAtBlock) {
        const at = await this.blockHash(this.indexed);
        if (at !== this.indexedHash) return await this.rebuild(target);
      }
      let from = this.indexed + 1;
      while (from <= target && !this.stopped) {
        const to = Math.min(target, from + (this.opts.maxRange ?? 2000) - 1);
        const batch = await this.fetch(from, to, this.indexedHash);
        if (this.stopped) return;
        await this.apply(batch.logs, to, batch.hash);
        this.indexed = to;
        this.indexedHash = batch.hash;
        this.emit('block', to);
        from = to + 1;
      }
      this.lastPollAt = Date.now();
      this.lastError = null;
    } catch (err) {
      if (err instanceof Reorganized && !this.stopped) {
        // Caught between batches: the next pass sees the changed hash and rebuilds.
        this.lastError = err.message;
        return;
      }
      this.lastError = errorMessage(err);
    }
  }

  /** The canonical hash at `n`, or undefined when the chain is shorter now. */
  private async blockHash(n: number): Promise<string | undefined> {
    const block = await this.conn.client.getBlock({ blockNumber: BigInt(n) }).catch(() => undefined);
    return block?.hash?.toLowerCase();
  }

  /**
   * The logs of blocks `from`..`to` and the hash of `to`, all of one chain: `from`'s parent must be
   * the block indexed last (`parentHash`), and `to`'s hash must be the same before and after the logs
   * are read; otherwise the chain moved and `Reorganized` is thrown.
   */
  private async fetch(from: number, to: number, parentHash: string | undefined): Promise<{ logs: Log[]; hash: string }> {
    const first = await this.conn.client.getBlock({ blockNumber: BigInt(from) });
    if (parentHash !== undefined && first.parentHash.toLowerCase() !== parentHash) throw new Reorganized(`block ${from - 1} is no longer canonical`);
    const before = await this.blockHash(to);
    const logs = await this.conn.client.getLogs({ address: [...this.byAddress.keys()] as `0x${string}`[], fromBlock: BigInt(from), toBlock: BigInt(to) });
    const after = await this.blockHash(to);
    if (!before || before !== after || logs.some((l) => l.removed)) throw new Reorganized(`block ${to} changed while it was read`);
    return { logs, hash: before };
  }

  /**
   * The chain reorganized below the index: every projector's tables are rebuilt from the deployment
   * block up to `target`, in one transaction (see the file's header).
   */
  private async rebuild(target: number): Promise<void> {
    const start = this.deployment.deployedAtBlock;
    const logs: Log[] = [];
    let parent: string | undefined;
    let to = start - 1;
    for (let from = start; from <= target; from = to + 1) {
      to = Math.min(target, from + (this.opts.maxRange ?? 2000) - 1);
      const batch = await this.fetch(from, to, parent);
      logs.push(...batch.logs);
      parent = batch.hash;
    }
    if (this.stopped) return;
    await this.apply(logs, to, parent, { rebuild: true });
    this.reorgs++;
    this.indexed = to;
    this.indexedHash = parent;
    this.emit('reorg', to);
    this.emit('block', to);
    this.lastPollAt = Date.now();
    this.lastError = null;
  }

  private async apply(logs: Log[], toBlock: number, toHash: string | undefined, opts: { rebuild?: boolean } = {}): Promise<void> {
    const events = parseEventLogs({ abi: this.abi, logs }) as unknown as DecodedEvent[];
    await this.storage.transaction(async (tx) => {
      if (opts.rebuild) for (const p of this.projectors) for (const table of p.tables) await tx.run(`DELETE FROM ${table}`);
      for (const ev of events) {
        const projector = this.byAddress.get(ev.address.toLowerCase());
        // Contracts share event names (none today); the projector applies only its own ABI's events.
        if (projector) await projector.apply(tx, ev, Number(ev.blockNumber));
      }
      const upsert = `INSERT INTO indexer_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
      await tx.run(upsert, ['block', String(toBlock)]);
      if (toHash !== undefined) await tx.run(upsert, ['block_hash', toHash]);
    });
  }
}
