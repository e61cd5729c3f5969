/** The ConsentRegistry mirrored: patients' grants, revocations and proxies. */
import type { Address, Hex } from 'viem';
import { consentRegistryAbi } from '../../chain/generated/contracts.ts';
import type { Sql } from '../../storage/engine.ts';
import { purposeFromChain, type PurposeCode } from '../../chain/ids.ts';
import type { EventArgs, Projector } from '../projector.ts';

export interface GrantRow {
  grant_id: Hex;
  patient: Hex;
  grantee: Hex;
  scope_hash: Hex;
  purpose: PurposeCode;
  start: number;
  expiry: number;
  signer: Hex;
  granted_block: number;
  revoked_block: number | null;
}

export const consentProjector: Projector = {
  name: 'index.consent',
  abi: consentRegistryAbi,
  address: (d) => d.contracts.ConsentRegistry.address,
  tables: ['consent_grants', 'consent_proxies'],
  migrations: [
    (tx) =>
      tx.exec(`
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
      `),
  ],
  async apply(tx, ev, block) {
    const a = ev.args as EventArgs;
    switch (ev.eventName) {
      case 'ConsentGranted':
        await tx.run(
          `INSERT INTO consent_grants (grant_id, patient, grantee, scope_hash, purpose, start, expiry, signer, granted_block) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [a.grantId, lower(a.patient), a.grantee, a.scopeHash, purposeFromChain(a.purpose), Number(a.start), Number(a.expiry), lower(a.signer), block],
        );
        break;
      case 'ConsentRevoked':
        await tx.run('UPDATE consent_grants SET revoked_block = ? WHERE grant_id = ?', [block, a.grantId]);
        break;
      case 'ProxyAppointed':
        await tx.run(
          'INSERT INTO consent_proxies (patient, proxy, expiry, block) VALUES (?, ?, ?, ?) ON CONFLICT (patient, proxy) DO UPDATE SET expiry = excluded.expiry, block = excluded.block',
          [lower(a.patient), lower(a.proxy), Number(a.expiry), block],
        );
        break;
    }
  },
};

/** Addresses are indexed lowercase, so lookups need no function on the column. */
const lower = (a: string) => a.toLowerCase();

const toGrant = (r: GrantRow): GrantRow => ({
  ...r,
  start: Number(r.start),
  expiry: Number(r.expiry),
  granted_block: Number(r.granted_block),
  revoked_block: r.revoked_block === null ? null : Number(r.revoked_block),
});

export async function grantsOf(sql: Sql, patient: Address | Hex): Promise<GrantRow[]> {
  return (await sql.all<GrantRow>('SELECT * FROM consent_grants WHERE patient = ? ORDER BY granted_block', [lower(patient)])).map(toGrant);
}

export async function grantById(sql: Sql, grantId: Hex): Promise<GrantRow | undefined> {
  const row = await sql.get<GrantRow>('SELECT * FROM consent_grants WHERE grant_id = ?', [grantId.toLowerCase()]);
  return row && toGrant(row);
}

/** The patients `proxy` is an active proxy for at `nowSeconds`. */
export async function patientsProxiedBy(sql: Sql, proxy: Address, nowSeconds: number): Promise<Hex[]> {
  return (await sql.all<{ patient: Hex }>('SELECT patient FROM consent_proxies WHERE proxy = ? AND expiry > ?', [lower(proxy), nowSeconds])).map((r) => r.patient);
}
