#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { join, resolve } from 'node:path';
import { startEmbeddedChain } from '../chain/embedded.ts';
import { embeddedChainDir, loadNodeConfig } from '../config/node-config.ts';
import { startNetwork } from '../network/demo.ts';
import { startNode } from '../node/start.ts';
import { action, untilStopped } from './run.ts';

const program = new Command('carechain')
  .description('Carechain: a permissioned blockchain network for health data')
  .showHelpAfterError();

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

const chain = program.command('chain').description('the embedded development chain (Anvil)');
chain
  .command('start')
  .description('start Anvil with its state in <home>/chain, deploying the contracts on first start')
  .option('--home <dir>', 'network directory', process.env.CARECHAIN_HOME ?? '.carechain')
  .option('--port <port>', 'JSON-RPC port on 127.0.0.1', port, 8545)
  .action(
    action(async (opts: { home: string; port: number }) => {
      const c = await startEmbeddedChain({ chainDir: embeddedChainDir(resolve(opts.home)), port: opts.port });
      console.log(`chain ${c.conn.chain.id} listening on ${c.anvil.rpcUrl} (${c.freshDeployment ? 'contracts deployed' : 'deployment reused'})`);
      for (const [name, v] of Object.entries(c.deployment.contracts)) console.log(`  ${name.padEnd(20)} ${v.address}`);
      console.log(`deployment: ${c.deploymentFile}`);
      if (process.send) process.send({ type: 'ready', url: c.anvil.rpcUrl, pid: c.anvil.pid });
      await untilStopped();
      await c.stop();
    }),
  );

const node = program.command('node').description("an organization's node");
node
  .command('start')
  .description('start the HTTP API of one organization')
  .option('--org <slug>', 'organization slug (CARECHAIN_ORG)')
  .option('--home <dir>', 'network directory (CARECHAIN_HOME, default .carechain)')
  .option('--data-dir <dir>', 'node data directory (default <home>/orgs/<org>)')
  .option('--host <host>', 'listen address (default 127.0.0.1)')
  .option('--port <port>', 'listen port (default 4000)')
  .option('--rpc-url <url>', 'JSON-RPC URL of the ledger (CARECHAIN_RPC_URL; default: the embedded chain)')
  .option('--deployment <file>', 'deployment file (CARECHAIN_DEPLOYMENT)')
  .option('--key-file <file>', 'organization key file (CARECHAIN_KEY_FILE)')
  .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent')
  .option('--config <file>', 'JSON config file (CARECHAIN_CONFIG)')
  .action(
    action(async (flags: Record<string, string | undefined>) => {
      const config = loadNodeConfig({
        org: flags.org,
        home: flags.home,
        dataDir: flags.dataDir,
        host: flags.host,
        port: flags.port,
        rpcUrl: flags.rpcUrl,
        deploymentFile: flags.deployment,
        keyFile: flags.keyFile,
        logLevel: flags.logLevel,
        config: flags.config,
      });
      const running = await startNode(config);
      if (process.send) process.send({ type: 'ready', url: running.url, pid: process.pid });
      const why = await untilStopped();
      running.app.log.info({ why }, 'stopping');
      await running.stop();
    }),
  );

const network = program.command('network').description('a local network of demo organizations');
network
  .command('start')
  .description('start the embedded chain and one node per demo organization')
  .option('--home <dir>', 'network directory', process.env.CARECHAIN_HOME ?? '.carechain')
  .option('--chain-port <port>', 'JSON-RPC port of the embedded chain', port, 8545)
  .option('--base-port <port>', 'port of the first node; the others follow', port, 4001)
  .action(
    action(async (opts: { home: string; chainPort: number; basePort: number }) => {
      const home = resolve(opts.home);
      const net = await startNetwork({ home, chainPort: opts.chainPort, basePort: opts.basePort, onProgress: (m) => console.log(`- ${m}`) });
      console.log(`\nCarechain network running (home ${home})`);
      console.log(`  ${'chain'.padEnd(18)} ${net.chain.anvil.rpcUrl.padEnd(24)} chain id ${net.chain.conn.chain.id}`);
      for (const n of net.nodes) {
        console.log(`  ${n.spec.slug.padEnd(18)} ${n.url.padEnd(24)} ${n.spec.kind.padEnd(16)} ${n.spec.name}  (log ${join('orgs', n.spec.slug, 'node.log')})`);
      }
      console.log('\nTry: curl ' + net.nodes[0]!.url + '/api/participants    Stop with Ctrl-C.');
      if (process.send) {
        process.send({ type: 'ready', chain: { url: net.chain.anvil.rpcUrl, pid: net.chain.anvil.pid }, nodes: net.nodes.map((n) => ({ org: n.spec.slug, url: n.url, pid: n.process.pid })) });
      }
      await untilStopped();
      console.log('stopping the network');
      await net.stop();
    }),
  );

await program.parseAsync(process.argv);
// Long-running commands return after a graceful stop; an IPC channel to a parent (network start,
// tests) would otherwise keep the process alive.
process.exit(0);
