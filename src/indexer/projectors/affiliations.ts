/** PractitionerAffiliations mirrored: which organization each practitioner's credential acts for. */
import type { Hex } from 'viem';
import { practitionerAffiliationsAbi } from '../../chain/generated/contracts.ts';
import type { Sql } from '../../storage/engine.ts';
import type { EventArgs, Projector } from '../projector.ts';

export const affiliationsProjector: Projector = {
  name: 'index.affiliations',
  abi: practitionerAffiliationsAbi,
  address: (d) => d.contracts.PractitionerAffiliations.address,
  tables: ['affiliations'],
  migrations: [
    (tx) =>
      tx.exec(`
        CREATE TABLE affiliations (organization TEXT NOT NULL, credential_id TEXT NOT NULL, until INTEGER NOT NULL, block INTEGER NOT NULL,
          PRIMARY KEY (organization, credential_id));
      `),
  ],
  async apply(tx, ev, block) {
    if (ev.eventName !== 'Affiliated') return;
    const a = ev.args as EventArgs;
    await tx.run(
      'INSERT INTO affiliations (organization, credential_id, until, block) VALUES (?, ?, ?, ?) ON CONFLICT (organization, credential_id) DO UPDATE SET until = excluded.until, block = excluded.block',
      [a.organization, a.credentialId, Number(a.until), block],
    );
  },
};

/** Until when (unix seconds) the credential's holder acts for the organization; 0 if not affiliated. */
export async function affiliatedUntil(sql: Sql, organization: Hex, credentialId: Hex): Promise<number> {
  const row = await sql.get<{ until: number }>('SELECT until FROM affiliations WHERE organization = ? AND credential_id = ?', [organization.toLowerCase(), credentialId.toLowerCase()]);
  return Number(row?.until ?? 0);
}
