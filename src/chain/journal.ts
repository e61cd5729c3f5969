/**
 * Sends transactions for one signing key, exactly once, across crashes.
 *
 * Each transaction is signed locally with an explicit nonce and written to the journal (SQLite,
 * synchronous=FULL) before it is broadcast. After a restart, or when a receipt is slow to come, the
 * same signed bytes are broadcast again. The same bytes have the same hash and the same nonce, so
 * however often they are sent, the chain includes them at most once.
 */
import {
  encodeFunctionData,
  keccak256,
  type Abi,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import type { LocalAccount } from 'viem/accounts';
import type { Migration, Storage } from '../storage/engine.ts';
import { CarechainError, errorMessage } from '../shared/errors.ts';
import type { ChainConnection } from './client.ts';

export const journalMigrations: Migration[] = [
  (tx) =>
    tx.exec(`
      CREATE TABLE tx_journal (
        id INTEGER PRIMARY KEY,
        sender TEXT NOT NULL,
        nonce INTEGER NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        raw TEXT NOT NULL,
        label TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'mined', 'reverted')),
        created_at INTEGER NOT NULL,
        last_sent_at INTEGER,
        send_count INTEGER NOT NULL DEFAULT 0,
        block_number INTEGER,
        contract_address TEXT,
        UNIQUE (sender, nonce)
      );
      CREATE INDEX tx_journal_pending ON tx_journal (status) WHERE status = 'pending';
    `),
];

export interface JournalEntry {
  id: number;
  sender: Address;
  nonce: number;
  hash: Hex;
  label: string;
  status: 'pending' | 'mined' | 'reverted';
  createdAt: number;
  sendCount: number;
  blockNumber: number | null;
  contractAddress: Address | null;
}

export interface SendOptions {
  to?: Address;
  data: Hex;
  value?: bigint;
  /** What this transaction is for, shown in the journal and logs. */
  label: string;
}

export interface TxResult {
  hash: Hex;
  nonce: number;
  receipt: TransactionReceipt;
}

export class TransactionReverted extends CarechainError {
  constructor(
    readonly hash: Hex,
    label: string,
  ) {
    super(`transaction ${hash} (${label}) was mined but reverted`);
  }
}

/** Test and drill hook: `crash-after-journal` kills the process between journalling and broadcasting. */
const FAULT = process.env.CARECHAIN_FAULT;

export class TxSender {
  readonly address: Address;
  private nextNonce: number | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private fees: { at: number; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | undefined;
  private rebroadcastTimer: NodeJS.Timeout | undefined;
  private readonly waiters = new Map<Hex, Promise<TransactionReceipt>>();
  private stopped = false;

  constructor(
    private readonly storage: Storage,
    private readonly conn: ChainConnection,
    private readonly account: LocalAccount,
    private readonly opts: { receiptTimeoutMs?: number; rebroadcastAfterMs?: number } = {},
  ) {
    this.address = account.address;
  }

  /**
   * Re-broadcasts every journalled transaction that has no receipt yet, and keeps doing so for slow
   * ones in the background. Call once at start, before sending anything new.
   */
  async recover(): Promise<JournalEntry[]> {
    const pending = await this.pending();
    // A failed re-broadcast (chain briefly unreachable) is not fatal: the entry stays pending and the
    // background loop tries again.
    for (const e of pending) await this.broadcast(e.id, await this.rawOf(e.id)).catch(() => {});
    // Re-sending identical bytes is harmless, so it is done often: a chain restarted without its
    // mempool (or one that dropped a transaction) gets it back within seconds.
    const every = this.opts.rebroadcastAfterMs ?? 3_000;
    this.rebroadcastTimer ??= setInterval(() => void this.rebroadcastStale(every).catch(() => {}), every);
    this.rebroadcastTimer.unref();
    return pending;
  }

  /** Waits for the receipts of all journalled pending transactions (after `recover`). */
  async settle(): Promise<void> {
    await Promise.all((await this.pending()).map((e) => this.waitFor(e.hash, e.label).catch(() => {})));
  }

  /** Stops background work; receipt waits end (their transactions stay journalled for the next start). */
  stop(): void {
    this.stopped = true;
    if (this.rebroadcastTimer) clearInterval(this.rebroadcastTimer);
  }

  /** Encodes, checks (by gas estimation, which surfaces reverts), journals, sends and waits. */
  async sendContract<const abi extends Abi, name extends ContractFunctionName<abi, 'nonpayable' | 'payable'>>(call: {
    address: Address;
    abi: abi;
    functionName: name;
    args: ContractFunctionArgs<abi, 'nonpayable' | 'payable', name>;
    label?: string;
  }): Promise<TxResult> {
    const data = encodeFunctionData({ abi: call.abi, functionName: call.functionName, args: call.args } as never);
    let gas: bigint;
    try {
      gas = await this.conn.client.estimateContractGas({
        address: call.address,
        abi: call.abi,
        functionName: call.functionName,
        args: call.args,
        account: this.account,
      } as never);
    } catch (err) {
      throw new CarechainError(`${call.label ?? String(call.functionName)} rejected by the chain: ${errorMessage(err)}`, 1, { cause: err });
    }
    return this.sendPrepared({ to: call.address, data, label: call.label ?? String(call.functionName) }, gas);
  }

  /** Sends raw call data (or deploys, without `to`). */
  async send(opts: SendOptions): Promise<TxResult> {
    let gas: bigint;
    try {
      gas = await this.conn.client.estimateGas({ account: this.account, to: opts.to, data: opts.data, value: opts.value });
    } catch (err) {
      throw new CarechainError(`${opts.label} rejected by the chain: ${errorMessage(err)}`, 1, { cause: err });
    }
    return this.sendPrepared(opts, gas);
  }

  private async sendPrepared(opts: SendOptions, estimatedGas: bigint): Promise<TxResult> {
    // Nonce assignment, signing and journalling are serialized; broadcasting and waiting are not.
    const { id, hash, nonce, raw } = await this.serial(async () => {
      const nonce = await this.takeNonce();
      const fees = await this.currentFees();
      const raw = await this.account.signTransaction({
        chainId: this.conn.chain.id,
        type: 'eip1559',
        nonce,
        to: opts.to ?? null,
        data: opts.data,
        value: opts.value,
        gas: (estimatedGas * 13n) / 10n + 10_000n,
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      });
      const hash = keccak256(raw);
      // Durable before anything is broadcast: a crash after this line re-sends the same bytes.
      const row = await this.storage.transaction((tx) =>
        tx.get<{ id: number }>(
          `INSERT INTO tx_journal (sender, nonce, hash, raw, label, status, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?) RETURNING id`,
          [this.address, nonce, hash, raw, opts.label, Date.now()],
        ),
      );
      this.nextNonce = nonce + 1;
      if (FAULT === 'crash-after-journal') process.kill(process.pid, 'SIGKILL');
      return { id: Number(row!.id), hash, nonce, raw };
    });
    await this.broadcast(id, raw);
    const receipt = await this.waitFor(hash, opts.label);
    return { hash, nonce, receipt };
  }

  /** Journal entries, newest first. */
  async entries(limit = 100): Promise<JournalEntry[]> {
    const rows = await this.storage.all<JournalEntry>(
      `SELECT id, sender, nonce, hash, label, status, created_at AS "createdAt", send_count AS "sendCount",
              block_number AS "blockNumber", contract_address AS "contractAddress"
         FROM tx_journal WHERE sender = ? ORDER BY id DESC LIMIT ?`,
      [this.address, limit],
    );
    return rows.map((r) => ({ ...r, id: Number(r.id), nonce: Number(r.nonce), createdAt: Number(r.createdAt), sendCount: Number(r.sendCount), blockNumber: r.blockNumber === null ? null : Number(r.blockNumber) }));
  }

  /** Journalled transactions without a receipt yet, oldest first. */
  async pending(): Promise<JournalEntry[]> {
    return (await this.entries(1_000_000)).filter((e) => e.status === 'pending').reverse();
  }

  /** The newest journalled (pending or mined) transaction whose label starts with `prefix`. */
  async latestLabelled(prefix: string): Promise<string | undefined> {
    const row = await this.storage.get<{ label: string }>(
      `SELECT label FROM tx_journal WHERE sender = ? AND status IN ('pending', 'mined') AND label LIKE ? ORDER BY id DESC LIMIT 1`,
      [this.address, `${prefix}%`],
    );
    return row?.label;
  }

  private async rawOf(id: number): Promise<Hex> {
    return (await this.storage.get<{ raw: Hex }>('SELECT raw FROM tx_journal WHERE id = ?', [id]))!.raw;
  }

  private async takeNonce(): Promise<number> {
    if (this.nextNonce === undefined) {
      const onChain = await this.conn.client.getTransactionCount({ address: this.address, blockTag: 'pending' });
      const row = await this.storage.get<{ n: number | null }>('SELECT MAX(nonce) AS n FROM tx_journal WHERE sender = ?', [this.address]);
      this.nextNonce = Math.max(onChain, row?.n === null || row?.n === undefined ? 0 : Number(row.n) + 1);
    }
    return this.nextNonce;
  }

  private async currentFees() {
    if (this.fees && Date.now() - this.fees.at < 2000) return this.fees;
    const block = await this.conn.client.getBlock({ blockTag: 'latest' });
    const base = block.baseFeePerGas ?? 0n;
    // Generous headroom so a transaction re-broadcast after a while still pays the base fee.
    const priority = base === 0n ? 0n : 1_000_000n;
    this.fees = { at: Date.now(), maxFeePerGas: base * 3n + priority, maxPriorityFeePerGas: priority };
    return this.fees;
  }

  private async broadcast(id: number, raw: Hex): Promise<void> {
    try {
      await this.conn.client.sendRawTransaction({ serializedTransaction: raw });
    } catch (err) {
      // Already in the pool or already mined: the receipt wait will tell which.
      const msg = `${(err as Error).message} ${(err as { details?: string }).details ?? ''}`.toLowerCase();
      if (!/already known|already imported|nonce too low|known transaction/.test(msg)) {
        await this.storage.run('UPDATE tx_journal SET last_sent_at = ? WHERE id = ?', [Date.now(), id]);
        throw new CarechainError(`broadcast of journalled transaction ${id} failed: ${errorMessage(err)}`, 1, { cause: err });
      }
    }
    await this.storage.run('UPDATE tx_journal SET last_sent_at = ?, send_count = send_count + 1 WHERE id = ?', [Date.now(), id]);
  }

  private waitFor(hash: Hex, label: string): Promise<TransactionReceipt> {
    let w = this.waiters.get(hash);
    if (!w) {
      w = this.pollReceipt(hash, label).finally(() => this.waiters.delete(hash));
      this.waiters.set(hash, w);
    }
    return w;
  }

  private async pollReceipt(hash: Hex, label: string): Promise<TransactionReceipt> {
    const deadline = Date.now() + (this.opts.receiptTimeoutMs ?? 120_000);
    for (;;) {
      if (this.stopped) throw new CarechainError(`stopped while waiting for ${hash} (${label}); it stays journalled`);
      const receipt = await this.conn.client.getTransactionReceipt({ hash }).catch(() => undefined);
      if (this.stopped) throw new CarechainError(`stopped while waiting for ${hash} (${label}); it stays journalled`);
      if (receipt) {
        await this.storage.run('UPDATE tx_journal SET status = ?, block_number = ?, contract_address = ? WHERE hash = ?', [
          receipt.status === 'success' ? 'mined' : 'reverted',
          Number(receipt.blockNumber),
          receipt.contractAddress ?? null,
          hash,
        ]);
        if (receipt.status !== 'success') throw new TransactionReverted(hash, label);
        return receipt;
      }
      if (Date.now() > deadline) {
        throw new CarechainError(`no receipt for ${hash} (${label}) yet; it stays journalled and will be re-sent`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private async rebroadcastStale(afterMs: number): Promise<void> {
    const stale = await this.storage.all<{ id: number; raw: Hex }>(
      `SELECT id, raw FROM tx_journal WHERE sender = ? AND status = 'pending' AND (last_sent_at IS NULL OR last_sent_at < ?) ORDER BY nonce`,
      [this.address, Date.now() - afterMs],
    );
    for (const s of stale) await this.broadcast(s.id, s.raw).catch(() => {});
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }
}
