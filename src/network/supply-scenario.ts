/**
 * The scripted DSCSA scenario of the demo network (`npm start -- --supply-demo`), through the nodes'
 * own HTTP APIs as each organization's operator would call them: the licensing board licenses the
 * trading partners; Acme Pharmaceuticals commissions a lot in cases; a case ships to Valley Wholesale,
 * which receives it, opens it and ships items on to Corner Pharmacy, which receives them and dispenses
 * one; then a counterfeit (a serial never commissioned), a diversion (product offered by someone who
 * does not hold it) and a recall (the lot, by its manufacturer) are each caught by verification.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { orgIdOf } from '../chain/ids.ts';
import { CarechainError } from '../shared/errors.ts';
import { gs1CheckDigit } from '../supply/gs1/index.ts';
import type { FetchLike } from '../tls/peer-fetch.ts';

export interface ScenarioNode {
  slug: string;
  kind: string;
  url: string;
}

export interface ScenarioStep {
  step: string;
  outcome: string;
}

export async function runSupplyScenario(opts: { home: string; nodes: ScenarioNode[]; prefix: string; fetch?: FetchLike; say?: (m: string) => void }): Promise<ScenarioStep[]> {
  const find = (kind: string) => {
    const n = opts.nodes.find((x) => x.kind === kind);
    if (!n) throw new CarechainError(`the supply scenario needs a ${kind} in the network`);
    return { ...n, orgId: orgIdOf(n.slug), token: readFileSync(join(opts.home, 'orgs', n.slug, 'admin-token'), 'utf8').trim() };
  };
  const [board, maker, wholesaler, pharmacy] = [find('licensing-board'), find('manufacturer'), find('distributor'), find('pharmacy')];
  const doFetch = opts.fetch ?? fetch;
  const call = async (at: typeof board, method: string, path: string, body?: unknown): Promise<any> => {
    const res = await doFetch(`${at.url}${path}`, { method, headers: { authorization: `Bearer ${at.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const json = (await res.json()) as any;
    if (res.status >= 300) throw new CarechainError(`${at.slug} ${method} ${path}: HTTP ${res.status}: ${json?.error?.message ?? JSON.stringify(json).slice(0, 200)}`);
    return json;
  };
  const steps: ScenarioStep[] = [];
  const log = (step: string, outcome: string) => {
    steps.push({ step, outcome });
    opts.say?.(`${step}: ${outcome}`);
  };
  const verify = async (at: typeof board, barcode: string, extra: Record<string, unknown> = {}) => (await call(at, 'POST', '/api/supply/verify', { barcode, ...extra })).carechain as { answer: string; findings: { message: string }[] };

  // Licences and locations (once per network: licences are kept on the ledger).
  for (const [i, p] of [maker, wholesaler, pharmacy].entries()) {
    if (!(await call(board, 'GET', `/api/supply/licences/${p.orgId}`)).licence) await call(board, 'POST', '/api/supply/licences', { org: p.orgId, jurisdiction: 'US-CA' });
    const glnBody = `${opts.prefix}0000${i + 1}`;
    await call(p, 'POST', '/api/supply/locations', { gln: `${glnBody}${gs1CheckDigit(glnBody)}` });
  }
  for (const p of [maker, wholesaler, pharmacy]) {
    for (let tries = 0; !(await call(p, 'GET', `/api/supply/licences/${pharmacy.orgId}`)).licence; tries++) {
      if (tries > 100) throw new CarechainError(`${p.slug} has not indexed the trading licences`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  log('licences', `${board.slug} licensed ${maker.slug}, ${wholesaler.slug} and ${pharmacy.slug} to trade (US-CA); each declared its GLN`);

  const gtinBody = `0${opts.prefix}00017`;
  const gtin = `${gtinBody}${gs1CheckDigit(gtinBody)}`;
  const lot = `D${Date.now().toString(36).toUpperCase().slice(-7)}`;
  const c = await call(maker, 'POST', '/api/supply/commission', { gtin, lot, expiry: '2029-12-31', product: 'Demo amoxicillin 500 mg, 30 capsules', count: 20, caseSize: 10 });
  log('commission', `${maker.slug} commissioned lot ${lot}: ${c.items} items in ${c.cases} cases with ${c.transactions} ledger transaction(s)`);
  const item = (i: number) => `https://id.gs1.org/01/${gtin}/21/${c.serials[i]}`;
  const box = (i: number) => `https://id.gs1.org/00/${String(c.caseIds[i]).slice(2)}`;

  const s1 = await call(maker, 'POST', '/api/supply/ship', { to: wholesaler.orgId, barcodes: [box(0)] });
  const r1 = await call(wholesaler, 'POST', '/api/supply/receive', { shipmentId: s1.shipmentId, scanned: [box(0)] });
  log('ship → receive', `${maker.slug} shipped case ${box(0)} (${s1.units} units) to ${wholesaler.slug}, which ${r1.received ? 'confirmed receipt on the ledger' : `held it: ${JSON.stringify(r1.exceptions)}`}`);

  await call(wholesaler, 'POST', '/api/supply/unpack', { container: box(0) });
  const s2 = await call(wholesaler, 'POST', '/api/supply/ship', { to: pharmacy.orgId, barcodes: [item(0), item(1), item(2)] });
  const r2 = await call(pharmacy, 'POST', '/api/supply/receive', { shipmentId: s2.shipmentId, scanned: [item(0), item(1), item(2)] });
  log('unpack → ship → receive', `${wholesaler.slug} opened the case and shipped 3 items to ${pharmacy.slug}, which ${r2.received ? 'received them' : 'held them'}`);

  const before = await verify(pharmacy, item(0), { sender: pharmacy.orgId });
  await call(pharmacy, 'POST', '/api/supply/dispense', { barcodes: [item(0)] });
  log('dispense', `${pharmacy.slug} verified ${item(0)} (${before.answer}) and dispensed it; verified again: ${(await verify(pharmacy, item(0))).answer}`);

  const fake = await verify(pharmacy, `https://id.gs1.org/01/${gtin}/21/FAKE${lot}`);
  log('counterfeit', `a package with serial FAKE${lot} is ${fake.answer} (${fake.findings[0]?.message ?? ''})`);

  const diverted = await verify(pharmacy, item(15), { sender: wholesaler.orgId as Hex });
  log('diversion', `${item(15)} offered by ${wholesaler.slug}, which never held it: ${diverted.answer} (${diverted.findings[0]?.message ?? ''})`);

  await call(maker, 'POST', '/api/supply/status', { lot: { gtin, lot }, status: 'recalled', reason: 'demo recall: out-of-specification dissolution results' });
  await new Promise((r) => setTimeout(r, 1000));
  const recalled = await verify(pharmacy, item(1));
  log('recall', `${maker.slug} recalled lot ${lot}; ${pharmacy.slug}'s item ${item(1)} now verifies as ${recalled.answer}`);
  return steps;
}
