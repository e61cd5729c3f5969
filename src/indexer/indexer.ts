/**
 * Mirrors the registries' state into the node's SQLite from their events, so every read (API,
 * policy decisions) is a local query, never a chain round trip. Each batch of blocks is applied in
 * one database transaction together with the new block pointer: after a crash the indexer resumes
 * exactly where its last committed batch ended, and never applies an event twice.
 *
 * Reorgs: the target chains (Besu QBFT, Anvil) have immediate finality, so no rollback is kept.
 */
import { EventEmitter } from 'node:events';
import { parseEventLogs, type Log } from 'viem';
import type { ChainConnection } from '../chain/client.ts';
import type { Deployment } from '../chain/deployment.ts';
import { anchorRegistryAbi, consentRegistryAbi, credentialStatusAbi, participantRegistryAbi } from '../chain/generated/contracts.ts';
import { purposeFromChain } from '../consent/typed-data.ts';
import { kindFromChain, logKindFromChain } from '../chain/ids.ts';
import type { Db, Migration } from '../db/database.ts';
import { errorMessage } from '../errors.ts';

export const indexerMigrations: Migration[] = [
  (db) =>
    db.exec(`
      CREATE TABLE indexer_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE participants (
        org_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        signer TEXT NOT NULL,
        encryption_key TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        active INTEGER NOT NULL,
        registered_block INTEGER NOT NULL,
        updated_block INTEGER NOT NULL
      );
      CREATE INDEX participants_signer ON participants (signer);
      CREATE TABLE anchors (
        org_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        log_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        tree_size INTEGER NOT NULL,
        root TEXT NOT NULL,
        timestamp INTEGER NOT NULL,
        block_number INTEGER NOT NULL,
        tx_hash TEXT NOT NULL,
        PRIMARY KEY (org_id, kind, log_id, idx)
      );
    `),
  (db) =>
    db.exec(`
      CREATE TABLE consent_grants (
        grant_id TEXT PRIMARY KEY,
        patient TEXT NOT NULL,
        grantee TEXT NOT NULL,
        scope_hash TEXT NOT NULL,
        purpose TEXT NOT NULL,
        start INTEGER NOT NULL,
        expiry INTEGER NOT NULL,
        signer TEXT NOT NULL,
        granted_block INTEGER NOT NULL,
        revoked_block INTEGER
      );
      CREATE INDEX consent_grants_patient ON consent_grants (patient, grantee);
      CREATE TABLE consent_proxies (patient TEXT NOT NULL, proxy TEXT NOT NULL, expiry INTEGER NOT NULL, block INTEGER NOT NULL, PRIMARY KEY (patient, proxy));
      CREATE TABLE record_locator (patient TEXT NOT NULL, org_id TEXT NOT NULL, block INTEGER NOT NULL, PRIMARY KEY (patient, org_id));
      CREATE TABLE break_glass (patient TEXT NOT NULL, org_id TEXT NOT NULL, access_id TEXT NOT NULL, reason_hash TEXT NOT NULL, until INTEGER NOT NULL, block INTEGER NOT NULL, tx_hash TEXT NOT NULL);
    `),
  (db) =>
    db.exec(`
      CREATE TABLE issuer_scopes (issuer TEXT NOT NULL, credential_type TEXT NOT NULL, jurisdiction TEXT NOT NULL, allowed INTEGER NOT NULL, block INTEGER NOT NULL,
        PRIMARY KEY (issuer, credential_type, jurisdiction));
      CREATE TABLE credential_status (credential_id TEXT PRIMARY KEY, issuer TEXT NOT NULL, credential_type TEXT NOT NULL, jurisdiction TEXT NOT NULL,
        status TEXT NOT NULL, changed_block INTEGER NOT NULL);
    `),
];

const abi = [...participantRegistryAbi, ...anchorRegistryAbi, ...consentRegistryAbi, ...credentialStatusAbi];
const CREDENTIAL_STATUS = ['none', 'active', 'suspended', 'revoked'] as const;

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

  constructor(
    private readonly db: Db,
    private readonly conn: ChainConnection,
    private readonly deployment: Deployment,
    private readonly opts: { pollMs?: number; maxRange?: number } = {},
  ) {
    super();
    this.setMaxListeners(0);
  }

  /** Last block whose events are all applied. */
  get indexedBlock(): number {
    const row = this.db.prepare(`SELECT value FROM indexer_state WHERE key = 'block'`).get() as { value: string } | undefined;
    return row ? Number(row.value) : this.deployment.deployedAtBlock - 1;
  }

  status(): IndexerStatus {
    return { indexedBlock: this.indexedBlock, chainHead: this.chainHead, lastPollAt: this.lastPollAt, lastError: this.lastError };
  }

  start(): void {
    const loop = async () => {
      if (this.stopped) return;
      await this.poll();
      if (!this.stopped) this.timer = setTimeout(loop, this.opts.pollMs ?? 250);
    };
    void loop();
  }

  /** Stops polling and waits for a pass in progress, so the database can be closed after. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current;
  }

  /** Resolves once every event up to block `n` is applied. */
  waitForBlock(n: number | bigint, timeoutMs = 30_000): Promise<void> {
    const target = Number(n);
    if (this.indexedBlock >= target) return Promise.resolve();
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
      let from = this.indexedBlock + 1;
      while (from <= head && !this.stopped) {
        const to = Math.min(head, from + (this.opts.maxRange ?? 2000) - 1);
        const logs = await this.conn.client.getLogs({
          address: [
            this.deployment.contracts.ParticipantRegistry.address,
            this.deployment.contracts.AnchorRegistry.address,
            this.deployment.contracts.ConsentRegistry.address,
            this.deployment.contracts.CredentialStatus.address,
          ],
          fromBlock: BigInt(from),
          toBlock: BigInt(to),
        });
        if (this.stopped) return;
        this.apply(logs, to);
        this.emit('block', to);
        from = to + 1;
      }
      this.lastPollAt = Date.now();
      this.lastError = null;
    } catch (err) {
      this.lastError = errorMessage(err);
    }
  }

  private apply(logs: Log[], toBlock: number): void {
    const events = parseEventLogs({ abi, logs });
    const { ParticipantRegistry: pr, AnchorRegistry: ar, ConsentRegistry: cr, CredentialStatus: cs } = this.deployment.contracts;
    const db = this.db;
    db.transaction(() => {
      for (const ev of events) {
        const block = Number(ev.blockNumber);
        const from = ev.address.toLowerCase();
        if (from === pr.address.toLowerCase()) {
          switch (ev.eventName) {
            case 'OrganizationRegistered':
              db.prepare(
                `INSERT INTO participants (org_id, kind, name, signer, encryption_key, endpoint, active, registered_block, updated_block)
                 VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`,
              ).run(ev.args.orgId, kindFromChain(ev.args.kind), ev.args.name, ev.args.signer, ev.args.encryptionKey, ev.args.endpoint, block, block);
              break;
            case 'OrganizationSuspended':
            case 'OrganizationReinstated':
              db.prepare('UPDATE participants SET active = ?, updated_block = ? WHERE org_id = ?').run(
                ev.eventName === 'OrganizationReinstated' ? 1 : 0, block, ev.args.orgId);
              break;
            case 'SigningKeyRotated':
              db.prepare('UPDATE participants SET signer = ?, updated_block = ? WHERE org_id = ?').run(ev.args.newSigner, block, ev.args.orgId);
              break;
            case 'EncryptionKeyRotated':
              db.prepare('UPDATE participants SET encryption_key = ?, updated_block = ? WHERE org_id = ?').run(ev.args.encryptionKey, block, ev.args.orgId);
              break;
            case 'EndpointChanged':
              db.prepare('UPDATE participants SET endpoint = ?, updated_block = ? WHERE org_id = ?').run(ev.args.endpoint, block, ev.args.orgId);
              break;
          }
        } else if (from === ar.address.toLowerCase() && ev.eventName === 'Anchored') {
          db.prepare(
            `INSERT INTO anchors (org_id, kind, log_id, idx, tree_size, root, timestamp, block_number, tx_hash)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(ev.args.orgId, logKindFromChain(ev.args.kind), ev.args.logId, Number(ev.args.index), Number(ev.args.treeSize),
            ev.args.root, Number(ev.args.timestamp), block, ev.transactionHash);
        } else if (from === cs.address.toLowerCase()) {
          if (ev.eventName === 'IssuerScopeSet') {
            db.prepare(
              'INSERT INTO issuer_scopes (issuer, credential_type, jurisdiction, allowed, block) VALUES (?, ?, ?, ?, ?) ON CONFLICT (issuer, credential_type, jurisdiction) DO UPDATE SET allowed = excluded.allowed, block = excluded.block',
            ).run(ev.args.issuer, ev.args.credentialType, ev.args.jurisdiction, ev.args.allowed ? 1 : 0, block);
          } else if (ev.eventName === 'CredentialStatusChanged') {
            db.prepare(
              'INSERT INTO credential_status (credential_id, issuer, credential_type, jurisdiction, status, changed_block) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (credential_id) DO UPDATE SET status = excluded.status, changed_block = excluded.changed_block',
            ).run(ev.args.credentialId, ev.args.issuer, ev.args.credentialType, ev.args.jurisdiction, CREDENTIAL_STATUS[ev.args.status] ?? 'none', block);
          }
        } else if (from === cr.address.toLowerCase()) {
          switch (ev.eventName) {
            case 'ConsentGranted':
              db.prepare(
                `INSERT INTO consent_grants (grant_id, patient, grantee, scope_hash, purpose, start, expiry, signer, granted_block) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
              ).run(ev.args.grantId, ev.args.patient, ev.args.grantee, ev.args.scopeHash, purposeFromChain(ev.args.purpose), Number(ev.args.start), Number(ev.args.expiry), ev.args.signer, block);
              break;
            case 'ConsentRevoked':
              db.prepare('UPDATE consent_grants SET revoked_block = ? WHERE grant_id = ?').run(block, ev.args.grantId);
              break;
            case 'ProxyAppointed':
              db.prepare('INSERT INTO consent_proxies (patient, proxy, expiry, block) VALUES (?, ?, ?, ?) ON CONFLICT (patient, proxy) DO UPDATE SET expiry = excluded.expiry, block = excluded.block').run(
                ev.args.patient, ev.args.proxy, Number(ev.args.expiry), block);
              break;
            case 'CustodianRegistered':
              db.prepare('INSERT OR IGNORE INTO record_locator (patient, org_id, block) VALUES (?, ?, ?)').run(ev.args.patient, ev.args.orgId, block);
              break;
            case 'BreakGlass':
              db.prepare('INSERT INTO break_glass (patient, org_id, access_id, reason_hash, until, block, tx_hash) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
                ev.args.patient, ev.args.orgId, ev.args.accessId, ev.args.reasonHash, Number(ev.args.until), block, ev.transactionHash);
              break;
          }
        }
      }
      db.prepare(`INSERT INTO indexer_state (key, value) VALUES ('block', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(
        String(toBlock));
    })();
  }
}
