/**
 * The indexer on a chain whose blocks are not instantly final: it trails the head by a confirmation
 * depth, and when a block it indexed stops being canonical it rebuilds the projectors' tables from
 * the canonical chain in one transaction. The reorg is a real one on Anvil: `evm_snapshot` before a
 * registration, `evm_revert` after it was indexed, then a different history of the same or another
 * length.
 *
 * storage-engine: sqlite-only
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createWalletClient, http, type Hex } from 'viem';
import { participantRegistryAbi } from '../src/chain/generated/contracts.ts';
import { chainPaths, type EmbeddedChain } from '../src/chain/embedded.ts';
import { kindToChain, orgIdOf } from '../src/chain/ids.ts';
import { loadKeyFile } from '../src/crypto/org-keys.ts';
import { Indexer, indexerMigrations } from '../src/indexer/indexer.ts';
import { listParticipants } from '../src/indexer/projectors/participants.ts';
import { openSqlite, type SqliteStorage } from '../src/storage/sqlite.ts';
import { startTestChain, tempDir } from './helpers/env.ts';

const tmp = tempDir();
let chain: EmbeddedChain;
let storage: SqliteStorage;
let signerSeq = 1;

before(async () => {
  chain = await startTestChain(tmp.dir);
});
after(async () => {
  await storage?.close();
  await chain?.stop();
  tmp.remove();
});

const rpc = <T>(method: string, params: unknown[] = []) => chain.conn.client.request({ method: method as never, params: params as never }) as Promise<T>;
const mine = (n: number) => rpc('anvil_mine', [`0x${n.toString(16)}`]);

/** Registers `slug` straight through the governance key (not the journal: a revert rewinds nonces). */
async function register(slug: string): Promise<number> {
  const account = loadKeyFile(chainPaths(join(tmp.dir, 'chain')).governanceKey).account;
  const wallet = createWalletClient({ account, chain: chain.conn.chain, transport: http(chain.conn.rpcUrl) });
  const signer = `0x${(0xa11ce000 + signerSeq++).toString(16).padStart(40, '0')}` as Hex;
  const hash = await wallet.writeContract({
    address: chain.deployment.contracts.ParticipantRegistry.address,
    abi: participantRegistryAbi,
    functionName: 'register',
    args: [orgIdOf(slug), kindToChain('clinic'), signer, `0x${'11'.repeat(32)}`, slug, `https://${slug}.example`],
  });
  return Number((await chain.conn.client.waitForTransactionReceipt({ hash })).blockNumber);
}

const names = async () => (await listParticipants(storage)).map((p) => p.name).sort();

test('trails the head by the confirmation depth', async () => {
  storage = await openSqlite(join(tmp.dir, 'index.db'), indexerMigrations);
  const indexer = await Indexer.open(storage, chain.conn, chain.deployment, { confirmations: 2 });
  const block = await register('alpha');
  await indexer.poll();
  assert.ok(indexer.indexedBlock < block, 'a block without 2 confirmations is not indexed');
  assert.deepEqual(await names(), []);
  await mine(1);
  await indexer.poll();
  assert.deepEqual(await names(), [], 'one confirmation is not two');
  await mine(1);
  await indexer.poll();
  assert.equal(indexer.indexedBlock, block);
  assert.deepEqual(await names(), ['alpha']);
});

test('rewinds on a reorg: a registration that left the canonical chain leaves the index', async () => {
  const indexer = await Indexer.open(storage, chain.conn, chain.deployment, { confirmations: 0 });
  await indexer.poll();
  const snapshot = await rpc<Hex>('evm_snapshot');
  await register('beta');
  await register('gamma');
  await indexer.poll();
  assert.deepEqual(await names(), ['alpha', 'beta', 'gamma']);
  const indexedBefore = indexer.indexedBlock;

  // Another history from the snapshot on, longer than the one indexed: 'delta' instead of beta, gamma.
  assert.equal(await rpc<boolean>('evm_revert', [snapshot]), true);
  await register('delta');
  await mine(3);
  let reorgAt: number | undefined;
  indexer.once('reorg', (b) => (reorgAt = b));
  await indexer.poll();
  assert.equal(indexer.status().reorgs, 1);
  assert.ok(reorgAt !== undefined && reorgAt > indexedBefore);
  assert.deepEqual(await names(), ['alpha', 'delta'], 'beta and gamma are gone, delta is in');
  assert.equal(indexer.indexedBlock, Number(await chain.conn.client.getBlockNumber()));

  // A history shorter than the one indexed (the indexed block no longer exists) is a reorg too.
  const snapshot2 = await rpc<Hex>('evm_snapshot');
  await register('epsilon');
  await mine(5);
  await indexer.poll();
  assert.deepEqual(await names(), ['alpha', 'delta', 'epsilon']);
  assert.equal(await rpc<boolean>('evm_revert', [snapshot2]), true);
  await indexer.poll();
  assert.equal(indexer.status().reorgs, 2);
  assert.deepEqual(await names(), ['alpha', 'delta']);

  // A restarted indexer reads the block hash it committed and goes on without a rebuild.
  const reopened = await Indexer.open(storage, chain.conn, chain.deployment);
  await register('zeta');
  await reopened.poll();
  assert.equal(reopened.status().reorgs, 0);
  assert.deepEqual(await names(), ['alpha', 'delta', 'zeta']);
});
