/**
 * `carechain network start` (what `npm start` runs): the chain and one node process per demo
 * organization, each registered on chain with its own keys, data directory and port.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isPortFree } from '../src/chain/anvil.ts';
import { DEMO_ORGANIZATIONS } from '../src/network/demo.ts';
import { fetchTrusting } from '../src/tls/peer-fetch.ts';
import { freePort, isAlive, runCli, startCli, tempDir, waitUntil, TEST_ENGINE } from './helpers/env.ts';
import { DEMO_PASSWORD } from '../src/cli/demo-logins.ts';

const tmp = tempDir();
after(() => tmp.remove());

/**
 * The README's tour, so that it cannot drift from what the product prints: the fenced blocks of the
 * "A ten-minute tour" section. A README line matches an output line when they agree but for what
 * varies per run: `…` stands for anything, a run of digits for any number.
 */
const tourBlocks = (() => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('A ten-minute tour'))!;
  return [...section.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]!.split('\n').filter((l) => l.trim()));
})();
const loose = (line: string) => new RegExp('^' + line.trim().replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replace(/…/g, '.*').replace(/\d+/g, '\\d+') + '$', 'm');
const assertTourLines = (readmeLines: string[], output: string, what: string) => {
  const lines = output.split('\n').map((l) => l.trim()).join('\n');
  for (const l of readmeLines) assert.match(lines, loose(l), `README (${what}) promises a line the product did not print: ${l}`);
};

test('network start runs every demo organization on one chain, and stops cleanly', async () => {
  const chainPort = await freePort();
  const basePort = 20000 + Math.floor(Math.random() * 20000);
  const net = startCli(['network', 'start', '--home', tmp.dir, '--chain-port', String(chainPort), '--base-port', String(basePort)]);
  const ready = (await net.ready) as { chain: { url: string; pid: number }; nodes: { org: string; url: string; pid: number }[] };
  try {
    assert.deepEqual(ready.nodes.map((n) => n.org).sort(), DEMO_ORGANIZATIONS.map((o) => o.slug).sort());
    const kinds = new Set(DEMO_ORGANIZATIONS.map((o) => o.kind));
    for (const k of ['hospital', 'clinic', 'lab', 'pharmacy', 'insurer', 'licensing-board']) assert.ok(kinds.has(k as never), k);
    assert.equal(new Set(ready.nodes.map((n) => n.pid)).size, ready.nodes.length, 'one process per organization');

    // Every node serves HTTPS with a certificate from the network's own CA, and only that CA vouches for it.
    const caPem = readFileSync(join(tmp.dir, 'tls', 'ca.crt'), 'utf8');
    const tlsFetch = fetchTrusting(caPem);
    const get = (url: string) => tlsFetch(url, { method: 'GET', headers: {} });
    for (const n of ready.nodes) assert.match(n.url, /^https:\/\/127\.0\.0\.1:/);
    await assert.rejects(fetch(`${ready.nodes[0]!.url}/health/live`), 'not trusted by the system roots');

    const signers = new Set<string>();
    for (const n of ready.nodes) {
      await waitUntil(`${n.org} ready`, async () => (await get(`${n.url}/health/ready`)).status === 200);
      const me = (await (await get(`${n.url}/api/node`)).json()) as { registered: { signer: string; endpoint: string } | null; signer: string };
      assert.ok(me.registered, `${n.org} is registered on chain`);
      assert.equal(me.registered.signer, me.signer, `${n.org} signs with its registered key`);
      assert.equal(me.registered.endpoint, n.url);
      signers.add(me.signer);
      const dir = join(tmp.dir, 'orgs', n.org);
      if (TEST_ENGINE === 'sqlite') assert.ok(existsSync(join(dir, 'node.db')));
      assert.equal(statSync(join(dir, 'keys.json')).mode & 0o077, 0, 'key file readable by its owner only');
      const dirList = (await (await get(`${n.url}/api/participants`)).json()) as { participants: unknown[] };
      assert.equal(dirList.participants.length, DEMO_ORGANIZATIONS.length);
    }
    assert.equal(signers.size, DEMO_ORGANIZATIONS.length, 'each organization has its own key');
    // Each node serves the portal, and the demo logins it printed work.
    for (const n of ready.nodes) {
      const page = await get(`${n.url}/portal/`);
      assert.equal(page.status, 200, `${n.org} serves the portal`);
      assert.match(await page.text(), /Carechain portal/);
    }
    const demoLogin = await tlsFetch(`${ready.nodes.find((n) => n.org === 'st-mary')!.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'demo.officer', password: DEMO_PASSWORD }) });
    assert.equal(demoLogin.status, 200, 'the demo privacy officer signs in');
    // The demo board issues licences in the demo jurisdiction out of the box; other nodes verify them.
    const tokenOf = (org: string) => readFileSync(join(tmp.dir, 'orgs', org, 'admin-token'), 'utf8').trim();
    const postJson = (url: string, org: string, body: unknown) =>
      tlsFetch(url, { method: 'POST', headers: { authorization: `Bearer ${tokenOf(org)}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const board = ready.nodes.find((n) => n.org === 'state-board')!;
    const issued = await postJson(`${board.url}/api/credentials/issue`, 'state-board', {
      type: 'medical-licence', jurisdiction: 'US-CA', subject: { practitioner: 'Practitioner/demo', name: 'Dr Demo', npi: '1234567893', holder: '0x000000000000000000000000000000000000dEaD' }, number: 'A1',
      validFrom: new Date().toISOString(), validUntil: new Date(Date.now() + 86_400_000).toISOString(),
    });
    assert.equal(issued.status, 201);
    const { credential } = (await issued.json()) as { credential: string };
    const hospital = ready.nodes[0]!;
    await waitUntil('another node to verify the new licence', async () =>
      ((await (await postJson(`${hospital.url}/api/credentials/verify`, hospital.org, { credential })).json()) as { valid: boolean }).valid, 10_000);
    assert.match(net.output(), /Carechain network running/);
    // #17: the demo story ran and printed the logins and the next commands; the first one works as printed.
    assert.match(net.output(), /\[10\/10\] done: [1-9]\d* resources fetched across organizations, break-glass 0x[0-9a-f]+…, claim \w+, [1-9] supply steps/);
    assert.match(net.output(), /counterfeit: a package with serial FAKE\w+ is \w+/);
    // The README shows the story's steps as npm start prints them.
    assertTourLines(tourBlocks[0]!.filter((l) => /^(- \[|claim |counterfeit: )/.test(l.trim())), net.output(), 'the story');
    assert.match(net.output(), /dr\.lee\s+clinician\s+riverside/);
    const fetchLine = /npx carechain (exchange fetch .*)$/m.exec(net.output())![1]!;
    const tour = await runCli(fetchLine.split(/\s+/));
    assert.equal(tour.code, 0, tour.stdout + tour.stderr);
    assert.match(tour.stdout, /custodian 0x[0-9a-f]{64}: HTTP 200, \d+ verified/);
    assert.match(tour.stdout, /\d+ resources verified against the ledger: .*Observation/);
    assertTourLines(tourBlocks[1]!, tour.stdout, 'step 1, the fetch');
    // The README tour's other steps, each with the output it promises.
    const mineLine = /npx carechain (audit mine .*)$/m.exec(net.output())![1]!;
    const mine = await runCli([...mineLine.split(/\s+/), '--rpc-url', ready.chain.url]);
    assert.equal(mine.code, 0, mine.stdout + mine.stderr);
    assert.match(mine.stdout, /St Mary's Hospital .*Riverside Family Clinic for Practitioner\/lee\s+exchange/);
    assert.match(mine.stdout, /verified \d+ entries at 1 custodian\(s\) against their signed heads and the chain/);
    const stMary = ready.nodes.find((n) => n.org === 'st-mary')!;
    const bg = (await (await tlsFetch(`${stMary.url}/api/break-glass`, { method: 'GET', headers: { authorization: `Bearer ${tokenOf('st-mary')}` } })).json()) as { incoming: { requester: string; practitioner: string; reason: string }[] };
    assert.deepEqual([bg.incoming[0]?.practitioner, bg.incoming[0]?.reason], ['Practitioner/lee', 'unconscious on arrival, allergies unknown']);
    const house = (await (await tlsFetch(`${stMary.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'dr.house', password: DEMO_PASSWORD }) })).json()) as { access_token: string };
    const bins = (await (await tlsFetch(`${stMary.url}/fhir/Patient?family=Bins`, { method: 'GET', headers: { authorization: `Bearer ${house.access_token}` } })).json()) as { resourceType: string; entry: unknown[] };
    assert.equal(bins.resourceType, 'Bundle');
    assert.equal(bins.entry.length, 1, 'Dr House (licensed and affiliated by the story) finds the patient');
    const help = await runCli(['exchange', 'fetch', '--help']);
    assert.match(help.stdout, /Examples?:\n  carechain exchange fetch/);
    const openapi = (await (await get(`${stMary.url}/api/openapi.json`)).json()) as { openapi: string };
    assert.equal(openapi.openapi, '3.1.0');
    for (const n of ready.nodes) assert.match(net.output(), new RegExp(n.url.replace(/\./g, '\\.')));
  } finally {
    assert.equal(await net.stop(), 0);
  }
  for (const n of ready.nodes) assert.equal(isAlive(n.pid), false, `${n.org} node stopped`);
  assert.equal(isAlive(ready.chain.pid), false, 'Anvil stopped');
  assert.ok(await isPortFree(chainPort));
});
