/**
 * The ClaimRegistry mirrored: each claim's parties, hashes, patient commitment and state, its state
 * history (who moved it, when, with which document hash) and the disputes recorded against it. Only
 * what the ledger holds: no claim content.
 */
import type { Hex } from 'viem';
import { claimRegistryAbi } from '../../chain/generated/contracts.ts';
import type { Sql } from '../../storage/engine.ts';
import type { EventArgs, Projector } from '../projector.ts';

/** ClaimRegistry.State, by its enum index. */
export const CLAIM_STATES = ['none', 'submitted', 'pended', 'approved', 'denied', 'paid', 'voided', 'appealed'] as const;
export type ClaimState = (typeof CLAIM_STATES)[number];

export interface LedgerClaim {
  claimId: Hex;
  provider: Hex;
  insurer: Hex;
  claimHash: Hex;
  patientCommitment: Hex;
  state: ClaimState;
  lastDocHash: Hex;
  submittedBlock: number;
  changedBlock: number;
  disputed: boolean;
}

export interface LedgerClaimMove {
  claimId: Hex;
  by: Hex;
  from: ClaimState;
  to: ClaimState;
  docHash: Hex;
  block: number;
  txHash: Hex;
}

export const claimRegistryProjector: Projector = {
  name: 'index.claim-registry',
  tables: ['ledger_claims', 'ledger_claim_moves'],
  abi: claimRegistryAbi,
  address: (d) => d.contracts.ClaimRegistry.address,
  migrations: [
    (tx) =>
      tx.exec(`
        CREATE TABLE ledger_claims (
          claim_id TEXT PRIMARY KEY,
          provider TEXT NOT NULL,
          insurer TEXT NOT NULL,
          claim_hash TEXT NOT NULL,
          patient_commitment TEXT NOT NULL,
          state TEXT NOT NULL,
          last_doc_hash TEXT NOT NULL,
          submitted_block INTEGER NOT NULL,
          changed_block INTEGER NOT NULL,
          disputed INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX ledger_claims_commitment ON ledger_claims (patient_commitment);
        CREATE INDEX ledger_claims_insurer ON ledger_claims (insurer, state);
        CREATE TABLE ledger_claim_moves (
          claim_id TEXT NOT NULL,
          by_org TEXT NOT NULL,
          from_state TEXT NOT NULL,
          to_state TEXT NOT NULL,
          doc_hash TEXT NOT NULL,
          block INTEGER NOT NULL,
          tx_hash TEXT NOT NULL,
          log_index INTEGER NOT NULL,
          PRIMARY KEY (tx_hash, log_index)
        );
        CREATE INDEX ledger_claim_moves_claim ON ledger_claim_moves (claim_id, block);
      `),
  ],
  async apply(tx, ev, block) {
    const a = ev.args as EventArgs;
    if (ev.eventName === 'ClaimSubmitted') {
      await tx.run(
        `INSERT INTO ledger_claims (claim_id, provider, insurer, claim_hash, patient_commitment, state, last_doc_hash, submitted_block, changed_block)
         VALUES (?, ?, ?, ?, ?, 'submitted', ?, ?, ?) ON CONFLICT (claim_id) DO NOTHING`,
        [a.claimId, a.provider, a.insurer, a.claimHash, a.patientCommitment, a.claimHash, block, block],
      );
    } else if (ev.eventName === 'ClaimStateChanged') {
      const from = CLAIM_STATES[Number(a.from)] ?? 'none';
      const to = CLAIM_STATES[Number(a.to)] ?? 'none';
      await tx.run('UPDATE ledger_claims SET state = ?, last_doc_hash = ?, changed_block = ? WHERE claim_id = ?', [to, a.docHash, block, a.claimId]);
      await tx.run(
        `INSERT INTO ledger_claim_moves (claim_id, by_org, from_state, to_state, doc_hash, block, tx_hash, log_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (tx_hash, log_index) DO NOTHING`,
        [a.claimId, a.by, from, to, a.docHash, block, ev.transactionHash, ev.logIndex ?? 0],
      );
    } else if (ev.eventName === 'ClaimDisputed') {
      await tx.run('UPDATE ledger_claims SET disputed = 1 WHERE claim_id = ?', [a.claimId]);
      await tx.run(
        `INSERT INTO ledger_claim_moves (claim_id, by_org, from_state, to_state, doc_hash, block, tx_hash, log_index) VALUES (?, ?, 'disputed', 'disputed', ?, ?, ?, ?)
         ON CONFLICT (tx_hash, log_index) DO NOTHING`,
        [a.claimId, a.insurer, a.disputeHash, block, ev.transactionHash, ev.logIndex ?? 0],
      );
    }
  },
};

const COLUMNS = `claim_id AS "claimId", provider, insurer, claim_hash AS "claimHash", patient_commitment AS "patientCommitment", state, last_doc_hash AS "lastDocHash",
  submitted_block AS "submittedBlock", changed_block AS "changedBlock", disputed`;
type Row = Omit<LedgerClaim, 'disputed'> & { disputed: number | boolean };
const toClaim = (r: Row): LedgerClaim => ({ ...r, submittedBlock: Number(r.submittedBlock), changedBlock: Number(r.changedBlock), disputed: Number(r.disputed) === 1 });

export async function ledgerClaim(sql: Sql, claimId: Hex): Promise<LedgerClaim | undefined> {
  const row = await sql.get<Row>(`SELECT ${COLUMNS} FROM ledger_claims WHERE claim_id = ?`, [claimId.toLowerCase()]);
  return row && toClaim(row);
}

/** The claims whose patient commitment is one of `commitments`. */
export async function ledgerClaimsByCommitment(sql: Sql, commitments: readonly Hex[]): Promise<LedgerClaim[]> {
  if (commitments.length === 0) return [];
  const rows = await sql.all<Row>(`SELECT ${COLUMNS} FROM ledger_claims WHERE patient_commitment IN (${commitments.map(() => '?').join(', ')})`, commitments.map((c) => c.toLowerCase()));
  return rows.map(toClaim);
}

/** A claim's moves on the ledger, oldest first. */
export async function ledgerClaimMoves(sql: Sql, claimId: Hex): Promise<LedgerClaimMove[]> {
  const rows = await sql.all<LedgerClaimMove>(
    `SELECT claim_id AS "claimId", by_org AS "by", from_state AS "from", to_state AS "to", doc_hash AS "docHash", block, tx_hash AS "txHash" FROM ledger_claim_moves WHERE claim_id = ? ORDER BY block, log_index`,
    [claimId.toLowerCase()],
  );
  return rows.map((r) => ({ ...r, block: Number(r.block) }));
}

/** The claims addressed to `insurer` that are in `state`. */
export async function ledgerClaimsInState(sql: Sql, insurer: Hex, state: ClaimState): Promise<LedgerClaim[]> {
  const rows = await sql.all<Row>(`SELECT ${COLUMNS} FROM ledger_claims WHERE insurer = ? AND state = ?`, [insurer.toLowerCase(), state]);
  return rows.map(toClaim);
}
