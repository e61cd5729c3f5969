import { spawn, fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { affiliationDomain, signAffiliation } from '../../src/credentials/affiliation.ts';
import { credentialStatusAbi } from '../../src/chain/generated/contracts.ts';
import { journalMigrations, TxSender } from '../../src/chain/journal.ts';
import { openSqlite, SqliteStorage } from '../../src/storage/sqlite.ts';
import { PostgresStorage } from '../../src/storage/postgres.ts';
import type { Storage } from '../../src/storage/engine.ts';
import { startThrowawayPostgres } from '../../src/storage/throwaway-postgres.ts';
import { credentialTypeId, jurisdictionId } from '../../src/credentials/types.ts';
import { credentialDocumentHash, signCredential, type IssueInput } from '../../src/credentials/vc.ts';
import { freePort } from '../../src/chain/anvil.ts';
import { startEmbeddedChain, type EmbeddedChain } from '../../src/chain/embedded.ts';
import type { OrgKind } from '../../src/chain/ids.ts';
import { ensureKeyFile, type OrgKeys } from '../../src/crypto/org-keys.ts';
import { registerOrganization } from '../../src/network/organizations.ts';
import { databaseUrlOf, loadNodeConfig, type NodeConfig } from '../../src/config/node-config.ts';
import { startNode, type RunningNode } from '../../src/node/start.ts';

export const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/**
 * The storage engine every node started by the tests uses: SQLite by default, PostgreSQL with
 * CARECHAIN_TEST_DATABASE=postgres. Then one throwaway server serves this test file (it stops, and
 * its directory is removed, when this process ends, however it ends), each node gets its own
 * database (`{node}`: the org slug and a hash of its data directory), and CARECHAIN_DATABASE is set
 * so nodes started through the CLI use it too.
 */
export const TEST_ENGINE: 'sqlite' | 'postgres' = process.env.CARECHAIN_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';
const testServer = TEST_ENGINE === 'postgres' ? await startThrowawayPostgres({ unref: true }) : undefined;
if (testServer) process.env.CARECHAIN_DATABASE = testServer.url('{node}');

/** The `database` setting for nodes the tests start (undefined: SQLite). */
export const testDatabase = (): string | undefined => (testServer ? testServer.url('{node}') : undefined);

/**
 * Every byte the engine keeps of a node's database on disk, after a checkpoint: the SQLite file (WAL
 * folded in), or the PostgreSQL database's relation files (a CHECKPOINT writes them out first).
 */
export async function rawDatabaseBytes(storage: Storage, dataDir: string): Promise<Buffer> {
  if (storage instanceof SqliteStorage) {
    storage.writer.pragma('wal_checkpoint(TRUNCATE)');
    return readFileSync(join(dataDir, 'node.db'));
  }
  await storage.run('CHECKPOINT');
  const row = await storage.get<{ oid: number }>('SELECT oid FROM pg_database WHERE datname = current_database()');
  // The database's relation files and the server's write-ahead log (shared by every database).
  const dirs = [join(testServer!.dir, 'data', 'base', String(row!.oid)), join(testServer!.dir, 'data', 'pg_wal')];
  return Buffer.concat(dirs.flatMap((dir) => readdirSync(dir, { withFileTypes: true }).filter((f) => f.isFile()).map((f) => readFileSync(join(dir, f.name)))));
}

/** The node configuration the tests use: `flags`, nothing from the environment, the test engine. */
export function testNodeConfig(flags: Parameters<typeof loadNodeConfig>[0]): NodeConfig {
  const database = testDatabase();
  return loadNodeConfig({ ...(database ? { database } : {}), ...flags }, {});
}

/** A second handle on a node's database (no migrations), whichever engine the node runs on. */
export function openNodeDb(org: { slug: string; dataDir: string }): Storage {
  const url = databaseUrlOf({ database: testDatabase(), org: org.slug, dataDir: org.dataDir });
  return url ? new PostgresStorage(url, { poolSize: 2 }) : new SqliteStorage(join(org.dataDir, 'node.db'));
}

export function tempDir(prefix = 'carechain-test-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A real Anvil on a free port with the contracts deployed, exactly as `carechain chain start` does it. */
export async function startTestChain(home: string): Promise<EmbeddedChain> {
  return startEmbeddedChain({ chainDir: join(home, 'chain'), port: await freePort() });
}

export interface TestOrg {
  slug: string;
  orgId: Hex;
  keys: OrgKeys;
  keyFile: string;
  dataDir: string;
}

export async function registerTestOrg(chain: EmbeddedChain, home: string, slug: string, kind: OrgKind = 'hospital', endpoint = `http://127.0.0.1/${slug}`): Promise<TestOrg> {
  const dataDir = join(home, 'orgs', slug);
  const keyFile = join(dataDir, 'keys.json');
  const keys = ensureKeyFile(keyFile);
  const { orgId } = await registerOrganization(
    chain.conn,
    chain.governance,
    chain.deployment,
    { slug, kind, name: `Test ${slug}`, endpoint },
    keys,
    { fund: true },
  );
  return { slug, orgId, keys, keyFile, dataDir };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion (for commands that exit by themselves, e.g. on bad configuration). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface CliProcess {
  child: ChildProcess;
  ready: Promise<Record<string, unknown>>;
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM, then wait for exit. */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
}

/** Starts a long-running CLI command (chain/node/network start); `ready` resolves on its ready message. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = fork(CLI, args, {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.on('message', (m: Record<string, unknown>) => m.type === 'ready' && resolve(m));
    void exited.then((code) => reject(new Error(`CLI ${args.join(' ')} exited (${code}) before ready:\n${out}`)));
  });
  ready.catch(() => {});
  return {
    child,
    ready,
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitUntil(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export { freePort };

/** A chain, one registered organization and its node running in this process, over real HTTP. */
export async function startTestNode(
  home: string,
  slug: string,
  overrides: Record<string, string | number> = {},
): Promise<{ chain: EmbeddedChain; org: TestOrg; node: RunningNode; token: string; config: () => NodeConfig }> {
  const chain = await startTestChain(home);
  const org = await registerTestOrg(chain, home, slug);
  const config = () => testNodeConfig({ org: slug, home, port: 0, rpcUrl: chain.anvil.rpcUrl, logLevel: 'silent', ...overrides });
  const node = await startNode(config());
  const token = readFileSync(join(org.dataDir, 'admin-token'), 'utf8').trim();
  return { chain, org, node, token, config };
}

/**
 * A licensing board (registered once per chain, scoped for medical licences in US-CA) issues a licence
 * to `practitioner` (whose key is `holder`, generated when not given), registers it on the ledger with
 * its holder and document hash, and the node's operator records the practitioner presenting it with
 * their signed affiliation to the node's organization.
 */
export async function licenseTestPractitioner(
  chain: EmbeddedChain,
  home: string,
  node: { url: string; token: string },
  practitioner: string,
  overrides: Partial<IssueInput> = {},
  opts: { holder?: PrivateKeyAccount; affiliate?: boolean } = {},
): Promise<{ credentialId: Hex; jws: string; board: TestOrg; boardSender: TxSender; holder: PrivateKeyAccount; present: (target: { url: string; token: string }, signer?: PrivateKeyAccount) => Promise<Response> }> {
  const board = await registerTestOrg(chain, home, 'test-medical-board', 'licensing-board');
  await chain.governance.sendContract({
    address: chain.deployment.contracts.CredentialStatus.address,
    abi: credentialStatusAbi,
    functionName: 'setIssuerScope',
    args: [board.orgId, credentialTypeId('medical-licence'), jurisdictionId('US-CA'), true],
  });
  const holder = opts.holder ?? privateKeyToAccount(generatePrivateKey());
  const boardSender = new TxSender(await openSqlite(':memory:', { journal: journalMigrations }), chain.conn, board.keys.account);
  const now = Date.now();
  const input: IssueInput = {
    type: 'medical-licence',
    jurisdiction: 'US-CA',
    subject: { practitioner, name: `Dr ${practitioner.slice(13)}`, npi: '1234567893', holder: holder.address },
    number: `A${Math.floor(Math.random() * 1e6)}`,
    specialty: 'Internal Medicine',
    validFrom: new Date(now - 86_400_000).toISOString(),
    validUntil: new Date(now + 365 * 86_400_000).toISOString(),
    ...overrides,
  };
  const signed = await signCredential(board.orgId, { account: board.keys.account, privateKey: board.keys.signingKey }, input);
  const { receipt } = await boardSender.sendContract({
    address: chain.deployment.contracts.CredentialStatus.address,
    abi: credentialStatusAbi,
    functionName: 'register',
    args: [signed.credentialId, credentialTypeId(input.type), jurisdictionId(input.jurisdiction), input.subject.holder as Hex, credentialDocumentHash(signed.jws)],
  });
  // The node must have indexed the status before it accepts the presentation.
  const indexed = (target: { url: string }) =>
    waitUntil('the node to index the credential', async () => {
      const r = await fetch(`${target.url}/api/node`);
      return ((await r.json()) as { indexer: { indexedBlock: number } }).indexer.indexedBlock >= Number(receipt.blockNumber);
    });
  /** Presents the licence at `target` with an affiliation signed by `signer` (the holder unless an attacker). */
  const present = async (target: { url: string; token: string }, signer: PrivateKeyAccount = holder) => {
    await indexed(target);
    const auth = { authorization: `Bearer ${target.token}` };
    const terms = (await (await fetch(`${target.url}/api/credentials/affiliation-terms/${holder.address}`, { headers: auth })).json()) as { organization: Hex; domain: ReturnType<typeof affiliationDomain>; nonce: string };
    const until = BigInt(Math.floor(Date.now() / 1000) + 365 * 86400);
    const signature = await signAffiliation(signer, { ...terms.domain, chainId: Number(terms.domain.chainId) }, { organization: terms.organization, credentialId: signed.credentialId, until, nonce: BigInt(terms.nonce) });
    return fetch(`${target.url}/api/credentials/present`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ credential: signed.jws, affiliation: { until: String(until), nonce: terms.nonce, signature } }),
    });
  };
  if (opts.affiliate !== false) {
    const res = await present(node);
    if (res.status !== 201) throw new Error(`presentation refused: ${await res.text()}`);
  }
  return { credentialId: signed.credentialId, jws: signed.jws, board, boardSender, holder, present };
}
