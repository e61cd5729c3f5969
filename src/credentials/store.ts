/**
 * Credentials on a node: the exclusion list (OIG LEIE layout), the credentials its practitioners
 * presented, and verification of any credential against the indexed ledger.
 */
import { parse } from 'csv-parse/sync';
import type { Hex } from 'viem';
import type { Db, Migration } from '../db/database.ts';
import { getParticipant } from '../indexer/queries.ts';
import { credentialTypeId, jurisdictionId, type CredentialType } from './types.ts';
import { openCredential, type CredentialClaims } from './vc.ts';

export const credentialMigrations: Migration[] = [
  (db) =>
    db.exec(`
      CREATE TABLE exclusions (
        npi TEXT,
        lastname TEXT, firstname TEXT, busname TEXT,
        excltype TEXT NOT NULL, excldate TEXT NOT NULL, reindate TEXT,
        imported_at TEXT NOT NULL
      );
      CREATE INDEX exclusions_npi ON exclusions (npi);
      CREATE TABLE practitioner_credentials (
        credential_id TEXT PRIMARY KEY,
        practitioner TEXT NOT NULL,
        type TEXT NOT NULL,
        jws TEXT NOT NULL,
        presented_at TEXT NOT NULL
      );
      CREATE INDEX practitioner_credentials_practitioner ON practitioner_credentials (practitioner, type);
    `),
];

/** The OIG LEIE "UPDATED.csv" columns. */
export const LEIE_COLUMNS = ['LASTNAME', 'FIRSTNAME', 'MIDNAME', 'BUSNAME', 'GENERAL', 'SPECIALTY', 'UPIN', 'NPI', 'DOB', 'ADDRESS', 'CITY', 'STATE', 'ZIP', 'EXCLTYPE', 'EXCLDATE', 'REINDATE', 'WAIVERDATE', 'WVRSTATE'];

/** Replaces the exclusion list with a LEIE CSV; returns the number of exclusions. */
export function importExclusions(db: Db, csv: string): number {
  const rows = parse(csv, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  const missing = LEIE_COLUMNS.filter((c) => rows.length && !(c in rows[0]!));
  if (missing.length) throw new Error(`not an LEIE file: missing column(s) ${missing.join(', ')}`);
  const insert = db.prepare('INSERT INTO exclusions (npi, lastname, firstname, busname, excltype, excldate, reindate, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const now = new Date().toISOString();
  db.transaction(() => {
    db.prepare('DELETE FROM exclusions').run();
    for (const r of rows) {
      const npi = r.NPI && r.NPI !== '0000000000' ? r.NPI : null;
      insert.run(npi, r.LASTNAME, r.FIRSTNAME, r.BUSNAME, r.EXCLTYPE, r.EXCLDATE, r.REINDATE && r.REINDATE !== '00000000' ? r.REINDATE : null, now);
    }
  })();
  return rows.length;
}

export function exclusionOf(db: Db, npi: string): { excltype: string; excldate: string } | undefined {
  return db.prepare('SELECT excltype, excldate FROM exclusions WHERE npi = ? AND reindate IS NULL').get(npi) as { excltype: string; excldate: string } | undefined;
}

export interface Verification {
  valid: boolean;
  problems: string[];
  claims?: CredentialClaims;
  status?: string;
  issuer?: { orgId: Hex; name: string };
  indexedBlock: number;
}

/** Signature, issuer authority and scope, validity window, ledger status, exclusion: all from the index. */
export async function verifyCredential(db: Db, jws: string, indexedBlock: number, now = Date.now()): Promise<Verification> {
  const problems: string[] = [];
  let opened: Awaited<ReturnType<typeof openCredential>>;
  try {
    opened = await openCredential(jws);
  } catch (err) {
    return { valid: false, problems: [`signature: ${(err as Error).message}`], indexedBlock };
  }
  const { claims, signer } = opened;
  const issuerId = /^did:carechain:org:(0x[0-9a-f]{64})$/.exec(claims.issuer ?? '')?.[1] as Hex | undefined;
  const issuer = issuerId ? getParticipant(db, issuerId) : undefined;
  if (!issuer) problems.push(`issuer ${claims.issuer} is not a registered organization`);
  else {
    if (!issuer.active) problems.push(`issuer ${issuer.name} is suspended`);
    if (issuer.signer.toLowerCase() !== signer.toLowerCase()) problems.push(`signed by ${signer}, not by ${issuer.name}'s registered key`);
  }
  const c = claims.credentialSubject?.credential;
  const type = c?.type as CredentialType | undefined;
  if (issuerId && type && c?.jurisdiction) {
    const scope = db.prepare('SELECT allowed FROM issuer_scopes WHERE issuer = ? AND credential_type = ? AND jurisdiction = ?').get(issuerId, credentialTypeId(type), jurisdictionId(c.jurisdiction)) as { allowed: number } | undefined;
    if (!scope?.allowed) problems.push(`${issuer?.name ?? issuerId} may not issue ${type} in ${c.jurisdiction}`);
  }
  if (!(Date.parse(claims.validFrom) <= now)) problems.push(`not valid before ${claims.validFrom}`);
  if (!(now < Date.parse(claims.validUntil))) problems.push(`expired on ${claims.validUntil}`);
  const status = db.prepare('SELECT * FROM credential_status WHERE credential_id = ?').get(claims.credentialStatus?.id?.toLowerCase()) as
    | { issuer: string; credential_type: string; jurisdiction: string; status: string }
    | undefined;
  if (!status) problems.push('no status on the ledger for this credential');
  else {
    if (status.status !== 'active') problems.push(`credential ${status.status} on the ledger`);
    if (issuerId && status.issuer !== issuerId) problems.push('the ledger names another issuer');
    if (type && status.credential_type !== credentialTypeId(type)) problems.push('the ledger names another credential type');
  }
  const npi = claims.credentialSubject?.npi;
  if (npi) {
    const x = exclusionOf(db, npi);
    if (x) problems.push(`practitioner excluded (LEIE ${x.excltype} since ${x.excldate})`);
  }
  return { valid: problems.length === 0, problems, claims, status: status?.status, issuer: issuer && { orgId: issuer.orgId, name: issuer.name }, indexedBlock };
}

/** The practitioner's presented medical licence(s), checked now: null when one is valid, else why not. */
export async function licenceProblem(db: Db, practitioner: string, indexedBlock: number): Promise<string | null> {
  const rows = db.prepare("SELECT jws FROM practitioner_credentials WHERE practitioner = ? AND type = 'medical-licence'").all(practitioner) as { jws: string }[];
  if (rows.length === 0) return `${practitioner} has presented no medical licence`;
  const problems: string[] = [];
  for (const r of rows) {
    const v = await verifyCredential(db, r.jws, indexedBlock);
    if (v.valid) return null;
    problems.push(...v.problems);
  }
  return `${practitioner} has no valid licence: ${problems.join('; ')}`;
}
