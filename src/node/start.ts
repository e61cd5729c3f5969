/**
 * Starts one organization's node: checks the chain and the deployment, opens the database, resumes
 * journalled transactions and the indexer, and serves the HTTP API. Every startup failure is a
 * CarechainError with one clear line.
 */
import { mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { connectChain } from '../chain/client.ts';
import { checkDeployment, readDeployment } from '../chain/deployment.ts';
import { readEndpoint } from '../chain/embedded.ts';
import { embeddedChainDir, type NodeConfig } from '../config/node-config.ts';
import { loadOrgKeys } from '../crypto/org-keys.ts';
import { loadFhirDefinitions } from '../fhir/validation.ts';
import { CarechainError, errorMessage } from '../shared/errors.ts';
import { nodeTls } from '../tls/certificates.ts';
import { peerFetch } from '../tls/peer-fetch.ts';
import { Leadership } from './leadership.ts';
import { buildServer } from './server.ts';
import { buildServices, openNodeStorage, type NodeServices } from './services.ts';

export interface RunningNode {
  url: string;
  app: FastifyInstance;
  services: NodeServices;
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

export async function startNode(config: NodeConfig): Promise<RunningNode> {
  const keys = await loadOrgKeys(config.keyFile, config.org);
  const conn = await connectChain(resolveRpcUrl(config));
  const deployment = readDeployment(config.deploymentFile);
  await checkDeployment(conn.client, deployment, config.deploymentFile);

  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const tls = config.tls ? await nodeTls({ home: config.home, dataDir: config.dataDir, org: config.org, host: config.host }) : undefined;
  const storage = await openNodeStorage(config);
  loadFhirDefinitions();
  const services = await buildServices({ config, keys, conn, deployment, storage, peerFetch: peerFetch(tls?.ca) });
  const app = buildServer(services, tls && { key: tls.key, cert: tls.cert });
  const { journal, indexer, anchorers, queue, store, audit } = services;
  const leadership = new Leadership({ storage, journal, indexer, anchorers: [anchorers.records, anchorers.audit, anchorers.supply], log: app.log });
  services.leadership = leadership;
  journal.onForgotten = (entries) =>
    app.log.warn({ transactions: entries.map((e) => ({ nonce: e.nonce, hash: e.hash, label: e.label })) }, 'the chain forgot transactions it had mined (a reorganization or a restart from older state): re-sending them');
  for (const a of Object.values(anchorers)) {
    a.onTrouble = (error) =>
      error === null ? app.log.info({ log: a.name }, 'anchoring works again') : app.log.warn({ log: a.name, error }, 'anchoring failed; it is retried, and what was not anchored stays in the log');
  }
  // Late data and data without product are raised by time, not by an event: sweep every minute.
  const sweeper = setInterval(() => void services.supply.exceptions.sweep().catch((err) => app.log.warn({ err }, 'supply exception sweep failed')), 60_000);
  sweeper.unref();
  const cleanup = async () => {
    await app.close(); // no new requests; in-flight ones finish
    await leadership.stop(); // another replica takes over at once
    journal.stop();
    clearInterval(sweeper);
    await Promise.all([anchorers.records.stop(), anchorers.audit.stop(), anchorers.supply.stop(), indexer.stop()]);
    await queue.drain();
    await store.log.saveHashChunks();
    await audit.log.log.saveHashChunks();
    await services.supply.ctx.events.log.saveHashChunks();
    await storage.close();
  };
  try {
    const mismatches = await services.records.anchorMismatches();
    if (mismatches.length) app.log.error({ mismatches }, 'record log does not match its anchored roots: run carechain verify');
    // The singletons (indexer, anchorers, journal re-broadcaster) run in the one replica holding the
    // database lease; on SQLite that is always this process. The leader re-sends what was journalled
    // before a crash before anything new is signed.
    await leadership.start();
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
  app.log.info({ url, orgId: services.orgId, signer: journal.address, indexedBlock: indexer.indexedBlock, leader: leadership.isLeader }, 'node ready');
  return { url, app, services, stop: cleanup };
}
