/** The AnchorRegistry mirrored: every organization's anchored tree heads. */
import type { Hex } from 'viem';
import { anchorRegistryAbi } from '../../chain/generated/contracts.ts';
import { logKindFromChain, type LogKind } from '../../chain/ids.ts';
import type { Sql } from '../../storage/engine.ts';
import type { EventArgs, Projector } from '../projector.ts';

export interface AnchorRow {
  orgId: Hex;
  kind: LogKind;
  logId: Hex;
  index: number;
  treeSize: number;
  root: Hex;
  timestamp: number;
  blockNumber: number;
  txHash: Hex;
}

export const anchorsProjector: Projector = {
  name: 'index.anchors',
  abi: anchorRegistryAbi,
  address: (d) => d.contracts.AnchorRegistry.address,
  tables: ['anchors'],
  migrations: [
    (tx) =>
      tx.exec(`
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
  ],
  async apply(tx, ev, block) {
    if (ev.eventName !== 'Anchored') return;
    const a = ev.args as EventArgs;
    await tx.run(
      `INSERT INTO anchors (org_id, kind, log_id, idx, tree_size, root, timestamp, block_number, tx_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [a.orgId, logKindFromChain(a.kind), a.logId, Number(a.index), Number(a.treeSize), a.root, Number(a.timestamp), block, ev.transactionHash],
    );
  },
};

const COLUMNS = `org_id AS "orgId", kind, log_id AS "logId", idx AS "index", tree_size AS "treeSize", root, timestamp,
  block_number AS "blockNumber", tx_hash AS "txHash"`;

const toAnchor = (r: AnchorRow): AnchorRow => ({ ...r, index: Number(r.index), treeSize: Number(r.treeSize), timestamp: Number(r.timestamp), blockNumber: Number(r.blockNumber) });

export interface AnchorFilter {
  orgId?: Hex;
  kind?: LogKind;
  logId?: Hex;
  limit?: number;
}

/** Anchors, newest first. */
export async function listAnchors(sql: Sql, filter: AnchorFilter): Promise<AnchorRow[]> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.orgId) where.push('org_id = ?'), params.push(filter.orgId.toLowerCase());
  if (filter.kind) where.push('kind = ?'), params.push(filter.kind);
  if (filter.logId) where.push('log_id = ?'), params.push(filter.logId.toLowerCase());
  const rows = await sql.all<AnchorRow>(
    `SELECT ${COLUMNS} FROM anchors ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY block_number DESC, idx DESC LIMIT ?`,
    [...params, filter.limit ?? 100],
  );
  return rows.map(toAnchor);
}

/** The oldest anchor of a log whose tree covers leaf `index` (the first root that can prove it). */
export async function anchorCovering(sql: Sql, log: { orgId: Hex; kind: LogKind; logId: Hex }, index: number): Promise<AnchorRow | undefined> {
  const row = await sql.get<AnchorRow>(
    `SELECT ${COLUMNS} FROM anchors WHERE org_id = ? AND kind = ? AND log_id = ? AND tree_size > ? ORDER BY idx LIMIT 1`,
    [log.orgId.toLowerCase(), log.kind, log.logId.toLowerCase(), index],
  );
  return row && toAnchor(row);
}
