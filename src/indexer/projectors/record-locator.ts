/** The RecordLocator mirrored: which organizations hold records of a patient's address. */
import type { Address, Hex } from 'viem';
import { recordLocatorAbi } from '../../chain/generated/contracts.ts';
import type { Sql } from '../../storage/engine.ts';
import type { EventArgs, Projector } from '../projector.ts';

export const recordLocatorProjector: Projector = {
  name: 'index.record-locator',
  abi: recordLocatorAbi,
  address: (d) => d.contracts.RecordLocator.address,
  tables: ['record_locator'],
  migrations: [(tx) => tx.exec('CREATE TABLE record_locator (patient TEXT NOT NULL, org_id TEXT NOT NULL, block INTEGER NOT NULL, PRIMARY KEY (patient, org_id))')],
  async apply(tx, ev, block) {
    if (ev.eventName !== 'CustodianRegistered') return;
    const a = ev.args as EventArgs;
    await tx.run('INSERT INTO record_locator (patient, org_id, block) VALUES (?, ?, ?) ON CONFLICT (patient, org_id) DO NOTHING', [
      (a.patient as string).toLowerCase(),
      a.orgId,
      block,
    ]);
  },
};

/** The organizations that declared they hold records of `patient`, in the order they did. */
export async function custodiansOf(sql: Sql, patient: Address): Promise<Hex[]> {
  return (await sql.all<{ org_id: Hex }>('SELECT org_id FROM record_locator WHERE patient = ? ORDER BY block', [patient.toLowerCase()])).map((r) => r.org_id);
}
