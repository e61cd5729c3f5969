/** The ParticipantRegistry mirrored: who is who, their keys, endpoints and whether they are active. */
import type { Hex } from 'viem';
import { participantRegistryAbi } from '../../chain/generated/contracts.ts';
import { kindFromChain, type OrgKind } from '../../chain/ids.ts';
import type { Sql } from '../../storage/engine.ts';
import type { EventArgs, Projector } from '../projector.ts';

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

export const participantsProjector: Projector = {
  name: 'index.participants',
  abi: participantRegistryAbi,
  address: (d) => d.contracts.ParticipantRegistry.address,
  tables: ['participants'],
  migrations: [
    (tx) =>
      tx.exec(`
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
      `),
  ],
  async apply(tx, ev, block) {
    const a = ev.args as EventArgs;
    switch (ev.eventName) {
      case 'OrganizationRegistered':
        await tx.run(
          `INSERT INTO participants (org_id, kind, name, signer, encryption_key, endpoint, active, registered_block, updated_block)
           VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`,
          [a.orgId, kindFromChain(a.kind), a.name, a.signer, a.encryptionKey, a.endpoint, block, block],
        );
        break;
      case 'OrganizationSuspended':
      case 'OrganizationReinstated':
        await tx.run('UPDATE participants SET active = ?, updated_block = ? WHERE org_id = ?', [ev.eventName === 'OrganizationReinstated' ? 1 : 0, block, a.orgId]);
        break;
      case 'SigningKeyRotated':
        await tx.run('UPDATE participants SET signer = ?, updated_block = ? WHERE org_id = ?', [a.newSigner, block, a.orgId]);
        break;
      case 'EncryptionKeyRotated':
        await tx.run('UPDATE participants SET encryption_key = ?, updated_block = ? WHERE org_id = ?', [a.encryptionKey, block, a.orgId]);
        break;
      case 'EndpointChanged':
        await tx.run('UPDATE participants SET endpoint = ?, updated_block = ? WHERE org_id = ?', [a.endpoint, block, a.orgId]);
        break;
    }
  },
};

const COLUMNS = `org_id AS "orgId", kind, name, signer, encryption_key AS "encryptionKey", endpoint, active,
  registered_block AS "registeredBlock", updated_block AS "updatedBlock"`;

type Row = Omit<Participant, 'active'> & { active: number };
const toParticipant = (r: Row): Participant => ({ ...r, active: Number(r.active) === 1, registeredBlock: Number(r.registeredBlock), updatedBlock: Number(r.updatedBlock) });

export async function listParticipants(sql: Sql, filter: { kind?: OrgKind; active?: boolean } = {}): Promise<Participant[]> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.kind) {
    where.push('kind = ?');
    params.push(filter.kind);
  }
  if (filter.active !== undefined) {
    where.push('active = ?');
    params.push(Number(filter.active));
  }
  const rows = await sql.all<Row>(`SELECT ${COLUMNS} FROM participants ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY registered_block, name`, params);
  return rows.map(toParticipant);
}

/** A participant by organization id (ids are indexed lowercase, as viem decodes bytes32). */
export async function getParticipant(sql: Sql, orgId: Hex): Promise<Participant | undefined> {
  const row = await sql.get<Row>(`SELECT ${COLUMNS} FROM participants WHERE org_id = ?`, [orgId.toLowerCase()]);
  return row && toParticipant(row);
}
