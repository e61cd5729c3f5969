/**
 * The embedded network chain: Anvil with its state in `<home>/chain`, the contracts deployed once,
 * their addresses in `<home>/chain/deployment.json`, and the RPC URL in `<home>/chain/endpoint.json`
 * for the nodes to find. A second start loads the state and reuses the deployment.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mnemonicToAccount, type HDAccount } from 'viem/accounts';
import { openDatabase } from '../db/database.ts';
import { CarechainError } from '../errors.ts';
import { startAnvil, type RunningAnvil } from './anvil.ts';
import { connectChain, type ChainConnection } from './client.ts';
import { deployContracts, deployMissing } from './deploy.ts';
import { checkDeployment, deploymentSchema, readDeployment, writeDeployment, type Deployment } from './deployment.ts';
import { journalMigrations, TxSender } from './journal.ts';

/**
 * Anvil's documented development mnemonic: its accounts are funded on every dev chain and public
 * knowledge, so they are fit only for the embedded development network, never for Besu.
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
    const db = openDatabase(paths.governanceDb, { journal: journalMigrations });
    const governance = new TxSender(db, conn, devAccount(0));
    await governance.recover();
    await governance.settle();

    let deployment: Deployment;
    let freshDeployment = false;
    if (existsSync(paths.deployment)) {
      // A deployment from an older version gets the contracts added since, once.
      const raw = JSON.parse(readFileSync(paths.deployment, 'utf8'));
      const completed = await deployMissing(conn, governance, raw);
      if (completed !== raw) writeDeployment(paths.deployment, deploymentSchema.parse(completed));
      deployment = readDeployment(paths.deployment);
      await checkDeployment(conn.client, deployment, paths.deployment).catch((err: unknown) => {
        const hint = existsSync(paths.state) ? '' : ` (the chain state file ${paths.state} is missing)`;
        throw new CarechainError(`${(err as Error).message}${hint}`);
      });
    } else {
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
        db.close();
      },
    };
  } catch (err) {
    await anvil.stop();
    throw err;
  }
}
