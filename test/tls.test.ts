/**
 * TLS between nodes: the CLI creates a CA per network and issues node certificates; a node with
 * --tls serves HTTPS; node-to-node record requests travel over TLS and trust only the network CA:
 * a custodian with another network's certificate, or a plain-HTTP endpoint, is refused.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import { loadKeyFile } from '../src/crypto/org-keys.ts';
import { fetchFromCustodians } from '../src/exchange/requester.ts';
import { caFiles, initNetworkCa, nodeFiles } from '../src/tls/certificates.ts';
import { fetchTrusting, peerFetch } from '../src/tls/peer-fetch.ts';
import { freePort, registerTestOrg, runCli, startCli, startTestChain, tempDir, type CliProcess, type TestOrg, openNodeDb } from './helpers/env.ts';

const tmp = tempDir();
let chain: EmbeddedChain;
let hospital: TestOrg;
let clinic: TestOrg;
let node: CliProcess;
let url: string;

before(async () => {
  chain = await startTestChain(tmp.dir);
  const port = await freePort();
  hospital = await registerTestOrg(chain, tmp.dir, 'tls-hospital', 'hospital', `https://127.0.0.1:${port}`);
  clinic = await registerTestOrg(chain, tmp.dir, 'tls-clinic', 'clinic');
  const init = await runCli(['tls', 'init', '--home', tmp.dir]);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /created: network CA/);
  const issue = await runCli(['tls', 'issue', '--org', hospital.slug, '--home', tmp.dir, '--host', '127.0.0.1', 'localhost']);
  assert.equal(issue.code, 0, issue.stderr);
  node = startCli(['node', 'start', '--org', hospital.slug, '--home', tmp.dir, '--port', String(port), '--log-level', 'warn', '--tls'], { CARECHAIN_RPC_URL: chain.anvil.rpcUrl });
  ({ url } = (await node.ready) as { url: string });
});
after(async () => {
  await node?.stop();
  await chain?.stop();
  tmp.remove();
});

test('the network CA and node certificates: keys private, the chain of trust and host names right', async () => {
  const ca = caFiles(tmp.dir);
  const leaf = nodeFiles(hospital.dataDir);
  for (const key of [ca.key, leaf.key]) assert.equal(statSync(key).mode & 0o077, 0, `${key} is readable by its owner only`);
  const caCert = new X509Certificate(readFileSync(ca.cert));
  const nodeCert = new X509Certificate(readFileSync(leaf.cert));
  assert.ok(caCert.ca, 'the CA certificate is a CA');
  assert.ok(caCert.verify(caCert.publicKey), 'self-signed');
  assert.equal(nodeCert.ca, false);
  assert.ok(nodeCert.verify(caCert.publicKey), 'the node certificate is signed by the network CA');
  assert.equal(nodeCert.checkIssued(caCert), true);
  assert.ok(nodeCert.checkIP('127.0.0.1') && nodeCert.checkHost('localhost'));
  // Running init again keeps the CA (every certificate issued from it stays valid).
  const again = await runCli(['tls', 'init', '--home', tmp.dir]);
  assert.match(again.stdout, /exists: network CA/);
  assert.equal(new X509Certificate(readFileSync(ca.cert)).fingerprint256, caCert.fingerprint256);
});

test('a node with --tls serves HTTPS that only the network CA vouches for', async () => {
  assert.match(url, /^https:\/\//);
  const ca = readFileSync(caFiles(tmp.dir).cert, 'utf8');
  assert.equal((await fetchTrusting(ca)(`${url}/health/live`, { method: 'GET', headers: {} })).status, 200);
  await assert.rejects(fetch(`${url}/health/live`), 'the system roots do not trust it');
  const other = tempDir();
  try {
    const otherCa = await initNetworkCa(other.dir, 'Another network');
    await assert.rejects(fetchTrusting(readFileSync(otherCa.cert, 'utf8'))(`${url}/health/live`, { method: 'GET', headers: {} }), "another network's CA does not trust it");
  } finally {
    other.remove();
  }
  assert.equal((await fetch(`${url.replace('https:', 'http:')}/health/live`).catch(() => undefined))?.status, undefined, 'no plain HTTP on the TLS port');
});

test('node-to-node record requests go over TLS to the network CA only', async () => {
  // The requester's view of the ledger: its own index, filled by its own node (its TLS certificate
  // issued at start from the network CA in the same home).
  const clinicNode = startCli(['node', 'start', '--org', clinic.slug, '--home', tmp.dir, '--port', String(await freePort()), '--log-level', 'warn', '--tls'], { CARECHAIN_RPC_URL: chain.anvil.rpcUrl });
  await clinicNode.ready;
  await clinicNode.stop();
  const index = openNodeDb(clinic);
  try {
    const keys = loadKeyFile(clinic.keyFile);
    const q = [{ custodian: hospital.orgId, patient: privateKeyToAccount(generatePrivateKey()).address, scope: { resourceTypes: ['Observation'] } }];
    const common = { purpose: 'TREAT' as const };
    const ca = readFileSync(caFiles(tmp.dir).cert, 'utf8');
    // Over TLS the custodian is reached and decides (no grant: 403), rather than being unreachable.
    const ok = await fetchFromCustodians({ storage: index, keys, peerFetch: peerFetch(ca), orgId: clinic.orgId }, q, common);
    assert.deepEqual(ok.custodians.map((c) => c.status), [403], JSON.stringify(ok.problems));
    // A requester trusting another network's CA cannot talk to this custodian.
    const other = tempDir();
    try {
      const otherCa = readFileSync((await initNetworkCa(other.dir, 'Another network')).cert, 'utf8');
      const refused = await fetchFromCustodians({ storage: index, keys, peerFetch: peerFetch(otherCa), orgId: clinic.orgId }, q, common);
      assert.deepEqual(refused.custodians, []);
      assert.match(refused.problems[0]!, /unreachable/);
    } finally {
      other.remove();
    }
  } finally {
    await index.close();
  }
  // With TLS on, a peer registered at a plain-HTTP endpoint is never sent a request.
  await assert.rejects(peerFetch('ca')('http://127.0.0.1:1/api/exchange/records', { method: 'POST', headers: {}, body: '{}' }), /refusing to send records over plain HTTP/);
});
