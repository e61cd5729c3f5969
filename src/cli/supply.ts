/**
 * `carechain supply …`: the supply commands an operator or a dispenser's counter runs against its node
 * (verify a scanned barcode, commission a lot, list exceptions). Each is one call of the node's API;
 * this file only formats the answers for a terminal.
 */
import { CarechainError } from '../shared/errors.ts';
import { callNode, problemOf, type NodeTarget } from './node-client.ts';

async function supplyCall(target: NodeTarget, method: string, path: string, body?: unknown): Promise<any> {
  const r = await callNode(target, method, path, body);
  if (r.status >= 300) throw new CarechainError(`HTTP ${r.status}: ${problemOf(r.json)}`);
  return r.json;
}

/** Verifies a barcode (DataMatrix element string, bracketed string, Digital Link or EPC URN); exit code 1 when not verified. */
export async function supplyVerify(target: NodeTarget, barcode: string, opts: { sender?: string; parent?: string; json?: boolean }): Promise<number> {
  const r = await supplyCall(target, 'POST', '/api/supply/verify', { barcode, ...(opts.sender ? { sender: opts.sender } : {}), ...(opts.parent ? { parent: opts.parent } : {}) });
  if (opts.json) console.log(JSON.stringify(r, null, 2));
  else {
    const p = r.carechain.product;
    console.log(`${r.data.verified ? 'VERIFIED' : 'NOT VERIFIED'}: ${r.carechain.answer}  (GTIN ${p.gtin}, serial ${p.serial}${p.lot ? `, lot ${p.lot}` : ''}${p.expiry ? `, expiry ${p.expiry}` : ''})`);
    if (!r.data.verified) console.log(`  LMS: ${r.data.verificationFailureReason ?? ''}${r.data.additionalInfo ? ` / ${r.data.additionalInfo}` : ''}`);
    for (const f of r.carechain.findings) console.log(`  - ${f.answer}: ${f.message}`);
    console.log(`  answered by ${r.carechain.routedTo ?? r.carechain.responder} at indexed block ${r.carechain.indexedBlock}${r.carechain.evidence ? `; evidence: ${r.carechain.evidence.ledger.length} ledger fact(s), ${r.carechain.evidence.events.length} EPCIS event(s)${r.carechain.evidence.commissioning ? ', commissioning proof' : ''}` : ''}`);
  }
  return r.data.verified ? 0 : 1;
}

export async function supplyCommission(target: NodeTarget, input: { gtin: string; lot: string; expiry: string; count: number; caseSize?: number; palletSize?: number; product?: string }): Promise<void> {
  const r = await supplyCall(target, 'POST', '/api/supply/commission', input);
  console.log(`lot ${r.lot} of GTIN ${r.gtin} (expiry ${r.expiry}): ${r.items} item(s), ${r.cases} case(s), ${r.pallets} pallet(s)`);
  console.log(`  ${r.transactions} ledger transaction(s) (one per serial would be ${r.naiveTransactions}), ${r.events} EPCIS event(s), lot id ${r.lotId}`);
}

export async function supplyExceptions(target: NodeTarget, filter: { kind?: string; state?: string }): Promise<void> {
  const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as [string, string][]).toString();
  const r = await supplyCall(target, 'GET', `/api/supply/exceptions${q ? `?${q}` : ''}`);
  if (r.exceptions.length === 0) console.log('no exceptions');
  for (const e of r.exceptions) console.log(`${e.id}  ${e.kind.padEnd(22)} ${e.state.padEnd(13)} ${e.subject.slice(0, 60)}${e.deadline ? `  due ${e.deadline.due}${e.deadline.overdue ? ' OVERDUE' : ''}` : ''}`);
}
