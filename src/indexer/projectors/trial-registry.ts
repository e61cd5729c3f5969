/**
 * The TrialRegistry mirrored: studies and their protocol versions (with the amendment reason hash and
 * whether re-consent is required), subjects with the version they last consented to and the block of
 * their withdrawal, data batches and dataset manifests. Opaque ids and hashes only.
 */
import type { Hex } from 'viem';
import { trialRegistryAbi } from '../../chain/generated/contracts.ts';
import type { Sql } from '../../storage/engine.ts';
import type { EventArgs, Projector } from '../projector.ts';

export interface TrialStudyRow {
  studyId: Hex;
  sponsor: Hex;
  block: number;
}

export interface TrialVersionRow {
  studyId: Hex;
  version: number;
  protocolHash: Hex;
  reasonHash: Hex | null;
  reconsent: boolean;
  block: number;
  txHash: Hex;
}

export interface TrialSubjectRow {
  studyId: Hex;
  subjectTag: Hex;
  site: Hex;
  version: number;
  consentGrant: Hex;
  enrolledBlock: number;
  consentedBlock: number;
  withdrawnBlock: number | null;
}

export interface TrialAnchorRow {
  studyId: Hex;
  kind: 'batch' | 'dataset';
  seq: number;
  org: Hex;
  root: Hex;
  size: number;
  block: number;
  txHash: Hex;
}

export const trialRegistryProjector: Projector = {
  name: 'index.trial-registry',
  tables: ['trial_studies', 'trial_versions', 'trial_subjects', 'trial_anchors'],
  abi: trialRegistryAbi,
  address: (d) => d.contracts.TrialRegistry.address,
  migrations: [
    (tx) =>
      tx.exec(`
        CREATE TABLE trial_studies (study_id TEXT PRIMARY KEY, sponsor TEXT NOT NULL, block INTEGER NOT NULL);
        CREATE TABLE trial_versions (
          study_id TEXT NOT NULL,
          version INTEGER NOT NULL,
          protocol_hash TEXT NOT NULL,
          reason_hash TEXT,
          reconsent INTEGER NOT NULL,
          block INTEGER NOT NULL,
          tx_hash TEXT NOT NULL,
          PRIMARY KEY (study_id, version)
        );
        CREATE TABLE trial_subjects (
          study_id TEXT NOT NULL,
          subject_tag TEXT NOT NULL,
          site TEXT NOT NULL,
          version INTEGER NOT NULL,
          consent_grant TEXT NOT NULL,
          enrolled_block INTEGER NOT NULL,
          consented_block INTEGER NOT NULL,
          withdrawn_block INTEGER,
          PRIMARY KEY (study_id, subject_tag)
        );
        CREATE TABLE trial_anchors (
          study_id TEXT NOT NULL,
          kind TEXT NOT NULL,
          seq INTEGER NOT NULL,
          org TEXT NOT NULL,
          root TEXT NOT NULL,
          size INTEGER NOT NULL,
          block INTEGER NOT NULL,
          tx_hash TEXT NOT NULL,
          PRIMARY KEY (study_id, kind, seq)
        );
      `),
  ],
  async apply(tx, ev, block) {
    const a = ev.args as EventArgs;
    switch (ev.eventName) {
      case 'StudyRegistered':
        await tx.run('INSERT INTO trial_studies (study_id, sponsor, block) VALUES (?, ?, ?) ON CONFLICT (study_id) DO NOTHING', [a.studyId, a.sponsor, block]);
        await tx.run(
          'INSERT INTO trial_versions (study_id, version, protocol_hash, reason_hash, reconsent, block, tx_hash) VALUES (?, 1, ?, NULL, 0, ?, ?) ON CONFLICT (study_id, version) DO NOTHING',
          [a.studyId, a.protocolHash, block, ev.transactionHash],
        );
        return;
      case 'ProtocolAmended':
        await tx.run(
          'INSERT INTO trial_versions (study_id, version, protocol_hash, reason_hash, reconsent, block, tx_hash) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (study_id, version) DO NOTHING',
          [a.studyId, Number(a.version), a.protocolHash, a.reasonHash, a.reconsent ? 1 : 0, block, ev.transactionHash],
        );
        return;
      case 'SubjectEnrolled':
        await tx.run(
          `INSERT INTO trial_subjects (study_id, subject_tag, site, version, consent_grant, enrolled_block, consented_block, withdrawn_block) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
           ON CONFLICT (study_id, subject_tag) DO UPDATE SET version = excluded.version, consent_grant = excluded.consent_grant, consented_block = excluded.consented_block`,
          [a.studyId, a.subjectTag, a.site, Number(a.version), a.consentGrant, block, block],
        );
        return;
      case 'SubjectWithdrawn':
        await tx.run('UPDATE trial_subjects SET withdrawn_block = ? WHERE study_id = ? AND subject_tag = ?', [block, a.studyId, a.subjectTag]);
        return;
      case 'DataBatchAnchored':
      case 'DatasetAnchored': {
        const kind = ev.eventName === 'DataBatchAnchored' ? 'batch' : 'dataset';
        await tx.run(
          'INSERT INTO trial_anchors (study_id, kind, seq, org, root, size, block, tx_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (study_id, kind, seq) DO NOTHING',
          [a.studyId, kind, Number(kind === 'batch' ? a.batch : a.dataset), kind === 'batch' ? a.site : a.exporter, kind === 'batch' ? a.root : a.manifestHash, Number(kind === 'batch' ? a.size : a.resources), block, ev.transactionHash],
        );
        return;
      }
    }
  },
};

export async function trialStudy(sql: Sql, studyId: Hex): Promise<TrialStudyRow | undefined> {
  const r = await sql.get<TrialStudyRow>('SELECT study_id AS "studyId", sponsor, block FROM trial_studies WHERE study_id = ?', [studyId.toLowerCase()]);
  return r && { ...r, block: Number(r.block) };
}

export async function trialVersions(sql: Sql, studyId: Hex): Promise<TrialVersionRow[]> {
  const rows = await sql.all<TrialVersionRow & { reconsent: number | boolean }>(
    'SELECT study_id AS "studyId", version, protocol_hash AS "protocolHash", reason_hash AS "reasonHash", reconsent, block, tx_hash AS "txHash" FROM trial_versions WHERE study_id = ? ORDER BY version',
    [studyId.toLowerCase()],
  );
  return rows.map((r) => ({ ...r, version: Number(r.version), reconsent: Number(r.reconsent) === 1, block: Number(r.block) }));
}

const SUBJECT_COLUMNS = `study_id AS "studyId", subject_tag AS "subjectTag", site, version, consent_grant AS "consentGrant", enrolled_block AS "enrolledBlock", consented_block AS "consentedBlock", withdrawn_block AS "withdrawnBlock"`;
const toSubject = (r: TrialSubjectRow): TrialSubjectRow => ({
  ...r,
  version: Number(r.version),
  enrolledBlock: Number(r.enrolledBlock),
  consentedBlock: Number(r.consentedBlock),
  withdrawnBlock: r.withdrawnBlock === null ? null : Number(r.withdrawnBlock),
});

export async function trialSubject(sql: Sql, studyId: Hex, subjectTag: Hex): Promise<TrialSubjectRow | undefined> {
  const r = await sql.get<TrialSubjectRow>(`SELECT ${SUBJECT_COLUMNS} FROM trial_subjects WHERE study_id = ? AND subject_tag = ?`, [studyId.toLowerCase(), subjectTag.toLowerCase()]);
  return r && toSubject(r);
}

export async function trialSubjects(sql: Sql, studyId: Hex): Promise<TrialSubjectRow[]> {
  return (await sql.all<TrialSubjectRow>(`SELECT ${SUBJECT_COLUMNS} FROM trial_subjects WHERE study_id = ? ORDER BY enrolled_block, subject_tag`, [studyId.toLowerCase()])).map(toSubject);
}

export async function trialAnchors(sql: Sql, studyId: Hex, kind: 'batch' | 'dataset'): Promise<TrialAnchorRow[]> {
  const rows = await sql.all<TrialAnchorRow>(
    'SELECT study_id AS "studyId", kind, seq, org, root, size, block, tx_hash AS "txHash" FROM trial_anchors WHERE study_id = ? AND kind = ? ORDER BY seq',
    [studyId.toLowerCase(), kind],
  );
  return rows.map((r) => ({ ...r, seq: Number(r.seq), size: Number(r.size), block: Number(r.block) }));
}
