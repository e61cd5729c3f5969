// storage-engine: both, core (in the PostgreSQL pass of npm test; npm run test:postgres runs every file on PostgreSQL)
/**
 * The backup drill, on whichever engine the suite runs: an online backup of a running node (records,
 * audit entries, anchors), restored onto a fresh data directory (and, on PostgreSQL, a fresh
 * database), passes `carechain verify` and `carechain audit verify` against the chain, and a node
 * started on it serves the same records.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startNode } from '../src/node/start.ts';
import { runCli, startTestNode, tempDir, testNodeConfig } from './helpers/env.ts';

const tmp = tempDir();
after(() => tmp.remove());

test('online backup, restore onto a fresh data directory, verify and audit verify pass, the records are served', async () => {
  const { chain, org, node, token } = await startTestNode(tmp.dir, 'backed-up');
  try {
    const fhir = async (method: string, path: string, body?: unknown, url = node.url) => {
      const res = await fetch(`${url}/fhir${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, body: (await res.json()) as any };
    };
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await fhir('POST', '/Patient', { resourceType: 'Patient', name: [{ family: `Backup${i}` }] })).body.id);
    assert.equal((await fhir('GET', `/Patient/${ids[0]}`)).status, 200);
    await node.services.anchorers.records.maybeAnchor(true);
    await node.services.anchorers.audit.maybeAnchor(true);

    // Online: the node keeps running while the backup is taken.
    const out = join(tmp.dir, 'backup');
    const b = await runCli(['backup', '--org', org.slug, '--home', tmp.dir, '--out', out]);
    assert.equal(b.code, 0, b.stdout + b.stderr);
    assert.match(b.stdout, /record log 20 entries/);
    const manifest = JSON.parse(readFileSync(join(out, 'backup.json'), 'utf8'));
    assert.ok(existsSync(join(out, 'keys.json')) && manifest.files['keys.json']);
    await node.stop();

    // A fresh machine: another data directory (and database), the same chain.
    const fresh = join(tmp.dir, 'restored');
    const r = await runCli(['restore', '--org', org.slug, '--home', tmp.dir, '--data-dir', fresh, '--from', out]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const again = await runCli(['restore', '--org', org.slug, '--home', tmp.dir, '--data-dir', fresh, '--from', out]);
    assert.notEqual(again.code, 0, 'never restores over an existing node');
    const verify = await runCli(['verify', '--org', org.slug, '--home', tmp.dir, '--data-dir', fresh, '--key-file', join(fresh, 'keys.json'), '--rpc-url', chain.anvil.rpcUrl]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /OK: the store matches the ledger/);
    const auditVerify = await runCli(['audit', 'verify', '--org', org.slug, '--home', tmp.dir, '--data-dir', fresh, '--rpc-url', chain.anvil.rpcUrl]);
    assert.equal(auditVerify.code, 0, auditVerify.stdout + auditVerify.stderr);

    const restored = await startNode(testNodeConfig({ org: org.slug, home: tmp.dir, dataDir: fresh, port: 0, rpcUrl: chain.anvil.rpcUrl, logLevel: 'silent' }));
    try {
      for (const id of ids) assert.equal((await fhir('GET', `/Patient/${id}`, undefined, restored.url)).body.name[0].family.startsWith('Backup'), true);
    } finally {
      await restored.stop();
    }

    // A tampered backup is refused before anything is restored.
    const bad = join(tmp.dir, 'restored-2');
    const keys = join(out, 'keys.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(keys, readFileSync(keys, 'utf8').replace('"version": 1', '"version": 1 '));
    const t = await runCli(['restore', '--org', org.slug, '--home', tmp.dir, '--data-dir', bad, '--from', out]);
    assert.notEqual(t.code, 0);
    assert.match(t.stderr, /keys\.json is missing or altered/);
  } finally {
    await node.stop().catch(() => {});
    await chain.stop();
  }
});
