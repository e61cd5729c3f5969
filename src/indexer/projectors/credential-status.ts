/** The CredentialStatus contract mirrored: issuer scopes and every credential's state. */
import type { Hex } from 'viem';
import { credentialStatusAbi } from '../../chain/generated/contracts.ts';
import type { Sql } from '../../storage/engine.ts';
import type { EventArgs, Projector } from '../projector.ts';

export const CREDENTIAL_STATES = ['none', 'active', 'suspended', 'revoked'] as const;
export type CredentialState = (typeof CREDENTIAL_STATES)[number];

export interface CredentialStatusRow {
  credentialId: Hex;
  issuer: Hex;
  credentialType: Hex;
  jurisdiction: Hex;
  status: CredentialState;
  changedBlock: number;
  /** The practitioner's key, and the hash of the signed credential document. */
  holder: Hex | null;
  documentHash: Hex | null;
}

export const credentialStatusProjector: Projector = {
  name: 'index.credential-status',
  abi: credentialStatusAbi,
  address: (d) => d.contracts.CredentialStatus.address,
  tables: ['issuer_scopes', 'credential_status', 'credential_status_history'],
  migrations: [
    (tx) =>
      tx.exec(`
        CREATE TABLE issuer_scopes (issuer TEXT NOT NULL, credential_type TEXT NOT NULL, jurisdiction TEXT NOT NULL, allowed INTEGER NOT NULL, block INTEGER NOT NULL,
          PRIMARY KEY (issuer, credential_type, jurisdiction));
        CREATE TABLE credential_status (credential_id TEXT PRIMARY KEY, issuer TEXT NOT NULL, credential_type TEXT NOT NULL, jurisdiction TEXT NOT NULL,
          status TEXT NOT NULL, changed_block INTEGER NOT NULL);
      `),
    // The practitioner's key and the registered document's hash (CredentialHolder).
    (tx) => tx.exec('ALTER TABLE credential_status ADD COLUMN holder TEXT; ALTER TABLE credential_status ADD COLUMN document_hash TEXT;'),
    // Every status a credential had, by block: its standing at a past date (a claim's date of service).
    (tx) =>
      tx.exec(`
        CREATE TABLE credential_status_history (credential_id TEXT NOT NULL, status TEXT NOT NULL, block INTEGER NOT NULL, tx_hash TEXT NOT NULL, log_index INTEGER NOT NULL,
          PRIMARY KEY (tx_hash, log_index));
        CREATE INDEX credential_status_history_id ON credential_status_history (credential_id, block);
      `),
  ],
  async apply(tx, ev, block) {
    const a = ev.args as EventArgs;
    if (ev.eventName === 'IssuerScopeSet') {
      await tx.run(
        'INSERT INTO issuer_scopes (issuer, credential_type, jurisdiction, allowed, block) VALUES (?, ?, ?, ?, ?) ON CONFLICT (issuer, credential_type, jurisdiction) DO UPDATE SET allowed = excluded.allowed, block = excluded.block',
        [a.issuer, a.credentialType, a.jurisdiction, a.allowed ? 1 : 0, block],
      );
    } else if (ev.eventName === 'CredentialStatusChanged') {
      await tx.run(
        'INSERT INTO credential_status (credential_id, issuer, credential_type, jurisdiction, status, changed_block) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (credential_id) DO UPDATE SET status = excluded.status, changed_block = excluded.changed_block',
        [a.credentialId, a.issuer, a.credentialType, a.jurisdiction, CREDENTIAL_STATES[a.status] ?? 'none', block],
      );
      await tx.run('INSERT INTO credential_status_history (credential_id, status, block, tx_hash, log_index) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tx_hash, log_index) DO NOTHING', [
        a.credentialId,
        CREDENTIAL_STATES[a.status] ?? 'none',
        block,
        ev.transactionHash,
        ev.logIndex ?? 0,
      ]);
    } else if (ev.eventName === 'CredentialHolder') {
      await tx.run('UPDATE credential_status SET holder = ?, document_hash = ? WHERE credential_id = ?', [(a.holder as string).toLowerCase(), a.documentHash, a.credentialId]);
    }
  },
};

export async function credentialStatus(sql: Sql, credentialId: Hex): Promise<CredentialStatusRow | undefined> {
  const row = await sql.get<CredentialStatusRow>(
    `SELECT credential_id AS "credentialId", issuer, credential_type AS "credentialType", jurisdiction, status, changed_block AS "changedBlock", holder, document_hash AS "documentHash" FROM credential_status WHERE credential_id = ?`,
    [credentialId.toLowerCase()],
  );
  return row && { ...row, changedBlock: Number(row.changedBlock) };
}

export async function issuerMayIssue(sql: Sql, issuer: Hex, credentialType: Hex, jurisdiction: Hex): Promise<boolean> {
  const row = await sql.get<{ allowed: number }>('SELECT allowed FROM issuer_scopes WHERE issuer = ? AND credential_type = ? AND jurisdiction = ?', [issuer.toLowerCase(), credentialType, jurisdiction]);
  return Number(row?.allowed ?? 0) === 1;
}

/** Every status `credentialId` had on the ledger, oldest first, with the block that set it. */
export async function credentialStatusHistory(sql: Sql, credentialId: Hex): Promise<{ status: CredentialState; block: number }[]> {
  const rows = await sql.all<{ status: CredentialState; block: number }>('SELECT status, block FROM credential_status_history WHERE credential_id = ? ORDER BY block, log_index', [credentialId.toLowerCase()]);
  return rows.map((r) => ({ status: r.status, block: Number(r.block) }));
}
