// storage-engine: both, core (in the PostgreSQL pass of npm test; npm run test:postgres runs every file on PostgreSQL)
/**
 * The audit trail over real HTTP, SQLite and Anvil: every action audited in its own transaction,
 * anchored and signed tree heads, inclusion and consistency proofs checked against the chain, the
 * patient view, NDJSON export, insider-threat flags, tamper detection, and a crash test.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Storage } from '../src/storage/engine.ts';
import { hexToBytes } from 'viem';
import { DetailSealer, sthSigner, type SignedTreeHead } from '../src/audit/audit-log.ts';
import { loadKeyFile } from '../src/crypto/org-keys.ts';
import { evaluateFlags } from '../src/audit/flags.ts';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import { anchorRegistryAbi } from '../src/chain/generated/contracts.ts';
import { logIdOf, logKindToChain } from '../src/chain/ids.ts';
import { verifyAuditCommand } from '../src/cli/verify.ts';
import { canonicalJson } from '../src/shared/canonical-json.ts';
import type { NodeConfig } from '../src/config/node-config.ts';
import { leafHash } from '../src/merkle/hasher.ts';
import { verifyConsistency, verifyInclusion } from '../src/merkle/verify.ts';
import { startNode, type RunningNode } from '../src/node/start.ts';
import { freePort, runCli, startCli, startTestNode, tempDir, waitUntil, type TestOrg, openNodeDb } from './helpers/env.ts';

const tmp = tempDir();
let chain: EmbeddedChain;
let org: TestOrg;
let node: RunningNode;
let token: string;

let config: () => NodeConfig;

async function call(method: string, path: string, body?: unknown, auth = true) {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: { ...(auth ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': path.startsWith('/fhir') ? 'application/fhir+json' : 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

const auditSize = () => node.services.audit.log.log.size;
const lastEvents = (n: number): Promise<any[]> => Promise.all(Array.from({ length: n }, (_, i) => node.services.audit.log.entry(auditSize() - n + i)));
const hexes = (xs: string[]) => xs.map((x) => hexToBytes(x as `0x${string}`));

before(async () => {
  ({ chain, org, node, token, config } = await startTestNode(tmp.dir, 'audit-hospital', { anchorIntervalMs: 300 }));
});
after(async () => {
  await node?.stop();
  await chain?.stop();
  tmp.remove();
});

describe('every action is audited', () => {
  test('create, read, vread, search, history, update, delete, $everything, erase: one AuditEvent each, BALP shape', async () => {
    const start = auditSize();
    const p = (await call('POST', '/fhir/Patient', { resourceType: 'Patient', name: [{ family: 'Audited' }] })).body;
    let e = (await lastEvents(1))[0];
    assert.equal(e.resourceType, 'AuditEvent');
    assert.equal(e.action, 'C');
    assert.equal(e.outcome, '0');
    assert.equal(e.subtype[0].code, 'create');
    assert.equal(e.agent[0].who.reference, `Organization/${org.slug}`);
    assert.equal(e.source.observer.display, org.slug);
    assert.equal(e.entity[0].what.reference, `Patient/${p.id}`);
    assert.equal(e.entity[1].what.reference, `Patient/${p.id}/_history/1`);
    assert.equal(e.purposeOfEvent[0].coding[0].code, 'HOPERAT');

    const obs = (await call('POST', '/fhir/Observation', { resourceType: 'Observation', status: 'final', code: { text: 'hr' }, subject: { reference: `Patient/${p.id}` } })).body;
    await call('GET', `/fhir/Observation/${obs.id}`);
    e = (await lastEvents(1))[0];
    assert.deepEqual([e.action, e.subtype[0].code, e.entity[0].what.reference], ['R', 'read', `Patient/${p.id}`]);
    await call('GET', `/fhir/Observation/${obs.id}/_history/1`);
    assert.equal((await lastEvents(1))[0].subtype[0].code, 'vread');
    await call('GET', `/fhir/Observation?patient=${p.id}`);
    e = (await lastEvents(1))[0];
    assert.equal(e.subtype[0].code, 'search-type');
    assert.match(Buffer.from(e.entity.at(-1).query, 'base64').toString(), /patient=/);
    await call('GET', `/fhir/Observation/${obs.id}/_history`);
    assert.equal((await lastEvents(1))[0].subtype[0].code, 'history-instance');
    await call('PUT', `/fhir/Observation/${obs.id}`, { ...obs, status: 'amended' });
    assert.deepEqual([(await lastEvents(1))[0].action, (await lastEvents(1))[0].subtype[0].code], ['U', 'update']);
    await call('DELETE', `/fhir/Observation/${obs.id}`);
    e = (await lastEvents(1))[0];
    assert.deepEqual([e.action, e.entity[0].what.reference], ['D', `Patient/${p.id}`]);
    await call('GET', `/fhir/Patient/${p.id}/$everything`);
    assert.equal((await lastEvents(1))[0].subtype[0].code, 'everything');
    await call('POST', `/fhir/Patient/${p.id}/$erase`);
    assert.equal((await lastEvents(1))[0].subtype[0].code, 'erase');
    assert.equal(auditSize() - start, 10);
    // Leaves are canonical JSON (sorted keys) although written with plain JSON.stringify.
    for (let i = start; i < auditSize(); i++) {
      const leaf = (await node.services.audit.log.log.leaf(i))!.toString();
      assert.equal(leaf, canonicalJson(JSON.parse(leaf)));
    }
  });

  test('denials and failed logins are audited with a failure outcome', async () => {
    const start = auditSize();
    assert.equal((await call('GET', '/fhir/Patient', undefined, false)).status, 401);
    let e = (await lastEvents(1))[0];
    assert.deepEqual([e.subtype[0].code, e.outcome, e.agent[0].who.reference], ['login', '4', 'Device/unauthenticated']);
    assert.ok(e.agent[0].network.address);
    assert.equal((await call('GET', '/fhir/Patient/nobody')).status, 404);
    e = (await lastEvents(1))[0];
    assert.deepEqual([e.action, e.outcome], ['R', '4']);
    assert.match(e.outcomeDesc, /not-found: Patient\/nobody not found/);
    assert.equal(auditSize() - start, 2);
  });

  test('an action and its audit entry commit together: a failed transaction leaves no success entry', async () => {
    const start = auditSize();
    const versions = ((await node.services.storage.get('SELECT COUNT(*) AS n FROM record_versions')) as any).n;
    const bad = await call('POST', '/fhir', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', id: 'x' }, request: { method: 'PUT', url: 'Patient/x', ifMatch: 'W/"5"' } },
      ],
    });
    assert.equal(bad.status, 412);
    assert.equal(((await node.services.storage.get('SELECT COUNT(*) AS n FROM record_versions')) as any).n, versions);
    const added = (await lastEvents(auditSize() - start));
    assert.deepEqual(added.map((x: any) => x.outcome), ['4'], 'only the failure is audited');
    const ok = await call('POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } }, { resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } }] });
    assert.equal(ok.status, 200);
    assert.deepEqual((await lastEvents(2)).map((x: any) => [x.action, x.outcome]), [['C', '0'], ['C', '0']]);
  });
});

describe('proofs against the chain', () => {
  test('anchored, signed tree heads; inclusion and consistency proofs verify against AnchorRegistry', async () => {
    await node.services.anchorers.audit.maybeAnchor(true);
    const firstAnchor = (await node.services.anchorers.audit.latest())!;
    await call('GET', '/fhir/Patient?_count=1');
    await node.services.anchorers.audit.maybeAnchor(true);
    const secondAnchor = (await node.services.anchorers.audit.latest())!;
    assert.ok(secondAnchor.treeSize > firstAnchor.treeSize);

    const sth = (await call('GET', '/api/audit/sth')).body;
    assert.equal(await sthSigner(sth.sth), org.keys.account.address, 'signed by the organization');
    assert.notEqual(await sthSigner({ ...sth.sth, treeSize: sth.sth.treeSize + 1 }), org.keys.account.address, 'a changed head does not verify');

    const proof = (await call('GET', '/api/audit/entries/3/proof')).body;
    assert.equal(proof.anchor.index, 0, 'proved against the first root that covers it');
    assert.ok(verifyInclusion(3, proof.treeSize, leafHash(Buffer.from(proof.leaf, 'base64')), hexes(proof.proof), hexToBytes(proof.root)).ok);
    const onChain = await chain.conn.client.readContract({
      address: chain.deployment.contracts.AnchorRegistry.address,
      abi: anchorRegistryAbi,
      functionName: 'anchorAt',
      args: [org.orgId, logKindToChain('audit'), logIdOf('audit'), BigInt(proof.anchor.index)],
    });
    assert.equal(onChain.root, proof.root);
    assert.equal(Number(onChain.treeSize), proof.treeSize);

    const c = (await call('GET', `/api/audit/consistency?first=${firstAnchor.treeSize}&second=${secondAnchor.treeSize}`)).body;
    assert.equal(c.firstRoot, firstAnchor.root);
    assert.equal(c.secondRoot, secondAnchor.root);
    assert.ok(verifyConsistency(c.first, c.second, hexes(c.proof), hexToBytes(c.firstRoot), hexToBytes(c.secondRoot)).ok);
    assert.equal((await call('GET', '/api/audit/consistency?first=5&second=2')).status, 400);
    const cli = await runCli(['audit', 'proof', '3', '--node', node.url, '--org', org.slug, '--home', tmp.dir, '--rpc-url', chain.anvil.rpcUrl]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /OK: verified against the ledger/);
    assert.equal((await call('GET', '/api/audit/entries/999999/proof')).status, 404);
  });

  test("a patient's access history: every entry with a proof to a signed head", async () => {
    const p = (await call('POST', '/fhir/Patient', { resourceType: 'Patient', name: [{ family: 'Curious' }] })).body;
    await call('GET', `/fhir/Patient/${p.id}`);
    await call('GET', `/fhir/Patient/${p.id}/_history`);
    const view = (await call('GET', `/api/audit/patient/${p.id}`)).body;
    assert.equal(view.entries.length, 3);
    assert.equal(await sthSigner(view.sth), org.keys.account.address);
    for (const { event, proof } of view.entries) {
      assert.equal(event.entity[0].what.reference, `Patient/${p.id}`);
      assert.ok(verifyInclusion(proof.index, view.sth.treeSize, leafHash(Buffer.from(proof.leaf, 'base64')), hexes(proof.proof), hexToBytes(view.sth.root)).ok);
    }
    assert.deepEqual(view.entries.map((x: any) => x.event.action), ['C', 'R', 'R']);
  });

  test('NDJSON export of a time range: each line proven against the signed head, the head consistent with the anchor', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const res = await fetch(`${node.url}/api/audit/export?from=${encodeURIComponent(from)}`, { headers: { authorization: `Bearer ${token}` } });
    assert.match(res.headers.get('content-type')!, /^application\/x-ndjson/);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    const head = lines[0] as { sth: SignedTreeHead; anchored: any; consistency: any };
    assert.equal(await sthSigner(head.sth), org.keys.account.address);
    assert.ok(verifyConsistency(head.consistency.first, head.consistency.second, hexes(head.consistency.proof), hexToBytes(head.anchored.root), hexToBytes(head.sth.root)).ok);
    assert.ok(lines.length > 10);
    for (const { proof } of lines.slice(1)) assert.ok(verifyInclusion(proof.index, head.sth.treeSize, leafHash(Buffer.from(proof.leaf, 'base64')), hexes(proof.proof), hexToBytes(head.sth.root)).ok);
    assert.equal((await call('GET', '/api/audit/export?from=yesterday')).status, 400);
  });

  test('audit anchoring uses far fewer chain transactions than entries', async () => {
    const anchors = (await node.services.anchorers.audit.anchors()).length;
    assert.ok(anchors * 3 <= auditSize(), `${anchors} anchors for ${auditSize()} entries`);
  });
});

describe('insider-threat flags', () => {
  test('bulk access, repeated denials, after hours, no care relationship, watched patients', async () => {
    const a = node.services.audit;
    const patients = await Promise.all([1, 2, 3, 4, 5].map(async (i) => (await call('POST', '/fhir/Patient', { resourceType: 'Patient', name: [{ family: `Flag${i}` }] })).body.id as string));
    // A clinician with an encounter for patient 0 only.
    await call('POST', '/fhir/Encounter', { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: `Patient/${patients[0]}` }, participant: [{ individual: { reference: 'Practitioner/dr-care' } }] });
    assert.equal((await call('POST', `/api/audit/watch/${patients[1]}`, { reason: 'vip' })).status, 204);
    const since = Date.now() - 1000;
    await node.services.queue.run(async (tx) => {
      for (const p of patients) await a.append(tx, { agent: 'Practitioner/dr-snoop' }, { action: 'R', subtype: 'read', outcome: '0', patientId: p });
      await a.append(tx, { agent: 'Practitioner/dr-care' }, { action: 'R', subtype: 'read', outcome: '0', patientId: patients[0] });
      for (let i = 0; i < 5; i++) await a.append(tx, { agent: 'Practitioner/dr-denied' }, { action: 'R', subtype: 'read', outcome: '4', patientId: patients[2] });
    });
    const hour = new Date().getUTCHours();
    const flags = await evaluateFlags(node.services.audit.log, { fromMs: since, toMs: Date.now() + 1 }, { bulkPatients: 3, windowMs: 600_000, denials: 5, workdayStartHour: (hour + 1) % 24, workdayEndHour: (hour + 2) % 24 || 24 });
    const kinds = (agent: string) => flags.filter((f) => f.agent === agent).map((f) => f.kind).sort();
    assert.deepEqual(kinds('Practitioner/dr-snoop'), ['after-hours', 'bulk-access', 'no-care-relationship', 'watched-patient']);
    assert.deepEqual(kinds('Practitioner/dr-care'), ['after-hours'], 'a clinician with a care relationship is not flagged for it');
    assert.deepEqual(kinds('Practitioner/dr-denied'), ['repeated-denials']);
    const snoopNoCare = flags.find((f) => f.agent === 'Practitioner/dr-snoop' && f.kind === 'no-care-relationship')!;
    assert.equal(snoopNoCare.evidence.length, 5, 'evidence: all five reads (dr-snoop has no encounter with any of them)');
    for (const i of snoopNoCare.evidence) assert.equal(((await a.log.entry(i)) as any).agent[0].who.reference, 'Practitioner/dr-snoop');
    // The API lists them with the evidence entries (default rules: working hours 07-19 UTC).
    const api = (await call('GET', '/api/audit/flags')).body;
    const watched = api.flags.find((f: any) => f.kind === 'watched-patient');
    assert.equal(watched.events[0].entity[0].what.reference, `Patient/${patients[1]}`);
    assert.ok(api.flags.some((f: any) => f.kind === 'repeated-denials'));
    const cli = await runCli(['audit', 'flags', '--node', node.url, '--org', org.slug, '--home', tmp.dir]);
    assert.equal(cli.code, 0, cli.stderr);
    const cliKinds = new Set(JSON.parse(cli.stdout).flags.map((f: any) => f.kind));
    for (const k of ['no-care-relationship', 'watched-patient', 'repeated-denials']) assert.ok(cliKinds.has(k), k);

    // #11.10 dr-snoop creates an Encounter with patient 2 after the fact, then deletes it: the flag on
    // the earlier reads stands (relationships are judged at the time of the access, and kept).
    const late = await call('POST', '/fhir/Encounter', { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: `Patient/${patients[2]}` }, participant: [{ individual: { reference: 'Practitioner/dr-snoop' } }] });
    assert.equal(late.status, 201);
    assert.equal((await call('DELETE', `/fhir/Encounter/${late.body.id}`)).status, 204);
    const again = await evaluateFlags(node.services.audit.log, { fromMs: since, toMs: Date.now() + 1 }, { bulkPatients: 3, windowMs: 600_000, denials: 5, workdayStartHour: 7, workdayEndHour: 19 });
    assert.equal(again.find((f) => f.agent === 'Practitioner/dr-snoop' && f.kind === 'no-care-relationship')!.evidence.length, 5, 'still all five reads');
  });
});

describe('tampering with the log is detected', () => {
  // The attacker: their own connection to the node's database file.
  let db: Storage;
  before(async () => {
    await node.services.anchorers.audit.maybeAnchor(true);
    await node.stop(); // verify is offline against the chain; the node must not overwrite our tampering
    db = openNodeDb(org);
  });
  after(async () => {
    await db.close();
    node = await startNode(config());
  });
  type Row = Record<string, string | number | null | undefined>;
  const rowAt = async (i: number) => (await db.get<Row>('SELECT * FROM audit_entries WHERE idx = ?', [i]))!;
  const setRow = async (i: number, row: Row) => {
    const cols = Object.keys(row).filter((c) => c !== 'idx');
    await db.run(`UPDATE audit_entries SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE idx = ?`, [...cols.map((c) => row[c] ?? null), i]);
  };

  test('#11.11 the audit detail names no patient, resource or search in the clear on disk', async () => {
    const rows = await db.all<{ detail: string }>('SELECT detail FROM audit_entries');
    assert.ok(rows.length > 10);
    for (const r of rows) assert.match(r.detail, /^s1:[A-Za-z0-9+/=]+$/);
    // Moving a sealed detail to another entry does not open there.
    const [x, y] = [await rowAt(3), await rowAt(4)];
    await setRow(3, { ...x, detail: y.detail });
    assert.match((await verifyAuditCommand(config(), undefined, () => {})).firstProblem!, /audit entry 3.*(does not open|authentication failed|detail)/);
    await setRow(3, x);
  });

  test('the untouched log verifies, including one patient\'s entries', async () => {
    const r = await verifyAuditCommand(config(), undefined, () => {});
    assert.equal(r.firstProblem, null);
    const cli = await runCli(['audit', 'verify', '--org', org.slug, '--home', tmp.dir, '--rpc-url', chain.anvil.rpcUrl]);
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    assert.match(cli.stdout, /OK: the audit log matches the ledger/);
  });

  test('one changed entry: an outcome, a hidden access, a changed purpose', async () => {
    const saved = await rowAt(12);
    // The detail is sealed: an insider with the node's key re-seals a changed one; the roots still catch it.
    const sealer = new DetailSealer(loadKeyFile(org.keyFile).indexSecret);
    const changedDetail = sealer.seal(12, sealer.open(12, String(saved.detail)).replace(/"org":/, '"purpose":"HRESCH","org":'));
    for (const change of [{ outcome: saved.outcome === '0' ? '8' : '0' }, { agent: 'Practitioner/someone-else' }, { detail: changedDetail }]) {
      await setRow(12, { ...saved, ...change });
      const r = await verifyAuditCommand(config(), undefined, () => {});
      assert.match(r.firstProblem!, /anchor #\d+ \(block \d+, size \d+\) does not match the stored log: (an entry before|entries \d+\.\.\d+ were changed)/, JSON.stringify(change));
    }
    const cli = await runCli(['audit', 'verify', '--org', org.slug, '--home', tmp.dir, '--rpc-url', chain.anvil.rpcUrl]);
    assert.equal(cli.code, 1);
    assert.match(cli.stdout, /FAILED: anchor #/);
    await setRow(12, saved);
  });

  test("#11.6 thinning a patient's view by unlinking entries is detected", async () => {
    const linked = await db.all<{ idx: number; patient_token: string; detail: string }>('SELECT idx, patient_token, detail FROM audit_entries WHERE patient_token IS NOT NULL ORDER BY idx LIMIT 15');
    assert.ok(linked.length >= 3);
    const sealer = new DetailSealer(loadKeyFile(org.keyFile).indexSecret);
    const patientId = (JSON.parse(sealer.open(linked[0]!.idx, linked[0]!.detail)) as { patientId: string }).patientId;
    await db.run(`UPDATE audit_entries SET patient_token = NULL WHERE idx IN (${linked.map((r) => r.idx).join(',')})`);
    const r = await verifyAuditCommand(config(), patientId, () => {});
    assert.match(r.firstProblem!, new RegExp(`audit entry ${linked[0]!.idx} names Patient/.* but its patient index says otherwise: the link was changed or removed`));
    const cli = await runCli(['audit', 'verify', '--org', org.slug, '--home', tmp.dir, '--rpc-url', chain.anvil.rpcUrl, '--patient', patientId]);
    assert.equal(cli.code, 1, 'the patient verification fails too');
    // Pointing an entry at another patient is caught the same way.
    for (const row of linked) await db.run('UPDATE audit_entries SET patient_token = ? WHERE idx = ?', [row.patient_token, row.idx]);
    await db.run('UPDATE audit_entries SET patient_token = ? WHERE idx = ?', ['someone-else', linked[0]!.idx]);
    assert.match((await verifyAuditCommand(config(), undefined, () => {})).firstProblem!, /patient index says otherwise/);
    await db.run('UPDATE audit_entries SET patient_token = ? WHERE idx = ?', [linked[0]!.patient_token, linked[0]!.idx]);
    assert.equal((await verifyAuditCommand(config(), patientId, () => {})).firstProblem, null);
  });

  test('one deleted entry', async () => {
    const saved = await rowAt(7);
    await db.run('DELETE FROM audit_entries WHERE idx = 7');
    assert.match((await verifyAuditCommand(config(), undefined, () => {})).firstProblem!, /audit entry 7 is missing/);
    const cols = Object.keys(saved);
    await db.run(`INSERT INTO audit_entries (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, cols.map((c) => saved[c] ?? null));
  });

  test('two entries swapped', async () => {
    const [a, b] = [await rowAt(4), await rowAt(5)];
    // Swapped whole (times included), the order of recording is broken; with times kept, the roots.
    await setRow(4, b);
    await setRow(5, a);
    assert.match((await verifyAuditCommand(config(), undefined, () => {})).firstProblem!, /audit entry 5 was recorded .* before entry 4 .*: entries were reordered|does not match the stored log|audit entry 4's detail does not open: it was changed or moved/);
    await setRow(4, { ...b, recorded_ms: a.recorded_ms });
    await setRow(5, { ...a, recorded_ms: b.recorded_ms });
    assert.match((await verifyAuditCommand(config(), undefined, () => {})).firstProblem!, /does not match the stored log|detail does not open: it was changed or moved/);
    await setRow(4, a);
    await setRow(5, b);
    assert.equal((await verifyAuditCommand(config(), undefined, () => {})).firstProblem, null);
  });
});

test('kill -9 under write load: every acknowledged write is present with its audit entry', async () => {
  const port = await freePort();
  const proc = startCli(['node', 'start', '--org', org.slug, '--home', tmp.dir, '--port', String(port), '--log-level', 'warn'], { CARECHAIN_RPC_URL: chain.anvil.rpcUrl });
  // The in-process node shares the database: stop it while the process runs.
  await node.stop();
  const { url } = (await proc.ready) as { url: string };
  const acknowledged: string[] = [];
  let stop = false;
  const writers = Array.from({ length: 8 }, async () => {
    while (!stop) {
      try {
        const res = await fetch(`${url}/fhir/Patient`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Crash' }] }) });
        if (res.status === 201) acknowledged.push(((await res.json()) as { id: string }).id);
      } catch {
        return; // the node is gone
      }
    }
  });
  await waitUntil('some acknowledged writes', () => acknowledged.length >= 200, 30_000);
  await proc.kill9();
  stop = true;
  await Promise.all(writers);
  node = await startNode(config());
  const present = new Set(((await node.services.storage.all("SELECT id FROM record_current WHERE type = 'Patient'")) as { id: string }[]).map((r) => r.id));
  const audited = new Set<string>();
  for (const r of (await node.services.storage.all("SELECT idx FROM audit_entries WHERE action = 'C' AND outcome = '0'")) as { idx: number }[]) {
    audited.add(((await node.services.audit.log.entry(r.idx)) as any).entity[0].what.reference.replace('Patient/', ''));
  }
  for (const id of acknowledged) {
    assert.ok(present.has(id), `acknowledged Patient/${id} survived`);
    assert.ok(audited.has(id), `and its audit entry`);
  }
  assert.deepEqual(await node.services.records.anchorMismatches(), []);
  assert.equal((await verifyAuditCommand(config(), undefined, () => {})).firstProblem, null);
});
