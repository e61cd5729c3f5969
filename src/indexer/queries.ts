/** Read-side queries over the indexed copy of the ledger. */
import type { Hex } from 'viem';
import type { LogKind, OrgKind } from '../chain/ids.ts';
import type { Db } from '../db/database.ts';

export interface Participant {
  orgId: Hex;
  kind: OrgKind;
  name: string;
  signer: Hex;
  encryptionKey: Hex;
  endpoint: string;
  active: boolean;
  registeredBlock: number;
  updatedBlock: number;
}

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

const participantColumns = `org_id AS orgId, kind, name, signer, encryption_key AS encryptionKey, endpoint, active,
  registered_block AS registeredBlock, updated_block AS updatedBlock`;

type ParticipantRow = Omit<Participant, 'active'> & { active: number };
const toParticipant = (r: ParticipantRow): Participant => ({ ...r, active: r.active === 1 });

export function listParticipants(db: Db, filter: { kind?: OrgKind; active?: boolean } = {}): Participant[] {
  const rows = db
    .prepare(
      `SELECT ${participantColumns} FROM participants
        WHERE (@kind IS NULL OR kind = @kind) AND (@active IS NULL OR active = @active)
        ORDER BY registered_block, name`,
    )
    .all({ kind: filter.kind ?? null, active: filter.active === undefined ? null : Number(filter.active) }) as ParticipantRow[];
  return rows.map(toParticipant);
}

export function getParticipant(db: Db, orgId: Hex): Participant | undefined {
  const row = db.prepare(`SELECT ${participantColumns} FROM participants WHERE org_id = ?`).get(orgId) as ParticipantRow | undefined;
  return row && toParticipant(row);
}

export function listAnchors(db: Db, filter: { orgId?: Hex; kind?: LogKind; logId?: Hex; limit?: number }): AnchorRow[] {
  return db
    .prepare(
      `SELECT org_id AS orgId, kind, log_id AS logId, idx AS "index", tree_size AS treeSize, root, timestamp,
              block_number AS blockNumber, tx_hash AS txHash
         FROM anchors
        WHERE (@orgId IS NULL OR org_id = @orgId) AND (@kind IS NULL OR kind = @kind) AND (@logId IS NULL OR log_id = @logId)
        ORDER BY block_number DESC, idx DESC LIMIT @limit`,
    )
    .all({ orgId: filter.orgId ?? null, kind: filter.kind ?? null, logId: filter.logId ?? null, limit: filter.limit ?? 100 }) as AnchorRow[];
}
