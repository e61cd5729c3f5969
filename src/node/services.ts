/**
 * The composition root: the only place services are constructed. It opens the node's storage with
 * every owner's migrations, and wires each feature with exactly what it needs.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { LogAnchorer } from '../anchoring/log-anchorer.ts';
import { auditMigrations, AuditLog, DetailSealer } from '../audit/audit-log.ts';
import { AuditService } from '../audit/service.ts';
import { AuditTrail } from '../audit/trail.ts';
import type { ChainConnection } from '../chain/client.ts';
import type { Deployment } from '../chain/deployment.ts';
import { orgIdOf } from '../chain/ids.ts';
import { journalMigrations, TxSender } from '../chain/journal.ts';
import { ledgerOf, type Ledger } from '../chain/submit.ts';
import { databaseUrlOf, type NodeConfig } from '../config/node-config.ts';
import { ConsentView } from '../consent/fhir-consent.ts';
import { consentMigrations } from '../consent/schema.ts';
import { ConsentService } from '../consent/service.ts';
import { LicenceCache } from '../credentials/licence-cache.ts';
import { CredentialService } from '../credentials/service.ts';
import { credentialMigrations, CredentialStore } from '../credentials/store.ts';
import { claimsMigrations } from '../claims/schema.ts';
import { ClaimsService } from '../claims/service.ts';
import { ClaimTableStore } from '../claims/table-store.ts';
import { BlindIndex } from '../crypto/blind-index.ts';
import type { OrgKeys } from '../crypto/org-keys.ts';
import { Custodian } from '../exchange/custodian.ts';
import { ExchangeService } from '../exchange/service.ts';
import { exchangeMigrations, ExchangeStore } from '../exchange/store.ts';
import { Gate } from '../http/gate.ts';
import { LoginService } from '../auth/service.ts';
import { Authenticator } from '../identity/authenticate.ts';
import { patientChallengeMigrations, PatientChallenges } from '../identity/patient-challenges.ts';
import { OutboxNotifier } from '../identity/notifier.ts';
import { OrgRequestVerifier, orgRequestMigrations } from '../identity/org-requests.ts';
import { patientIdentityMigrations, PatientIdentities } from '../identity/patients.ts';
import { UserStore, userMigrations } from '../identity/users.ts';
import { Indexer, indexerMigrations } from '../indexer/indexer.ts';
import { logMigrations } from '../merkle/persistent-log.ts';
import { recordMigrations } from '../records/schema.ts';
import { RecordService } from '../records/service.ts';
import { SearchEngine } from '../records/search/engine.ts';
import { RecordStore } from '../records/store.ts';
import type { Migration, Storage } from '../storage/engine.ts';
import { openPostgres } from '../storage/postgres.ts';
import { openSqlite } from '../storage/sqlite.ts';
import { WriteQueue } from '../storage/write-queue.ts';
import { researchMigrations } from '../research/schema.ts';
import { ResearchService } from '../research/service.ts';
import { supplyMigrations } from '../supply/schema.ts';
import { SupplyEventStore } from '../supply/events/store.ts';
import { SupplyService } from '../supply/service.ts';
import type { FetchLike } from '../tls/peer-fetch.ts';
import type { Leadership } from './leadership.ts';

/** Every table's owner and its migrations. */
export const NODE_MIGRATIONS: Record<string, readonly Migration[]> = {
  journal: journalMigrations,
  logs: logMigrations,
  ...indexerMigrations,
  records: recordMigrations,
  audit: auditMigrations,
  patients: patientIdentityMigrations,
  'patient-challenges': patientChallengeMigrations,
  consent: consentMigrations,
  exchange: exchangeMigrations,
  users: userMigrations,
  credentials: credentialMigrations,
  'org-requests': orgRequestMigrations,
  supply: supplyMigrations,
  claims: claimsMigrations,
  research: researchMigrations,
};

/**
 * Opens (creating and migrating) a node's database: PostgreSQL when `database` is a URL, else the
 * embedded SQLite file `<dataDir>/node.db`.
 */
export function openNodeStorage(config: Pick<NodeConfig, 'dataDir' | 'database' | 'org'>): Promise<Storage> {
  const url = databaseUrlOf(config);
  return url ? openPostgres(url, NODE_MIGRATIONS) : openSqlite(join(config.dataDir, 'node.db'), NODE_MIGRATIONS);
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
  anchorers: { records: LogAnchorer; audit: LogAnchorer; supply: LogAnchorer };
  credentialStore: CredentialStore;
  credentials: CredentialService;
  licences: LicenceCache;
  consent: ConsentService;
  consentView: ConsentView;
  exchange: ExchangeService;
  peerFetch: FetchLike;
  /** Which replica runs the singletons (set by `startNode`). */
  leadership?: Leadership;
  supply: SupplyService;
  claims: ClaimsService;
  claimTables: ClaimTableStore;
  research: ResearchService;
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
  const indexer = await Indexer.open(storage, conn, deployment, { pollMs: config.indexerPollMs, confirmations: config.confirmations });
  const ledger = ledgerOf(journal, (block, timeoutMs) => indexer.waitForBlock(block, timeoutMs));
  const indexedBlock = () => indexer.indexedBlock;

  const auditLog = await AuditLog.open(storage, config.org, blind, keys.account, new DetailSealer(keys.indexSecret));
  const store = await RecordStore.open(storage, keys, blind);
  const supplyEvents = await SupplyEventStore.open(storage, keys, blind);
  // One queue for the logs: a record change (or an EPCIS event) and its audit entry commit together or not at all.
  const queue = new WriteQueue(storage, [store.log, auditLog.log, supplyEvents.log]);
  const audit = new AuditTrail(auditLog, queue);
  const policy = { batchSize: config.anchorBatchSize, intervalMs: config.anchorIntervalMs };
  const anchorers = {
    records: new LogAnchorer({ storage, log: store.log, ledger, journal, deployment, orgId }, 'records', 'records', policy),
    audit: new LogAnchorer({ storage, log: auditLog.log, ledger, journal, deployment, orgId }, 'audit', 'audit', policy),
    // High-volume supply facts (EPCIS events) are batched into the organization's supply log and anchored.
    supply: new LogAnchorer({ storage, log: supplyEvents.log, ledger, journal, deployment, orgId }, 'supply', 'supply', policy),
  };
  const ledgerCoordinates = { chainId: conn.chain.id, anchorRegistry: deployment.contracts.AnchorRegistry.address, orgId };

  const users = new UserStore(storage);
  const auth = new Authenticator({ org: config.org, indexSecret: keys.indexSecret, adminToken: ensureAdminToken(config.dataDir), users, storage });
  const patients = new PatientIdentities(storage, keys.indexSecret);
  const credentialStore = new CredentialStore(storage);
  const licences = new LicenceCache(credentialStore, orgId, indexedBlock);
  const gate = new Gate(auth, { standing: licences, onUnauthenticated: (req, reason) => audit.recordUnauthenticated(req.ip, reason, req.method, req.url.split('?')[0]!).then(() => {}) });
  const verifier = new OrgRequestVerifier(storage, orgId);
  const notifier = new OutboxNotifier(join(config.dataDir, 'outbox'));

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
    identities: patients,
  });
  const credentials = new CredentialService({ store: credentialStore, queue, audit, ledger, deployment, keys, orgId, conn, indexedBlock });
  const consent = new ConsentService({ storage, queue, audit, ledger, conn, deployment, orgId, keys, peerFetch, records: store, patients, notifier, verifier, indexer });
  const exchangeStore = new ExchangeStore(storage, keys.indexSecret);
  const custodian = new Custodian({ storage, store: exchangeStore, records: store, anchorer: anchorers.records, patients, credentials: credentialStore, verifier, audit, ledger, deployment, orgId, indexer });
  const exchange = new ExchangeService({
    custodian,
    requester: { storage, keys, peerFetch, orgId },
    store: exchangeStore,
    credentials: credentialStore,
    notices: consent,
    locate: (address) => consent.locate(address),
    standing: licences,
    audit,
    indexedBlock,
  });
  const blockTime = async (block: number) => new Date(Number((await conn.client.getBlock({ blockNumber: BigInt(block) })).timestamp) * 1000).toISOString();
  const research = new ResearchService({ storage, blockTime, queue, audit, ledger, deployment, orgId, indexSecret: keys.indexSecret, records, store, consent, patients });
  const supply = new SupplyService({ storage, queue, audit, ledger, deployment, keys, orgId, org: config.org, events: supplyEvents, anchorer: anchorers.supply, indexer, peerFetch });
  const claimTables = new ClaimTableStore(join(config.dataDir, 'claims-tables'));
  const claims = new ClaimsService({
    storage,
    queue,
    audit,
    ledger,
    deployment,
    conn,
    keys,
    orgId,
    org: config.org,
    peerFetch,
    records: store,
    recordAnchorer: anchorers.records,
    credentials: credentialStore,
    tables: () => claimTables.tables(),
    waitForBlock: (block, timeoutMs) => indexer.waitForBlock(block, timeoutMs),
    indexedBlock,
  });

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
    logins: new LoginService({ org: config.org, orgId, auth, users, challenges: new PatientChallenges(storage), audit }),
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
    supply,
    claims,
    claimTables,
    research,
  };
}
