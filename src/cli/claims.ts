/**
 * `carechain claims …`: insurance claims against a node (submit a FHIR Claim to an insurer, the
 * special-investigations queue, review, pay, void, appeal, respond) and the import of the NCCI PTP and
 * MUE tables in CMS's layouts, like the LEIE import. Each is one call of the node's API; this file only
 * reads files and formats answers for a terminal.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { CarechainError } from '../shared/errors.ts';
import { callNode, problemOf, type NodeTarget } from './node-client.ts';

async function claimsCall(target: NodeTarget, method: string, path: string, body?: unknown): Promise<any> {
  const r = await callNode(target, method, path, body);
  if (r.status >= 300) throw new CarechainError(`HTTP ${r.status}: ${problemOf(r.json)}`);
  return r.json;
}

/** Imports an NCCI PTP (`ccipra-v…`/`ccioph-v…`, tab-delimited text) or MUE (CSV) file as CMS publishes it. */
export async function claimsImportTable(target: NodeTarget, kind: 'ncci-ptp' | 'mue', file: string): Promise<void> {
  const r = await claimsCall(target, 'POST', '/api/claims/tables', { kind, file: basename(file), text: readFileSync(file, 'latin1') });
  console.log(`imported ${r.rows} ${kind} edit(s) for the ${r.setting} setting from ${r.file}${r.rejected ? ` (${r.rejected} row(s) rejected)` : ''}`);
}

/** Sends a FHIR Claim (JSON file) to an insurer; prints the decision and each flag. */
export async function claimsSubmit(target: NodeTarget, input: { file: string; insurer: string; patient: string; credential?: string[]; consent?: string }): Promise<void> {
  const claim = JSON.parse(readFileSync(input.file, 'utf8')) as unknown;
  const credentials = (input.credential ?? []).map((c) => {
    const i = c.lastIndexOf('=');
    if (i < 1) throw new CarechainError(`--credential takes provider=credentialId, got "${c}"`, 2);
    return { provider: c.slice(0, i), credentialId: c.slice(i + 1) };
  });
  const consent = input.consent ? (JSON.parse(readFileSync(input.consent, 'utf8')) as unknown) : undefined;
  const r = await claimsCall(target, 'POST', '/api/claims', { claim, insurer: input.insurer, patient: input.patient, ...(credentials.length ? { credentials } : {}), ...(consent ? { consent } : {}) });
  console.log(`claim ${r.claimId}: ${r.state} (tx ${r.txHash}); sent: ${r.released}`);
  for (const n of r.claimResponse.processNote ?? []) console.log(`  - ${n.text}`);
}

export async function claimsQueue(target: NodeTarget, json: boolean): Promise<void> {
  const r = await claimsCall(target, 'GET', '/api/claims/queue');
  if (json) return void console.log(JSON.stringify(r.queue, null, 2));
  if (r.queue.length === 0) console.log('the queue is empty');
  for (const q of r.queue) {
    console.log(`${q.claimId}  ${q.state.padEnd(9)} score ${String(q.score).padEnd(5)} from ${q.provider}${q.disputes.length ? `  DISPUTED by the patient` : ''}`);
    for (const f of q.flags) console.log(`    [${f.rule}] ${f.severity} ${f.score}: ${f.explanation}`);
    for (const m of q.messages) console.log(`    provider ${m.kind} (${m.at}): ${m.text}`);
  }
}

export async function claimsAction(target: NodeTarget, id: string, action: 'review' | 'pay' | 'void' | 'appeal' | 'respond', body?: unknown): Promise<void> {
  const r = await claimsCall(target, 'POST', `/api/claims/${id}/${action}`, body);
  console.log(JSON.stringify(r));
}
