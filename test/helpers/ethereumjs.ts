/**
 * A second, independent EVM client for the "any EVM chain by URL" tests: `@ethereumjs/client` (the
 * EthereumJS execution client, from npm), run as its own process in proof-of-authority mode
 * (`--dev=poa`: Clique, one sealing signer, a block every `periodSeconds`, London rules with an
 * EIP-1559 base fee). It is a real multi-block client: transactions wait in its pool until the next
 * sealed block, unlike Anvil's one-block-per-transaction automine.
 *
 * `--dev=poa` alone seals every 10 s with a freshly generated signer; the Clique period is a genesis
 * setting, so the dev chain's genesis (the same fields `--dev=poa` writes) is given with
 * `--gethGenesis` and a 1 s period, and the signer is unlocked from a key file so the test knows the
 * funded account.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { freePort } from '../../src/chain/anvil.ts';

const require = createRequire(import.meta.url);

export interface RunningEthereumJs {
  rpcUrl: string;
  chainId: number;
  /** The Clique signer, funded in the genesis. */
  signerKey: Hex;
  stop(): Promise<void>;
}

/** Starts the client on free ports under `dir` and waits until it has sealed its first block. */
export async function startEthereumJs(dir: string, opts: { signerKey: Hex; periodSeconds?: number; chainId?: number }): Promise<RunningEthereumJs> {
  const chainId = opts.chainId ?? 123456;
  const signer = privateKeyToAccount(opts.signerKey).address.slice(2).toLowerCase();
  mkdirSync(dir, { recursive: true });
  const genesisFile = join(dir, 'carechain-poa.json');
  writeFileSync(
    genesisFile,
    JSON.stringify({
      config: {
        chainId,
        homesteadBlock: 0,
        eip150Block: 0,
        eip155Block: 0,
        eip158Block: 0,
        byzantiumBlock: 0,
        constantinopleBlock: 0,
        petersburgBlock: 0,
        istanbulBlock: 0,
        berlinBlock: 0,
        londonBlock: 0,
        clique: { period: opts.periodSeconds ?? 1, epoch: 30000 },
      },
      nonce: '0x0',
      timestamp: `0x${Math.floor(Date.now() / 1000).toString(16)}`,
      gasLimit: '0x1c9c380',
      difficulty: '0x1',
      mixHash: `0x${'0'.repeat(64)}`,
      coinbase: `0x${'0'.repeat(40)}`,
      number: '0x0',
      gasUsed: '0x0',
      parentHash: `0x${'0'.repeat(64)}`,
      baseFeePerGas: '0x7',
      // Clique: 32 bytes vanity, the signers, 65 bytes for the seal.
      extraData: `0x${'0'.repeat(64)}${signer}${'0'.repeat(130)}`,
      alloc: { [signer]: { balance: '0x10000000000000000000000' } },
    }),
  );
  const keyFile = join(dir, 'signer.key');
  writeFileSync(keyFile, opts.signerKey.slice(2), { mode: 0o600 });
  const rpcPort = await freePort();
  const p2pPort = await freePort();
  const cli = join(dirname(require.resolve('@ethereumjs/client/package.json')), 'dist', 'esm', 'bin', 'cli.js');
  const child = spawn(
    process.execPath,
    [cli, '--dev=poa', `--gethGenesis=${genesisFile}`, `--unlock=${keyFile}`, `--dataDir=${join(dir, 'data')}`, '--rpc', `--rpcPort=${rpcPort}`, '--rpcAddr=127.0.0.1', `--port=${p2pPort}`, '--discV4=false', '--maxPeers=0', `--logLevel=${process.env.CARECHAIN_EJS_LOG ?? 'warn'}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => { output = (output + d.toString()).slice(-4000); if (process.env.CARECHAIN_EJS_LOG) process.stderr.write(d); });
  child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const rpcUrl = `http://127.0.0.1:${rpcPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`@ethereumjs/client exited (${child.exitCode}): ${output}`);
    const block = await fetch(rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }) })
      .then(async (r) => ((await r.json()) as { result?: Hex }).result)
      .catch(() => undefined);
    if (block && BigInt(block) > 0n) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`@ethereumjs/client sealed no block within 60 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    rpcUrl,
    chainId,
    signerKey: opts.signerKey,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}
