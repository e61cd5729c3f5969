import { spawn, fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hex } from 'viem';
import { freePort } from '../../src/chain/anvil.ts';
import { startEmbeddedChain, type EmbeddedChain } from '../../src/chain/embedded.ts';
import type { OrgKind } from '../../src/chain/ids.ts';
import { ensureKeyFile, type OrgKeys } from '../../src/crypto/org-keys.ts';
import { registerOrganization } from '../../src/network/organizations.ts';
import { loadNodeConfig, type NodeConfig } from '../../src/config/node-config.ts';
import { startNode, type RunningNode } from '../../src/node/start.ts';

export const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

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
  const config = () => loadNodeConfig({ org: slug, home, port: 0, rpcUrl: chain.anvil.rpcUrl, logLevel: 'silent', ...overrides }, {});
  const node = await startNode(config());
  const token = readFileSync(join(org.dataDir, 'admin-token'), 'utf8').trim();
  return { chain, org, node, token, config };
}
