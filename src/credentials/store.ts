/**
 * Credentials on a node: the exclusion list (OIG LEIE layout), the credentials its practitioners
 * presented, and verification of any credential against the indexed ledger. Owns `exclusions` and
 * `practitioner_credentials`.
 */
import { parse } from 'csv-parse/sync';
import type { Hex } from 'viem';
import { affiliatedUntil } from '../indexer/projectors/affiliations.ts';
import { credentialStatus, issuerMayIssue } from '../indexer/projectors/credential-status.ts';
import { getParticipant } from '../indexer/projectors/participants.ts';
import { invalid } from '../shared/errors.ts';
import type { Migration, Sql, Storage, Tx } from '../storage/engine.ts';
import { credentialTypeId, jurisdictionId, type CredentialType } from './types.ts';
import { credentialDocumentHash, openCredential, type CredentialClaims } from './vc.ts';

export const credentialMigrations: Migration[] = [
  (tx) =>
    tx.exec(`
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

export interface Verification {
  valid: boolean;
  problems: string[];
  claims?: CredentialClaims;
  status?: string;
  issuer?: { orgId: Hex; name: string };
  indexedBlock: number;
}

export interface PresentedCredential {
  credentialId: string;
  practitioner: string;
  type: string;
  jws: string;
}

export class CredentialStore {
  constructor(private readonly storage: Storage) {}

  /** Replaces the exclusion list with a LEIE CSV; returns the number of exclusions. */
  async importExclusions(tx: Tx, csv: string): Promise<number> {
    let rows: Record<string, string>[];
    try {
      rows = parse(csv, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
    } catch (err) {
      throw invalid(`not a CSV file: ${(err as Error).message}`);
    }
    const missing = LEIE_COLUMNS.filter((c) => rows.length && !(c in rows[0]!));
    if (missing.length) throw invalid(`not an LEIE file: missing column(s) ${missing.join(', ')}`);
    const now = new Date().toISOString();
    await tx.run('DELETE FROM exclusions');
    for (const r of rows) {
      const npi = r.NPI && r.NPI !== '0000000000' ? r.NPI : null;
      await tx.run('INSERT INTO exclusions (npi, lastname, firstname, busname, excltype, excldate, reindate, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        npi, r.LASTNAME ?? null, r.FIRSTNAME ?? null, r.BUSNAME ?? null, r.EXCLTYPE ?? '', r.EXCLDATE ?? '', r.REINDATE && r.REINDATE !== '00000000' ? r.REINDATE : null, now,
      ]);
    }
    return rows.length;
  }

  exclusionOf(npi: string, sql: Sql = this.storage): Promise<{ excltype: string; excldate: string } | undefined> {
    return sql.get('SELECT excltype, excldate FROM exclusions WHERE npi = ? AND reindate IS NULL', [npi]);
  }

  async savePresented(tx: Tx, c: PresentedCredential): Promise<void> {
    await tx.run(
      `INSERT INTO practitioner_credentials (credential_id, practitioner, type, jws, presented_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (credential_id) DO UPDATE SET practitioner = excluded.practitioner, type = excluded.type, jws = excluded.jws, presented_at = excluded.presented_at`,
      [c.credentialId, c.practitioner, c.type, c.jws, new Date().toISOString()],
    );
  }

  /** Presented credentials, of one practitioner or all, by practitioner and type. */
  presented(filter: { practitioner?: string; type?: string } = {}): Promise<PresentedCredential[]> {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.practitioner) where.push('practitioner = ?'), params.push(filter.practitioner);
    if (filter.type) where.push('type = ?'), params.push(filter.type);
    return this.storage.all<PresentedCredential>(
      `SELECT credential_id AS "credentialId", practitioner, type, jws FROM practitioner_credentials ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY practitioner, type, presented_at DESC`,
      params,
    );
  }

  /** Signature, issuer authority and scope, validity window, ledger status, exclusion: all from the index. */
  async verify(jws: string, indexedBlock: number, now = Date.now()): Promise<Verification> {
    const problems: string[] = [];
    let opened: Awaited<ReturnType<typeof openCredential>>;
    try {
      opened = await openCredential(jws);
    } catch (err) {
      return { valid: false, problems: [`signature: ${(err as Error).message}`], indexedBlock };
    }
    const { claims, signer } = opened;
    const issuerId = /^did:carechain:org:(0x[0-9a-f]{64})$/.exec(claims.issuer ?? '')?.[1] as Hex | undefined;
    const issuer = issuerId ? await getParticipant(this.storage, issuerId) : undefined;
    if (!issuer) problems.push(`issuer ${claims.issuer} is not a registered organization`);
    else {
      if (!issuer.active) problems.push(`issuer ${issuer.name} is suspended`);
      if (issuer.signer.toLowerCase() !== signer.toLowerCase()) problems.push(`signed by ${signer}, not by ${issuer.name}'s registered key`);
    }
    const c = claims.credentialSubject?.credential;
    const type = c?.type as CredentialType | undefined;
    if (issuerId && type && c?.jurisdiction && !(await issuerMayIssue(this.storage, issuerId, credentialTypeId(type), jurisdictionId(c.jurisdiction)))) {
      problems.push(`${issuer?.name ?? issuerId} may not issue ${type} in ${c.jurisdiction}`);
    }
    if (!(Date.parse(claims.validFrom) <= now)) problems.push(`not valid before ${claims.validFrom}`);
    if (!(now < Date.parse(claims.validUntil))) problems.push(`expired on ${claims.validUntil}`);
    const status = claims.credentialStatus?.id ? await credentialStatus(this.storage, claims.credentialStatus.id as Hex) : undefined;
    if (!status) problems.push('no status on the ledger for this credential');
    else {
      if (status.status !== 'active') problems.push(`credential ${status.status} on the ledger`);
      if (issuerId && status.issuer !== issuerId) problems.push('the ledger names another issuer');
      if (type && status.credentialType !== credentialTypeId(type)) problems.push('the ledger names another credential type');
      if (status.documentHash !== credentialDocumentHash(jws)) problems.push('this is not the credential document the issuer registered on the ledger');
      if (!status.holder || status.holder !== claims.credentialSubject?.holder?.toLowerCase()) problems.push('the ledger names another holder key');
    }
    const npi = claims.credentialSubject?.npi;
    if (npi) {
      const x = await this.exclusionOf(npi);
      if (x) problems.push(`practitioner excluded (LEIE ${x.excltype} since ${x.excldate})`);
    }
    return { valid: problems.length === 0, problems, claims, status: status?.status, issuer: issuer && { orgId: issuer.orgId, name: issuer.name }, indexedBlock };
  }

  /**
   * The practitioner's presented medical licence(s), checked now: null when one is valid and its
   * holder is affiliated with `organization` on the ledger, else why not.
   */
  async licenceProblem(practitioner: string, organization: Hex, indexedBlock: number): Promise<string | null> {
    const rows = await this.presented({ practitioner, type: 'medical-licence' });
    if (rows.length === 0) return `${practitioner} has presented no medical licence`;
    const problems: string[] = [];
    for (const r of rows) {
      const v = await this.verify(r.jws, indexedBlock);
      if (!v.valid) {
        problems.push(...v.problems);
        continue;
      }
      if ((await affiliatedUntil(this.storage, organization, r.credentialId as Hex)) * 1000 <= Date.now()) {
        problems.push('the licence holder is not affiliated with this organization on the ledger');
        continue;
      }
      return null;
    }
    return `${practitioner} has no valid licence: ${problems.join('; ')}`;
  }

  /**
   * A medical licence referenced by another organization (id and document hash, never the document):
   * null when the ledger has it active, of type medical-licence, with this document hash, and its
   * holder affiliated with `requester` now; else why not. The custodian checks this before break-glass.
   */
  async referencedLicenceProblem(ref: { id: Hex; hash: Hex }, requester: Hex, nowMs = Date.now()): Promise<string | null> {
    const status = await credentialStatus(this.storage, ref.id);
    if (!status) return 'no credential with this id on the ledger';
    if (status.credentialType !== credentialTypeId('medical-licence')) return 'the referenced credential is not a medical licence';
    if (status.status !== 'active') return `the licence is ${status.status} on the ledger`;
    if (!status.documentHash || status.documentHash.toLowerCase() !== ref.hash.toLowerCase()) return 'the hash does not match the licence document the issuer registered';
    if ((await affiliatedUntil(this.storage, requester, ref.id)) * 1000 <= nowMs) return 'the licence holder is not affiliated with the requesting organization on the ledger';
    return null;
  }

  /** The practitioner's valid, affiliated medical licence, referenced (id and document hash) for another organization. */
  async licenceReference(practitioner: string): Promise<{ id: Hex; hash: Hex } | undefined> {
    const row = (await this.presented({ practitioner, type: 'medical-licence' }))[0];
    return row && { id: row.credentialId as Hex, hash: credentialDocumentHash(row.jws) };
  }
}
