/**
 * Starts one organization's node: checks the chain and the deployment, opens the database, resumes
 * journalled transactions and the indexer, and serves the HTTP API. Every startup failure is a
 * CarechainError with one clear line.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { connectChain } from '../chain/client.ts';
import { checkDeployment, readDeployment } from '../chain/deployment.ts';
import { readEndpoint } from '../chain/embedded.ts';
import { orgIdOf } from '../chain/ids.ts';
import { journalMigrations, TxSender } from '../chain/journal.ts';
import { embeddedChainDir, type NodeConfig } from '../config/node-config.ts';
import { loadKeyFile } from '../crypto/org-keys.ts';
import { openDatabase } from '../db/database.ts';
import { CarechainError, errorMessage } from '../errors.ts';
import { Indexer, indexerMigrations } from '../indexer/indexer.ts';
import type { NodeContext } from './context.ts';
import { buildServer } from './server.ts';
import { loadFhirDefinitions } from '../fhir/validation.ts';
import { recordMigrations } from '../records/schema.ts';
import { auditMigrations } from '../audit/audit-log.ts';
import { consentMigrations } from '../consent/schema.ts';
import { userMigrations } from '../auth/users.ts';
import { credentialMigrations } from '../credentials/store.ts';
import { RecordService } from '../records/service.ts';
import { nodeTls } from '../tls/certificates.ts';
import { peerFetch } from '../tls/peer-fetch.ts';

export interface RunningNode {
  url: string;
  app: FastifyInstance;
  ctx: NodeContext;
  records: RecordService;
  stop(): Promise<void>;
}

export function resolveRpcUrl(config: Pick<NodeConfig, 'rpcUrl' | 'home'>): string {
  const url = config.rpcUrl ?? readEndpoint(embeddedChainDir(config.home));
  if (!url) {
    throw new CarechainError(
      `no chain configured: set CARECHAIN_RPC_URL (or --rpc-url), or start the embedded chain in ${config.home} with \`carechain chain start\``,
      2,
    );
  }
  return url;
}

function ensureAdminToken(dataDir: string): string {
  const file = join(dataDir, 'admin-token');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url') + '\n', { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

export async function startNode(config: NodeConfig): Promise<RunningNode> {
  const keys = loadKeyFile(config.keyFile);
  const conn = await connectChain(resolveRpcUrl(config));
  const deployment = readDeployment(config.deploymentFile);
  await checkDeployment(conn.client, deployment, config.deploymentFile);

  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const tls = config.tls ? await nodeTls({ home: config.home, dataDir: config.dataDir, org: config.org, host: config.host }) : undefined;
  const db = openDatabase(join(config.dataDir, 'node.db'), { journal: journalMigrations, indexer: indexerMigrations, records: recordMigrations, audit: auditMigrations, consent: consentMigrations, users: userMigrations, credentials: credentialMigrations });
  loadFhirDefinitions();
  const sender = new TxSender(db, conn, keys.account);
  const indexer = new Indexer(db, conn, deployment, { pollMs: config.indexerPollMs });
  const ctx: NodeContext = {
    config,
    orgId: orgIdOf(config.org),
    db,
    conn,
    deployment,
    sender,
    indexer,
    keys,
    adminToken: ensureAdminToken(config.dataDir),
    peerFetch: peerFetch(tls?.ca),
  };
  const records = new RecordService({
    db,
    keys,
    sender,
    deployment,
    indexer,
    orgId: ctx.orgId,
    org: config.org,
    signer: keys.account,
    anchorPolicy: { batchSize: config.anchorBatchSize, intervalMs: config.anchorIntervalMs },
  });
  const app = buildServer(ctx, records, tls && { key: tls.key, cert: tls.cert });
  const cleanup = async () => {
    await app.close(); // no new requests; in-flight ones finish
    sender.stop();
    await Promise.all([records.anchorer.stop(), records.auditAnchorer.stop(), indexer.stop()]);
    await records.queue.drain();
    records.log.saveHashChunks();
    records.audit.log.saveHashChunks();
    db.close();
  };
  try {
    // Transactions journalled before a crash are re-sent before anything new is signed.
    const pending = await sender.recover();
    if (pending.length) app.log.info({ pending: pending.map((p) => p.hash) }, 're-sent journalled transactions');
    void sender.settle();
    await indexer.poll();
    indexer.start();
    const mismatches = records.anchorMismatches();
    if (mismatches.length) app.log.error({ mismatches }, 'record log does not match its anchored roots: run carechain verify');
    records.anchorer.start();
    records.auditAnchorer.start();
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await cleanup().catch(() => {});
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CarechainError(`port ${config.port} on ${config.host} is already in use: choose another with --port or CARECHAIN_PORT`, 2);
    }
    if (err instanceof CarechainError) throw err;
    throw new CarechainError(`node failed to start: ${errorMessage(err)}`, 1, { cause: err });
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `${tls ? 'https' : 'http'}://${config.host}:${port}`;
  app.log.info({ url, orgId: ctx.orgId, signer: sender.address, indexedBlock: indexer.indexedBlock }, 'node ready');
  return { url, app, ctx, records, stop: cleanup };
}
