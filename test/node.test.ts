/**
 * The node over real HTTP against a real Anvil: health, readiness, the participant directory from
 * the index, operator anchoring, input errors, and an index that resumes after a restart.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { keccak256, stringToHex } from 'viem';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import { participantRegistryAbi } from '../src/chain/generated/contracts.ts';
import { startNode, type RunningNode } from '../src/node/start.ts';
import { registerTestOrg, startTestChain, tempDir, waitUntil, type TestOrg, testNodeConfig } from './helpers/env.ts';

const tmp = tempDir();
let chain: EmbeddedChain;
let org: TestOrg;
let other: TestOrg;
let node: RunningNode;
let token: string;

function config() {
  return testNodeConfig({ org: org.slug, home: tmp.dir, port: 0, rpcUrl: chain.anvil.rpcUrl, logLevel: 'silent' });
}

async function api(path: string, init: RequestInit = {}) {
  const res = await fetch(node.url + path, init);
  return { status: res.status, body: (await res.json()) as any };
}
const post = (path: string, body: unknown, auth = token) =>
  api(path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` }, body: JSON.stringify(body) });
const root = (n: number) => keccak256(stringToHex(`node-test-root-${n}`));

before(async () => {
  chain = await startTestChain(tmp.dir);
  [org, other] = await Promise.all([registerTestOrg(chain, tmp.dir, 'general-hospital'), registerTestOrg(chain, tmp.dir, 'city-pharmacy', 'pharmacy')]);
  node = await startNode(config());
  token = readFileSync(join(org.dataDir, 'admin-token'), 'utf8').trim();
});
after(async () => {
  await node?.stop();
  await chain?.stop();
  tmp.remove();
});

describe('node HTTP API', () => {
  test('liveness and readiness', async () => {
    assert.deepEqual((await api('/health/live')).body, { status: 'ok' });
    const ready = await api('/health/ready');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.status, 'ready');
    assert.ok(ready.body.indexedBlock >= 1);
  });

  test('participants come from the index, with filters', async () => {
    const all = await api('/api/participants');
    assert.equal(all.status, 200);
    const slugs = all.body.participants.map((p: { orgId: string }) => p.orgId);
    assert.deepEqual(new Set(slugs), new Set([org.orgId, other.orgId]));
    const pharmacies = await api('/api/participants?kind=pharmacy');
    assert.equal(pharmacies.body.participants.length, 1);
    assert.equal(pharmacies.body.participants[0].signer, other.keys.account.address);
    assert.equal(pharmacies.body.participants[0].encryptionKey, other.keys.encryptionPublicKey);
    const one = await api(`/api/participants/${org.orgId}`);
    assert.equal(one.body.participant.kind, 'hospital');
    assert.equal(one.body.participant.active, true);
  });

  test('bad input gets a 4xx with a reason', async () => {
    const badKind = await api('/api/participants?kind=spaceship');
    assert.equal(badKind.status, 400);
    assert.match(badKind.body.error.message, /kind/);
    const badId = await api('/api/participants/0x1234');
    assert.equal(badId.status, 400);
    const unknown = await api(`/api/participants/${root(99)}`);
    assert.equal(unknown.status, 404);
    assert.equal((await api('/api/nothing-here')).status, 404);
  });

  test('a suspension on chain reaches the index', async () => {
    const { receipt } = await chain.governance.sendContract({
      address: chain.deployment.contracts.ParticipantRegistry.address,
      abi: participantRegistryAbi,
      functionName: 'suspend',
      args: [other.orgId, 'inspection'],
    });
    await node.services.indexer.waitForBlock(receipt.blockNumber);
    const p = await api(`/api/participants/${other.orgId}`);
    assert.equal(p.body.participant.active, false);
    assert.equal(p.body.participant.updatedBlock, Number(receipt.blockNumber));
    assert.equal((await api('/api/participants?active=true')).body.participants.length, 1);
  });

  test('operator endpoints need the admin token', async () => {
    assert.equal((await post('/api/anchors', { kind: 'supply', log: 'manual-test', treeSize: 1, root: root(1) }, 'wrong')).status, 401);
    assert.equal((await api('/api/anchors', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status, 401);
    assert.equal((await api('/api/transactions')).status, 401);
  });

  test('anchoring through the node: journalled, mined, indexed; a shrinking tree is refused', async () => {
    const first = await post('/api/anchors', { kind: 'supply', log: 'manual-test', treeSize: 4, root: root(4) });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const second = await post('/api/anchors', { kind: 'supply', log: 'manual-test', treeSize: 9, root: root(9) });
    assert.equal(second.status, 201);
    const shrink = await post('/api/anchors', { kind: 'supply', log: 'manual-test', treeSize: 3, root: root(3) });
    assert.equal(shrink.status, 409);
    assert.match(shrink.body.error.message, /TreeSizeMustGrow/);
    const invalid = await post('/api/anchors', { kind: 'supply', log: 'manual-test', treeSize: -1, root: 'abc' });
    assert.equal(invalid.status, 400);
    const reserved = await post('/api/anchors', { kind: 'records', log: 'records', treeSize: 100, root: root(100) });
    assert.equal(reserved.status, 409, 'the node anchors its own record log; an operator may not');
    const extra = await post('/api/anchors', { kind: 'supply', log: 'manual-test', treeSize: 10, root: root(10), orgId: other.orgId });
    assert.equal(extra.status, 400, 'unknown fields are refused, not ignored');

    const listed = await api(`/api/anchors?org=${org.orgId}&kind=supply&log=manual-test`);
    assert.deepEqual(listed.body.anchors.map((a: { treeSize: number; root: string }) => [a.treeSize, a.root]), [[9, root(9)], [4, root(4)]]);
    const journal = await api('/api/transactions', { headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual(journal.body.transactions.map((t: { status: string }) => t.status), ['mined', 'mined']);
  });

  test('after a restart the index resumes from its last block and applies nothing twice', async () => {
    const before = node.services.indexer.indexedBlock;
    await node.stop();
    // Events while the node is down.
    const { receipt } = await chain.governance.sendContract({
      address: chain.deployment.contracts.ParticipantRegistry.address,
      abi: participantRegistryAbi,
      functionName: 'reinstate',
      args: [other.orgId],
    });
    node = await startNode(config());
    assert.ok(node.services.indexer.indexedBlock >= Number(receipt.blockNumber), 'caught up at start');
    assert.ok(node.services.indexer.indexedBlock > before);
    const p = await api(`/api/participants/${other.orgId}`);
    assert.equal(p.body.participant.active, true);
    const anchors = await api(`/api/anchors?org=${org.orgId}`);
    assert.equal(anchors.body.anchors.length, 2, 'anchor rows not duplicated by re-indexing');
    assert.equal((await api('/api/participants')).body.participants.length, 2);
    await waitUntil('ready', async () => (await api('/health/ready')).status === 200);
  });
});
