/**
 * The embedded network chain: Anvil with its state in `<home>/chain`, the contracts deployed once,
 * their addresses in `<home>/chain/deployment.json`, and the RPC URL in `<home>/chain/endpoint.json`
 * for the nodes to find. A second start loads the state and reuses the deployment.
 *
 * Governance (admitting organizations, scoping issuers) is a key made for this network at its first
 * start (`<home>/chain/governance-key.json`, mode 0600), never one of Anvil's well-known development
 * accounts: those only pay for its gas once.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEther } from 'viem';
import { mnemonicToAccount, type HDAccount } from 'viem/accounts';
import { ensureKeyFile } from '../crypto/org-keys.ts';
import { openSqlite } from '../storage/sqlite.ts';
import { CarechainError } from '../shared/errors.ts';
import { startAnvil, type RunningAnvil } from './anvil.ts';
import { connectChain, type ChainConnection } from './client.ts';
import { deployContracts } from './deploy.ts';
import { checkDeployment, readDeployment, writeDeployment, type Deployment } from './deployment.ts';
import { journalMigrations, TxSender } from './journal.ts';

/**
 * Anvil's documented development mnemonic: its accounts are funded on every dev chain and public
 * knowledge. Only used to fund this network's own governance key on the embedded chain.
 */
const ANVIL_DEV_MNEMONIC = 'test test test test test test test test test test test junk';

export function devAccount(index = 0): HDAccount {
  return mnemonicToAccount(ANVIL_DEV_MNEMONIC, { addressIndex: index });
}

export interface EmbeddedChain {
  anvil: RunningAnvil;
  conn: ChainConnection;
  deployment: Deployment;
  deploymentFile: string;
  /** Sends governance transactions (registering organizations, funding their signers). */
  governance: TxSender;
  freshDeployment: boolean;
  stop(): Promise<void>;
}

export function chainPaths(chainDir: string) {
  return {
    state: join(chainDir, 'anvil-state.json'),
    deployment: join(chainDir, 'deployment.json'),
    endpoint: join(chainDir, 'endpoint.json'),
    governanceDb: join(chainDir, 'governance.db'),
    governanceKey: join(chainDir, 'governance-key.json'),
  };
}

/** RPC URL of a running embedded chain, from its endpoint file. */
export function readEndpoint(chainDir: string): string | undefined {
  const file = chainPaths(chainDir).endpoint;
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { rpcUrl: string }).rpcUrl;
}

export async function startEmbeddedChain(opts: { chainDir: string; port: number }): Promise<EmbeddedChain> {
  const paths = chainPaths(opts.chainDir);
  const anvil = await startAnvil({ stateFile: paths.state, port: opts.port });
  try {
    const conn = await connectChain(anvil.rpcUrl);
    const storage = await openSqlite(paths.governanceDb, { journal: journalMigrations });
    const governanceKey = ensureKeyFile(paths.governanceKey).account;
    const governance = new TxSender(storage, conn, governanceKey);
    await governance.recover();
    await governance.settle();

    let deployment: Deployment;
    let freshDeployment = false;
    if (existsSync(paths.deployment)) {
      deployment = readDeployment(paths.deployment);
      await checkDeployment(conn.client, deployment, paths.deployment).catch((err: unknown) => {
        const hint = existsSync(paths.state) ? '' : ` (the chain state file ${paths.state} is missing)`;
        throw new CarechainError(`${(err as Error).message}${hint}`);
      });
    } else {
      await fundFromDevAccount(conn, storage, governanceKey.address);
      deployment = await deployContracts(conn, governance);
      writeDeployment(paths.deployment, deployment);
      freshDeployment = true;
    }
    writeFileSync(paths.endpoint, JSON.stringify({ rpcUrl: anvil.rpcUrl, chainId: conn.chain.id }, null, 2) + '\n');
    return {
      anvil,
      conn,
      deployment,
      deploymentFile: paths.deployment,
      governance,
      freshDeployment,
      async stop() {
        governance.stop();
        await anvil.stop();
        await storage.close();
      },
    };
  } catch (err) {
    await anvil.stop();
    throw err;
  }
}

/** Gas money for the network's governance key, from Anvil's pre-funded development account. */
async function fundFromDevAccount(conn: ChainConnection, storage: Awaited<ReturnType<typeof openSqlite>>, to: `0x${string}`): Promise<void> {
  if ((await conn.client.getBalance({ address: to })) > parseEther('100')) return;
  const faucet = new TxSender(storage, conn, devAccount(0));
  await faucet.send({ to, data: '0x', value: parseEther('9000'), label: `fund governance ${to}` });
  faucet.stop();
}
