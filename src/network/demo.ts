/**
 * Network in a box: the embedded chain plus one node process per demo organization, each with its
 * own data directory, keys and port, registered on chain by the development governance account.
 */
import { initNetworkCa } from '../tls/certificates.ts';
import { fork, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedChain, type EmbeddedChain } from '../chain/embedded.ts';
import { ensureKeyFile } from '../crypto/org-keys.ts';
import { CarechainError } from '../shared/errors.ts';
import { registerOrganization, type OrganizationSpec } from './organizations.ts';
import { credentialStatusAbi, serialRegistryAbi } from '../chain/generated/contracts.ts';
import { jurisdictionIdOf, TRADING_LICENCE_TYPE } from '../supply/ledger/registry.ts';
import { orgIdOf } from '../chain/ids.ts';
import { CREDENTIAL_TYPES, credentialTypeId, jurisdictionId } from '../credentials/types.ts';

export const DEMO_JURISDICTION = 'US-CA';

export const DEMO_ORGANIZATIONS: Omit<OrganizationSpec, 'endpoint'>[] = [
  { slug: 'st-mary', kind: 'hospital', name: "St Mary's Hospital" },
  { slug: 'riverside', kind: 'clinic', name: 'Riverside Family Clinic' },
  { slug: 'northlab', kind: 'lab', name: 'North Diagnostics Lab' },
  { slug: 'corner-pharmacy', kind: 'pharmacy', name: 'Corner Pharmacy' },
  { slug: 'acme-health', kind: 'insurer', name: 'Acme Health Insurance' },
  { slug: 'state-board', kind: 'licensing-board', name: 'State Medical Board' },
  { slug: 'acme-pharma', kind: 'manufacturer', name: 'Acme Pharmaceuticals' },
  { slug: 'valley-wholesale', kind: 'distributor', name: 'Valley Wholesale Drug Co.' },
];

/** The demo manufacturer's GS1 company prefix (assigned by governance on the SerialRegistry). */
export const DEMO_COMPANY_PREFIX = '0312345';

export interface NetworkNode {
  spec: OrganizationSpec;
  dataDir: string;
  url: string;
  logFile: string;
  process: ChildProcess;
}

export interface RunningNetwork {
  chain: EmbeddedChain;
  nodes: NetworkNode[];
  stop(): Promise<void>;
}

const CLI = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

export async function startNetwork(opts: {
  home: string;
  chainPort: number;
  basePort: number;
  orgs?: Omit<OrganizationSpec, 'endpoint'>[];
  /** HTTPS for every node with certificates from a network CA in <home>/tls (created once). */
  tls?: boolean;
  onProgress?: (message: string) => void;
}): Promise<RunningNetwork> {
  const say = opts.onProgress ?? (() => {});
  const scheme = opts.tls ? 'https' : 'http';
  if (opts.tls) {
    const ca = await initNetworkCa(opts.home);
    say(`${ca.created ? 'created' : 'using'} the network CA ${ca.cert}`);
  }
  say(`starting the embedded chain on 127.0.0.1:${opts.chainPort}`);
  const chain = await startEmbeddedChain({ chainDir: join(opts.home, 'chain'), port: opts.chainPort });
  say(chain.freshDeployment ? 'contracts deployed' : 'existing deployment reused');
  const nodes: NetworkNode[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => stopChild(n.process)));
    await chain.stop();
  };
  try {
    const orgs = opts.orgs ?? DEMO_ORGANIZATIONS;
    // Governance sends are pipelined (one nonce each from the journal), so all land in a block or two.
    await Promise.all(
      orgs.map(async (org, i) => {
        const spec: OrganizationSpec = { ...org, endpoint: `${scheme}://127.0.0.1:${opts.basePort + i}` };
        const keys = ensureKeyFile(join(opts.home, 'orgs', org.slug, 'keys.json'));
        const { registeredNow } = await registerOrganization(chain.conn, chain.governance, chain.deployment, spec, keys, { fund: true });
        say(`${registeredNow ? 'registered' : 'already registered'}: ${org.name} (${org.kind})`);
      }),
    );
    // The demo licensing board may issue every credential type in the demo jurisdiction.
    const cs = chain.deployment.contracts.CredentialStatus.address;
    await Promise.all(
      orgs
        .filter((o) => o.kind === 'licensing-board')
        .flatMap((org) =>
          CREDENTIAL_TYPES.map(async (type) => {
            const args = [orgIdOf(org.slug), credentialTypeId(type), jurisdictionId(DEMO_JURISDICTION)] as const;
            if (await chain.conn.client.readContract({ address: cs, abi: credentialStatusAbi, functionName: 'mayIssue', args })) return;
            await chain.governance.sendContract({ address: cs, abi: credentialStatusAbi, functionName: 'setIssuerScope', args: [...args, true], label: `issuer scope ${org.slug} ${type}` });
          }),
        ),
    );
    // Supply: the board also issues trading licences; the manufacturer owns a GS1 company prefix.
    for (const board of orgs.filter((o) => o.kind === 'licensing-board')) {
      const args = [orgIdOf(board.slug), TRADING_LICENCE_TYPE, jurisdictionIdOf(DEMO_JURISDICTION)] as const;
      if (!(await chain.conn.client.readContract({ address: cs, abi: credentialStatusAbi, functionName: 'mayIssue', args }))) {
        await chain.governance.sendContract({ address: cs, abi: credentialStatusAbi, functionName: 'setIssuerScope', args: [...args, true], label: `issuer scope ${board.slug} trading-licence` });
      }
    }
    const maker = orgs.find((o) => o.kind === 'manufacturer');
    const serials = chain.deployment.contracts.SerialRegistry.address;
    if (maker && (await chain.conn.client.readContract({ address: serials, abi: serialRegistryAbi, functionName: 'companyPrefixOwner', args: [DEMO_COMPANY_PREFIX] })) !== orgIdOf(maker.slug)) {
      await chain.governance.sendContract({ address: serials, abi: serialRegistryAbi, functionName: 'setCompanyPrefix', args: [DEMO_COMPANY_PREFIX, orgIdOf(maker.slug)], label: `company prefix ${DEMO_COMPANY_PREFIX} ${maker.slug}` });
    }
    say(`starting ${orgs.length} nodes`);
    await Promise.all(
      orgs.map(async (org, i) => {
        const port = opts.basePort + i;
        const dataDir = join(opts.home, 'orgs', org.slug);
        mkdirSync(dataDir, { recursive: true, mode: 0o700 });
        const logFile = join(dataDir, 'node.log');
        // The log is the organization's: private like its database.
        const out = openSync(logFile, 'a', 0o600);
        chmodSync(logFile, 0o600);
        const child = fork(CLI, ['node', 'start', '--org', org.slug, '--home', opts.home, '--port', String(port), ...(opts.tls ? ['--tls'] : [])], {
          execArgv: ['--import', 'tsx'],
          stdio: ['ignore', out, out, 'ipc'],
          env: { ...process.env, CARECHAIN_RPC_URL: chain.anvil.rpcUrl },
        });
        const node: NetworkNode = { spec: { ...org, endpoint: `${scheme}://127.0.0.1:${port}` }, dataDir, url: '', logFile, process: child };
        nodes.push(node);
        node.url = await waitReady(child, org.slug, logFile);
      }),
    );
    return { chain, nodes, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function waitReady(child: ChildProcess, slug: string, logFile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new CarechainError(`node ${slug} did not become ready in 60 s (see ${logFile})`)), 60_000);
    child.on('message', (m: { type?: string; url?: string }) => {
      if (m.type === 'ready' && m.url) {
        clearTimeout(timer);
        resolve(m.url);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new CarechainError(`node ${slug} exited with code ${code} at start (see ${logFile})`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
