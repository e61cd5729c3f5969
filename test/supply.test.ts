/**
 * The DSCSA supply chain on one real Anvil with four real nodes over HTTP (a manufacturer, a
 * distributor, a pharmacy and a regulator that licenses them): commissioning, packing, shipping and
 * receiving with custody on the SerialRegistry, dispensing; every verification answer (including one
 * routed, signed, from the pharmacy to the manufacturer's node on a Digital Link URI); every exception
 * (product without data, data without product, aggregation mismatch, unknown GLN, late data, suspect
 * product quarantined and declared illegitimate with the regulator and partners notified); a saleable
 * return; a request for records answered with proofs; and the EPCIS REST binding.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Hex } from 'viem';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import { credentialStatusAbi, serialRegistryAbi } from '../src/chain/generated/contracts.ts';
import { signOrgRequest } from '../src/http/org-request.ts';
import { startNode, type RunningNode } from '../src/node/start.ts';
import { epcisDocument, objectEvent, unitDl } from '../src/supply/events/build.ts';
import { gs1CheckDigit } from '../src/supply/gs1/index.ts';
import { jurisdictionIdOf, TRADING_LICENCE_TYPE } from '../src/supply/ledger/registry.ts';
import { freePort, registerTestOrg, runCli, startTestChain, tempDir, testNodeConfig, waitUntil, type TestOrg } from './helpers/env.ts';

const tmp = tempDir();
let chain: EmbeddedChain;
interface Party {
  org: TestOrg;
  node: RunningNode;
  token: string;
  gln: string;
}
let maker: Party;
let distributor: Party;
let pharmacy: Party;
let fda: Party;

const PREFIX = '0614141';
const withCheck = (body: string) => `${body}${gs1CheckDigit(body)}`;
const GTIN = withCheck(`0${PREFIX}00001`);
const GTIN_B = withCheck(`0${PREFIX}00002`);
const gln = (ref: string) => withCheck(`${PREFIX}${ref}`);
const dl = (gtin: string, serial: string, extra = '') => `https://id.gs1.org/01/${gtin}${extra}/21/${serial}`;

async function call(p: Party, method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(`${p.node.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${p.token}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
}
const ok = async (p: Party, method: string, path: string, body?: unknown) => {
  const r = await call(p, method, path, body);
  assert.ok(r.status < 300, `${method} ${path} → ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
};
const verify = async (p: Party, barcode: string, extra: Record<string, unknown> = {}) => (await ok(p, 'POST', '/api/supply/verify', { barcode, ...extra })) as { data: Record<string, unknown>; carechain: { answer: string; findings: { answer: string; message: string }[]; routedTo?: Hex; evidence?: any } };

async function party(slug: string, kind: 'manufacturer' | 'distributor' | 'pharmacy' | 'regulator', glnRef: string): Promise<Party> {
  const port = await freePort();
  const org = await registerTestOrg(chain, tmp.dir, slug, kind, `http://127.0.0.1:${port}`);
  const node = await startNode(testNodeConfig({ org: slug, home: tmp.dir, port, rpcUrl: chain.anvil.rpcUrl, logLevel: (process.env.TEST_LOG as never) ?? 'silent', indexerPollMs: 50, anchorBatchSize: 5 }));
  return { org, node, token: readFileSync(join(org.dataDir, 'admin-token'), 'utf8').trim(), gln: gln(glnRef) };
}

let lotA: { serials: string[]; caseIds: string[]; lotId: Hex };

before(async () => {
  chain = await startTestChain(tmp.dir);
  maker = await party('maker', 'manufacturer', '00001');
  distributor = await party('distributor', 'distributor', '00002');
  pharmacy = await party('pharmacy', 'pharmacy', '00003');
  fda = await party('fda', 'regulator', '00004');
  const registry = chain.deployment.contracts.SerialRegistry.address;
  await chain.governance.sendContract({ address: registry, abi: serialRegistryAbi, functionName: 'setCompanyPrefix', args: [PREFIX, maker.org.orgId] });
  // The regulator is the licensing authority for trading licences in US-CA.
  await chain.governance.sendContract({ address: chain.deployment.contracts.CredentialStatus.address, abi: credentialStatusAbi, functionName: 'setIssuerScope', args: [fda.org.orgId, TRADING_LICENCE_TYPE, jurisdictionIdOf('US-CA'), true] });
  for (const p of [maker, distributor, pharmacy]) await ok(fda, 'POST', '/api/supply/licences', { org: p.org.orgId, jurisdiction: 'US-CA' });
  for (const p of [maker, distributor, pharmacy]) await ok(p, 'POST', '/api/supply/locations', { gln: p.gln });
  // Every node must see the prefix, the licences and the locations before trading.
  const head = Number(await chain.conn.client.getBlockNumber());
  await Promise.all([maker, distributor, pharmacy, fda].map((p) => p.node.services.indexer.waitForBlock(head, 20_000)));
  const c = await ok(maker, 'POST', '/api/supply/commission', { gtin: GTIN, lot: 'A1', expiry: '2031-12-31', product: 'Amoxicillin 500 mg', count: 20, caseSize: 5 });
  lotA = { serials: c.serials, caseIds: c.caseIds, lotId: c.lotId };
});

after(async () => {
  for (const p of [maker, distributor, pharmacy, fda]) await p?.node.stop().catch(() => {});
  await chain?.stop();
  tmp.remove();
});

const item = (i: number) => unitDl(`01${GTIN}21${lotA.serials[i]}`);
const box = (i: number) => unitDl(lotA.caseIds[i]!);

describe('commissioning', () => {
  test('a lot is a handful of transactions, not one per serial', async () => {
    const c = await ok(maker, 'POST', '/api/supply/commission', { gtin: GTIN_B, lot: 'B1', expiry: '2031-06-30', count: 2000 });
    assert.equal(c.items, 2000);
    assert.equal(c.naiveTransactions, 2000);
    assert.ok(c.transactions <= 2, `${c.transactions} transactions`);
  });

  test('only the company prefix owner commissions its GTINs', async () => {
    const r = await call(distributor, 'POST', '/api/supply/commission', { gtin: GTIN, lot: 'X1', expiry: '2031-12-31', count: 3 });
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.match(r.body.error?.message ?? r.body.detail ?? JSON.stringify(r.body), /company prefix/);
  });

  test('a malformed GTIN is refused with its check digit', async () => {
    const r = await call(maker, 'POST', '/api/supply/commission', { gtin: `${GTIN.slice(0, 13)}${(Number(GTIN[13]) + 1) % 10}`, lot: 'X1', expiry: '2031-12-31', count: 3 });
    assert.equal(r.status, 400);
    assert.match(JSON.stringify(r.body), /check digit/);
  });
});

describe('custody: pack, ship, receive, dispense', () => {
  test('the manufacturer verifies its own product, with the commissioning proof', async () => {
    const v = await verify(maker, item(0));
    assert.equal(v.carechain.answer, 'verified');
    assert.deepEqual(v.data, { verified: true });
    assert.equal(v.carechain.evidence.commissioning.lotId, lotA.lotId);
    assert.ok(v.carechain.evidence.commissioning.proof.length > 0);
  });

  test('two cases ship to the distributor, who receives them: custody follows the cases', async () => {
    const s = await ok(maker, 'POST', '/api/supply/ship', { to: distributor.org.orgId, barcodes: [box(0), box(1)] });
    assert.equal(s.dataDelivered, true, s.problem);
    assert.equal(s.units, 12);
    const inTransit = await verify(maker, item(0), { sender: maker.org.orgId });
    assert.equal(inTransit.carechain.answer, 'verified', 'in transit, the sender still answers for it');
    const r = await ok(distributor, 'POST', '/api/supply/receive', { shipmentId: s.shipmentId, scanned: [box(0), box(1)] });
    assert.equal(r.received, true, JSON.stringify(r.exceptions));
    assert.deepEqual(r.exceptions, []);
    const v = await verify(distributor, item(1), { sender: distributor.org.orgId });
    assert.equal(v.carechain.answer, 'verified');
  });

  test('broken custody: the manufacturer no longer holds what it sold', async () => {
    const v = await verify(distributor, item(1), { sender: maker.org.orgId });
    assert.equal(v.carechain.answer, 'broken-custody');
    assert.deepEqual(v.data, { verified: false, verificationFailureReason: 'Not_for_re-distribution', additionalInfo: 'Suspect' });
  });

  test('aggregation mismatch: an item claimed to come in the wrong case', async () => {
    const v = await verify(distributor, item(1), { parent: box(1) });
    assert.equal(v.carechain.answer, 'aggregation-mismatch');
  });

  test('the distributor unpacks a case and ships items on to the pharmacy, which dispenses one', async () => {
    await ok(distributor, 'POST', '/api/supply/unpack', { container: box(0) });
    const s = await ok(distributor, 'POST', '/api/supply/ship', { to: pharmacy.org.orgId, barcodes: [item(0), item(1), item(2)] });
    assert.equal(s.dataDelivered, true, s.problem);
    const r = await ok(pharmacy, 'POST', '/api/supply/receive', { shipmentId: s.shipmentId, scanned: [item(0), item(1), item(2)] });
    assert.equal(r.received, true, JSON.stringify(r.exceptions));
    const d = await ok(pharmacy, 'POST', '/api/supply/dispense', { barcodes: [item(0)] });
    assert.deepEqual(d.dispensed, [`01${GTIN}21${lotA.serials[0]}`]);
    const v = await verify(pharmacy, item(0));
    assert.equal(v.carechain.answer, 'dispensed');
    const again = await call(pharmacy, 'POST', '/api/supply/dispense', { barcodes: [item(0)] });
    assert.equal(again.status, 422);
  });
});

describe('trading licences', () => {
  test('a suspended licence stops its holder from trading at once; reinstated, it trades again', async () => {
    const licence = (await ok(fda, 'GET', `/api/supply/licences/${distributor.org.orgId}`)).licence;
    await ok(fda, 'POST', `/api/supply/licences/${licence.credentialId}/suspend`, {});
    await distributor.node.services.indexer.waitForBlock(Number(await chain.conn.client.getBlockNumber()), 10_000);
    const refused = await call(distributor, 'POST', '/api/supply/ship', { to: pharmacy.org.orgId, barcodes: [box(1)] });
    assert.ok(refused.status >= 400, JSON.stringify(refused.body));
    assert.match(JSON.stringify(refused.body), /NotLicensed|licen/i);
    await ok(fda, 'POST', `/api/supply/licences/${licence.credentialId}/reinstate`, {});
    const r = await call(distributor, 'POST', '/api/supply/unpack', { container: box(1) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  });
});

describe('verification answers', () => {
  test('a counterfeit (a serial never commissioned) is unknown, routed signed to the manufacturer', async () => {
    const v = await verify(pharmacy, dl(GTIN, 'FAKE0000001'));
    assert.equal(v.carechain.answer, 'unknown-serial');
    assert.equal(v.carechain.routedTo, maker.org.orgId.toLowerCase());
    assert.deepEqual(v.data, { verified: false, verificationFailureReason: 'No_match_GTIN_Serial' });
  });

  test('a product the pharmacy never held is verified at its manufacturer on the Digital Link URI', async () => {
    const v = await verify(pharmacy, item(15));
    assert.equal(v.carechain.answer, 'verified');
    assert.equal(v.carechain.routedTo, maker.org.orgId.toLowerCase());
  });

  test('lot and expiry mismatches', async () => {
    const lot = await verify(maker, dl(GTIN, lotA.serials[16]!, '/10/B9'));
    assert.equal(lot.carechain.answer, 'mismatch');
    assert.equal(lot.data.verificationFailureReason, 'No_match_GTIN_Serial_Lot');
    const exp = await verify(maker, `(01)${GTIN}(17)301231(10)A1(21)${lotA.serials[16]}`);
    assert.equal(exp.carechain.answer, 'mismatch');
    assert.equal(exp.data.verificationFailureReason, 'No_match_GTIN_Serial_Expiry');
  });

  test('statuses: stolen, destroyed, suspect, illegitimate, recalled; and expired', async () => {
    const c = await ok(maker, 'POST', '/api/supply/commission', { gtin: GTIN, lot: 'S1', expiry: '2031-12-31', count: 6 });
    const u = (i: number) => unitDl(`01${GTIN}21${c.serials[i]}`);
    const expected: [string, string, Record<string, unknown>][] = [
      ['stolen', 'stolen', { verified: false, verificationFailureReason: 'Not_for_re-distribution', additionalInfo: 'Suspect' }],
      ['destroyed', 'destroyed', { verified: false, verificationFailureReason: 'Not_for_re-distribution', additionalInfo: 'Illegitimate' }],
      ['suspect', 'suspect', { verified: false, verificationFailureReason: 'Not_for_re-distribution', additionalInfo: 'Suspect' }],
      ['illegitimate', 'illegitimate', { verified: false, verificationFailureReason: 'Not_for_re-distribution', additionalInfo: 'Illegitimate' }],
    ];
    for (const [i, [status, answer, lms]] of expected.entries()) {
      await ok(maker, 'POST', '/api/supply/status', { barcodes: [u(i)], status, reason: `test ${status}` });
      const v = await verify(maker, u(i));
      assert.equal(v.carechain.answer, answer, status);
      assert.deepEqual(v.data, lms, status);
    }
    await ok(maker, 'POST', '/api/supply/status', { lot: { gtin: GTIN, lot: 'S1' }, status: 'recalled', reason: 'contamination' });
    const recalled = await verify(maker, u(5));
    assert.equal(recalled.carechain.answer, 'recalled');
    assert.deepEqual(recalled.data, { verified: false, verificationFailureReason: 'Manufacturer_policy', additionalInfo: 'Recalled' });
    const old = await ok(maker, 'POST', '/api/supply/commission', { gtin: GTIN, lot: 'E1', expiry: '2024-01-31', count: 1 });
    const expired = await verify(maker, unitDl(`01${GTIN}21${old.serials[0]}`));
    assert.equal(expired.carechain.answer, 'expired');
    assert.deepEqual(expired.data, { verified: false, verificationFailureReason: 'Manufacturer_policy', additionalInfo: 'Expired' });
  });

  test('carechain supply verify <barcode>: exit code 0 when verified, 1 otherwise', async () => {
    const args = (barcode: string) => ['supply', 'verify', barcode, '--node', pharmacy.node.url, '--token', pharmacy.token];
    const good = await runCli(args(`]d201${GTIN}21${lotA.serials[15]}`));
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /^VERIFIED: verified/);
    const gone = await runCli(args(item(0)));
    assert.equal(gone.code, 1, gone.stderr);
    assert.match(gone.stdout, /NOT VERIFIED: dispensed/);
  });

  test('the Digital Link endpoint answers only signed trading partners, and refuses replays', async () => {
    const path = `/01/${GTIN}/21/${lotA.serials[15]}?linkType=gs1:verificationService&context=dscsaSaleableReturn`;
    const anon = await fetch(`${maker.node.url}${path}`);
    assert.equal(anon.status, 401);
    const headers = await signOrgRequest(pharmacy.org.keys.account, pharmacy.org.orgId, { protocol: 'supply-verify', audience: maker.org.orgId, method: 'GET', path, body: '' });
    const signed = await fetch(`${maker.node.url}${path}`, { headers });
    assert.equal(signed.status, 200);
    assert.equal(((await signed.json()) as any).data.verified, true);
    const replay = await fetch(`${maker.node.url}${path}`, { headers });
    assert.equal(replay.status, 401);
    const asFda = await signOrgRequest(fda.org.keys.account, fda.org.orgId, { protocol: 'supply-verify', audience: maker.org.orgId, method: 'GET', path, body: '' });
    assert.equal((await fetch(`${maker.node.url}${path}`, { headers: asFda })).status, 200, 'a regulator may verify');
  });
});

describe('exceptions', () => {
  test('product without data, then its data arrives late', async () => {
    const s = await ok(distributor, 'POST', '/api/supply/ship', { to: pharmacy.org.orgId, barcodes: [item(3)], sendData: false });
    const r = await ok(pharmacy, 'POST', '/api/supply/receive', { scanned: [item(3)] });
    assert.equal(r.received, false);
    assert.equal(r.exceptions[0].kind, 'product-without-data');
    const sent = await ok(distributor, 'POST', `/api/supply/shipments/${s.shipmentId}/send-data`, {});
    assert.equal(sent.dataDelivered, true, sent.problem);
    const late = (await ok(pharmacy, 'GET', '/api/supply/exceptions?kind=late-data')).exceptions;
    assert.equal(late.length, 1);
    assert.equal(late[0].subject, s.shipmentId);
    const pwd = await ok(pharmacy, 'GET', `/api/supply/exceptions/${r.exceptions[0].id}`);
    assert.equal(pwd.state, 'resolved');
    const now = await ok(pharmacy, 'POST', '/api/supply/receive', { shipmentId: s.shipmentId, scanned: [item(3)] });
    assert.equal(now.received, true, JSON.stringify(now.exceptions));
  });

  test('data without product holds the receipt until resolved', async () => {
    const s = await ok(distributor, 'POST', '/api/supply/ship', { to: pharmacy.org.orgId, barcodes: [item(4), item(5)] });
    const r = await ok(pharmacy, 'POST', '/api/supply/receive', { shipmentId: s.shipmentId, scanned: [item(4)] });
    assert.equal(r.received, false);
    assert.deepEqual(r.exceptions.map((e: any) => e.kind), ['data-without-product']);
    const x = await ok(pharmacy, 'GET', `/api/supply/exceptions/${r.exceptions[0].id}`);
    assert.deepEqual(x.detail.missing, [`01${GTIN}21${lotA.serials[5]}`]);
    assert.ok(x.deadline?.due, 'a resolution deadline is shown');
    assert.equal((await ok(pharmacy, 'POST', `/api/supply/exceptions/${x.id}/investigate`, { note: 'asked the distributor' })).state, 'investigating');
    assert.equal((await ok(pharmacy, 'POST', `/api/supply/exceptions/${x.id}/resolve`, { note: 'found in the tote' })).state, 'resolved');
    const again = await ok(pharmacy, 'POST', '/api/supply/receive', { shipmentId: s.shipmentId, scanned: [item(4), item(5)] });
    assert.equal(again.received, true, JSON.stringify(again.exceptions));
  });

  test('aggregation mismatch: a case opened at receipt does not hold what its data says', async () => {
    const s = await ok(maker, 'POST', '/api/supply/ship', { to: distributor.org.orgId, barcodes: [box(2)] });
    const inside = [10, 11, 12, 13].map(item);
    const r = await ok(distributor, 'POST', '/api/supply/receive', { shipmentId: s.shipmentId, scanned: [box(2)], contents: { [box(2)]: inside } });
    assert.equal(r.received, false);
    assert.ok(r.exceptions.some((e: any) => e.kind === 'aggregation-mismatch'), JSON.stringify(r.exceptions));
  });

  test('unknown GLN in captured EPCIS', async () => {
    const doc = epcisDocument([objectEvent({ action: 'OBSERVE', bizStep: 'inspecting', disposition: 'active', epcList: [item(19)], readPoint: `https://id.gs1.org/414/${gln('99999')}`, bizLocation: `https://id.gs1.org/414/${gln('99999')}` })]);
    const r = await call(maker, 'POST', '/epcis/capture', doc, 'application/ld+json');
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const x = (await ok(maker, 'GET', '/api/supply/exceptions?kind=unknown-gln')).exceptions;
    assert.ok(x.some((e: any) => e.subject === gln('99999')), JSON.stringify(x));
  });

  test('suspect product: quarantined, cannot be dispensed, declared illegitimate, regulator and partners notified', async () => {
    const q = await ok(pharmacy, 'POST', '/api/supply/quarantine', { barcodes: [item(1)], reason: 'carton seal broken' });
    assert.equal(q.kind, 'suspect-product');
    assert.equal(q.state, 'quarantined');
    const blocked = await call(pharmacy, 'POST', '/api/supply/dispense', { barcodes: [item(1)] });
    assert.equal(blocked.status, 422, JSON.stringify(blocked.body));
    const shipBlocked = await call(pharmacy, 'POST', '/api/supply/ship', { to: distributor.org.orgId, barcodes: [item(1)] });
    assert.ok(shipBlocked.status >= 400, 'a quarantined product cannot be shipped');
    await ok(pharmacy, 'POST', `/api/supply/exceptions/${q.id}/investigate`, {});
    const d = await ok(pharmacy, 'POST', `/api/supply/exceptions/${q.id}/declare-illegitimate`, { note: 'counterfeit confirmed' });
    assert.equal(d.state, 'illegitimate');
    assert.ok(d.determinedAt, 'the determination time starts the 24-hour clock');
    const view = await ok(pharmacy, 'GET', `/api/supply/exceptions/${q.id}`);
    assert.ok(view.notifications.every((n: any) => n.status === 'sent'), JSON.stringify(view.notifications));
    assert.equal(view.deadline, null, 'the 24-hour deadline is met once every notice is sent');
    const recipients = new Map((d.notifications ?? (await ok(pharmacy, 'GET', `/api/supply/exceptions/${q.id}`)).notifications).map((n: any) => [n.recipient.toLowerCase(), n]));
    assert.ok(recipients.has(fda.org.orgId.toLowerCase()), 'the regulator is notified');
    assert.ok(recipients.has(distributor.org.orgId.toLowerCase()), 'the immediate trading partner is notified');
    const notices = (await ok(fda, 'GET', '/api/supply/notices')).notices;
    assert.equal(notices[0].kind, 'illegitimate-product');
    assert.equal(notices[0].notice.exceptionId, q.id);
    // The holder's determination keeps the product quarantined (suspect) on the ledger; the manufacturer,
    // notified, marks it illegitimate there for everyone (only it or a regulator may).
    assert.equal((await verify(pharmacy, item(1))).carechain.answer, 'suspect');
    assert.ok(recipients.has(maker.org.orgId.toLowerCase()), 'the manufacturer is notified');
    assert.equal((await ok(maker, 'GET', '/api/supply/notices')).notices[0].notice.exceptionId, q.id);
    await ok(maker, 'POST', '/api/supply/status', { barcodes: [item(1)], status: 'illegitimate', reason: `notice ${q.id}` });
    // The pharmacy answers from its index of the ledger: once it has seen the manufacturer's block.
    await waitUntil('the pharmacy to index the status change', async () => (await verify(pharmacy, item(1))).carechain.answer !== 'suspect', 10_000);
    assert.equal((await verify(pharmacy, item(1))).carechain.answer, 'illegitimate');
  });

  test('a saleable return is verified before it is accepted', async () => {
    const s = await ok(pharmacy, 'POST', '/api/supply/ship', { to: distributor.org.orgId, barcodes: [item(2)], purpose: 'return' });
    const r = await ok(distributor, 'POST', '/api/supply/receive', { shipmentId: s.shipmentId, scanned: [item(2)] });
    assert.equal(r.received, true, JSON.stringify(r));
    assert.deepEqual(r.verifications, [{ id: `01${GTIN}21${lotA.serials[2]}`, answer: 'verified' }]);
  });
});

describe('requests for records and EPCIS', () => {
  test('the regulator gets a product\'s transaction history from the distributor, with proofs, within one business day', async () => {
    await maker.node.services.anchorers.supply.maybeAnchor(true);
    await distributor.node.services.anchorers.supply.maybeAnchor(true);
    const a = await ok(fda, 'POST', '/api/supply/records-requests', { org: distributor.org.orgId, product: item(2) });
    assert.equal(a.withinDeadline, true);
    assert.ok(a.transactions.length >= 2, JSON.stringify(a.transactions));
    assert.equal(a.epcis.type, 'EPCISDocument');
    assert.match(a.report, /Transaction/i);
    assert.deepEqual(a.checked.problems, []);
    assert.ok(a.proofs.commissioning, 'the commissioning proof travels with it');
  });

  test('GET /epcis/events finds the shipping events of a product', async () => {
    const res = await fetch(`${maker.node.url}/epcis/events?EQ_bizStep=shipping&MATCH_anyEPC=${encodeURIComponent(box(0))}`, { headers: { authorization: `Bearer ${maker.token}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('gs1-epcis-version'), '2.0.0');
    const doc = (await res.json()) as any;
    assert.equal(doc.type, 'EPCISQueryDocument');
    assert.ok(doc.epcisBody.queryResults.resultsBody.eventList.length >= 1);
  });
});
