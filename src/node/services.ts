/**
 * The composition root: the only place services are constructed. It opens the node's storage with
 * every owner's migrations, and wires each feature with exactly what it needs.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { LogAnchorer } from '../anchoring/log-anchorer.ts';
import { auditMigrations, AuditLog } from '../audit/audit-log.ts';
import { AuditService } from '../audit/service.ts';
import { AuditTrail } from '../audit/trail.ts';
import type { ChainConnection } from '../chain/client.ts';
import type { Deployment } from '../chain/deployment.ts';
import { orgIdOf } from '../chain/ids.ts';
import { journalMigrations, TxSender } from '../chain/journal.ts';
import { ledgerOf, type Ledger } from '../chain/submit.ts';
import type { NodeConfig } from '../config/node-config.ts';
import { ConsentView } from '../consent/fhir-consent.ts';
import { consentMigrations } from '../consent/schema.ts';
import { ConsentService } from '../consent/service.ts';
import { LicenceCache } from '../credentials/licence-cache.ts';
import { CredentialService } from '../credentials/service.ts';
import { credentialMigrations, CredentialStore } from '../credentials/store.ts';
import { BlindIndex } from '../crypto/blind-index.ts';
import type { OrgKeys } from '../crypto/org-keys.ts';
import { Custodian } from '../exchange/custodian.ts';
import { ExchangeService } from '../exchange/service.ts';
import { exchangeMigrations, ExchangeStore } from '../exchange/store.ts';
import { Gate } from '../http/gate.ts';
import { LoginService } from '../auth/service.ts';
import { Authenticator } from '../identity/authenticate.ts';
import { PatientChallenges } from '../identity/patient-challenges.ts';
import { patientIdentityMigrations, PatientIdentities } from '../identity/patients.ts';
import { UserStore, userMigrations } from '../identity/users.ts';
import { Indexer, indexerMigrations } from '../indexer/indexer.ts';
import { logMigrations } from '../merkle/persistent-log.ts';
import { recordMigrations } from '../records/schema.ts';
import { RecordService } from '../records/service.ts';
import { SearchEngine } from '../records/search/engine.ts';
import { RecordStore } from '../records/store.ts';
import type { Migration, Storage } from '../storage/engine.ts';
import { openSqlite } from '../storage/sqlite.ts';
import { WriteQueue } from '../storage/write-queue.ts';
import type { FetchLike } from '../tls/peer-fetch.ts';

/** Every table's owner and its migrations. */
export const NODE_MIGRATIONS: Record<string, readonly Migration[]> = {
  journal: journalMigrations,
  logs: logMigrations,
  ...indexerMigrations,
  records: recordMigrations,
  audit: auditMigrations,
  patients: patientIdentityMigrations,
  consent: consentMigrations,
  exchange: exchangeMigrations,
  users: userMigrations,
  credentials: credentialMigrations,
};

/** Opens (creating and migrating) a node's database. */
export function openNodeStorage(dataDir: string): Promise<Storage> {
  return openSqlite(join(dataDir, 'node.db'), NODE_MIGRATIONS);
}

/** The operator's bearer token, from `<dataDir>/admin-token` (created 0600 on first start). */
export function ensureAdminToken(dataDir: string): string {
  const file = join(dataDir, 'admin-token');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url') + '\n', { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

export interface NodeServices {
  config: NodeConfig;
  orgId: Hex;
  keys: OrgKeys;
  conn: ChainConnection;
  deployment: Deployment;
  storage: Storage;
  queue: WriteQueue;
  journal: TxSender;
  ledger: Ledger;
  indexer: Indexer;
  gate: Gate;
  users: UserStore;
  auth: Authenticator;
  logins: LoginService;
  patients: PatientIdentities;
  audit: AuditTrail;
  auditService: AuditService;
  store: RecordStore;
  records: RecordService;
  anchorers: { records: LogAnchorer; audit: LogAnchorer };
  credentialStore: CredentialStore;
  credentials: CredentialService;
  licences: LicenceCache;
  consent: ConsentService;
  consentView: ConsentView;
  exchange: ExchangeService;
  peerFetch: FetchLike;
}

export async function buildServices(opts: {
  config: NodeConfig;
  keys: OrgKeys;
  conn: ChainConnection;
  deployment: Deployment;
  storage: Storage;
  peerFetch: FetchLike;
}): Promise<NodeServices> {
  const { config, keys, conn, deployment, storage, peerFetch } = opts;
  const orgId = orgIdOf(config.org);
  const blind = new BlindIndex(keys.indexSecret);
  const journal = new TxSender(storage, conn, keys.account);
  const indexer = await Indexer.open(storage, conn, deployment, { pollMs: config.indexerPollMs });
  const ledger = ledgerOf(journal, (block, timeoutMs) => indexer.waitForBlock(block, timeoutMs));
  const indexedBlock = () => indexer.indexedBlock;

  const auditLog = await AuditLog.open(storage, config.org, blind, keys.account);
  const store = await RecordStore.open(storage, keys, blind);
  // One queue for both logs: a record change and its audit entry commit together or not at all.
  const queue = new WriteQueue(storage, [store.log, auditLog.log]);
  const audit = new AuditTrail(auditLog, queue);
  const policy = { batchSize: config.anchorBatchSize, intervalMs: config.anchorIntervalMs };
  const anchorers = {
    records: new LogAnchorer({ storage, log: store.log, ledger, journal, deployment, orgId }, 'records', 'records', policy),
    audit: new LogAnchorer({ storage, log: auditLog.log, ledger, journal, deployment, orgId }, 'audit', 'audit', policy),
  };
  const ledgerCoordinates = { chainId: conn.chain.id, anchorRegistry: deployment.contracts.AnchorRegistry.address, orgId };

  const users = new UserStore(storage);
  const auth = new Authenticator({ org: config.org, indexSecret: keys.indexSecret, adminToken: ensureAdminToken(config.dataDir), users, storage });
  const gate = new Gate(auth, { onUnauthenticated: (req, reason) => audit.recordUnauthenticated(req.ip, reason, req.method, req.url.split('?')[0]!).then(() => {}) });
  const patients = new PatientIdentities(storage);
  const credentialStore = new CredentialStore(storage);
  const licences = new LicenceCache(credentialStore, indexedBlock);

  const records = new RecordService({
    storage,
    store,
    search: new SearchEngine(store),
    queue,
    audit,
    anchorer: anchorers.records,
    auditAnchorer: anchorers.audit,
    standing: licences,
    org: config.org,
    ledger: ledgerCoordinates,
    limits: { maxBundleEntries: config.maxBundleEntries, maxBundleBytes: config.maxBundleBytes, maxEverythingCount: config.maxEverythingCount },
  });
  const credentials = new CredentialService({ store: credentialStore, queue, audit, ledger, deployment, keys, orgId, indexedBlock });
  const consent = new ConsentService({ storage, queue, audit, ledger, conn, deployment, orgId, records: store, patients, indexedBlock });
  const exchangeStore = new ExchangeStore(storage);
  const custodian = new Custodian({ storage, store: exchangeStore, records: store, anchorer: anchorers.records, patients, credentials: credentialStore, audit, ledger, deployment, orgId, indexer });
  const exchange = new ExchangeService({ custodian, requester: { storage, keys, peerFetch, orgId }, store: exchangeStore, credentials: credentialStore, audit, indexedBlock });

  return {
    config,
    orgId,
    keys,
    conn,
    deployment,
    storage,
    queue,
    journal,
    ledger,
    indexer,
    gate,
    users,
    auth,
    logins: new LoginService({ org: config.org, orgId, auth, users, challenges: new PatientChallenges(), audit }),
    patients,
    audit,
    auditService: new AuditService({ trail: audit, anchorer: anchorers.audit, patients, org: config.org, ledger: ledgerCoordinates }),
    store,
    records,
    anchorers,
    credentialStore,
    credentials,
    licences,
    consent,
    consentView: new ConsentView(consent, audit),
    exchange,
    peerFetch,
  };
}
