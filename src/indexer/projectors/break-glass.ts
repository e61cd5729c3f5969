/** The BreakGlassRegistry mirrored: every emergency access, as flagged on the ledger. */
import type { Hex } from 'viem';
import { breakGlassRegistryAbi } from '../../chain/generated/contracts.ts';
import type { Sql } from '../../storage/engine.ts';
import type { EventArgs, Projector } from '../projector.ts';

export interface BreakGlassFlag {
  custodian: Hex;
  requester: Hex;
  practitioner: Hex;
  patientTag: Hex;
  accessId: Hex;
  reasonHash: Hex;
  until: number;
  block: number;
  txHash: Hex;
}

export const breakGlassProjector: Projector = {
  name: 'index.break-glass',
  abi: breakGlassRegistryAbi,
  address: (d) => d.contracts.BreakGlassRegistry.address,
  tables: ['break_glass_flags'],
  migrations: [
    (tx) =>
      tx.exec(`
        CREATE TABLE break_glass_flags (
          access_id TEXT PRIMARY KEY,
          custodian TEXT NOT NULL,
          requester TEXT NOT NULL,
          practitioner TEXT NOT NULL,
          patient_tag TEXT NOT NULL,
          reason_hash TEXT NOT NULL,
          until INTEGER NOT NULL,
          block INTEGER NOT NULL,
          tx_hash TEXT NOT NULL
        );
        CREATE INDEX break_glass_flags_custodian ON break_glass_flags (custodian, block);
        CREATE INDEX break_glass_flags_requester ON break_glass_flags (requester, block);
      `),
  ],
  async apply(tx, ev, block) {
    if (ev.eventName !== 'BreakGlass') return;
    const a = ev.args as EventArgs;
    await tx.run(
      `INSERT INTO break_glass_flags (access_id, custodian, requester, practitioner, patient_tag, reason_hash, until, block, tx_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (access_id) DO NOTHING`,
      [a.accessId, a.custodian, a.requester, a.practitioner, a.patientTag, a.reasonHash, Number(a.until), block, ev.transactionHash],
    );
  },
};

const COLUMNS = `custodian, requester, practitioner, patient_tag AS "patientTag", access_id AS "accessId", reason_hash AS "reasonHash", until, block, tx_hash AS "txHash"`;
const toFlag = (r: BreakGlassFlag): BreakGlassFlag => ({ ...r, until: Number(r.until), block: Number(r.block) });

export async function breakGlassFlag(sql: Sql, accessId: Hex): Promise<BreakGlassFlag | undefined> {
  const row = await sql.get<BreakGlassFlag>(`SELECT ${COLUMNS} FROM break_glass_flags WHERE access_id = ?`, [accessId.toLowerCase()]);
  return row && toFlag(row);
}

/** Flags involving an organization, as custodian or requester, newest first. */
export async function breakGlassFlagsOf(sql: Sql, orgId: Hex, limit = 1000): Promise<BreakGlassFlag[]> {
  const rows = await sql.all<BreakGlassFlag>(`SELECT ${COLUMNS} FROM break_glass_flags WHERE custodian = ? OR requester = ? ORDER BY block DESC LIMIT ?`, [orgId.toLowerCase(), orgId.toLowerCase(), limit]);
  return rows.map(toFlag);
}
