/**
 * `carechain research …`: a sponsor's and a site's study commands against their node (register,
 * amend, enrol, withdraw, capture, seal a batch, the monitor's integrity report, the outcome-switching
 * check, the de-identified export) and anyone's verification of a paper's dataset. Each is one call of
 * the node's API (/api/research); this file reads the input files and formats the answers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { CarechainError } from '../shared/errors.ts';
import { callNode, problemOf, type NodeTarget } from './node-client.ts';

async function researchCall(target: NodeTarget, method: string, path: string, body?: unknown): Promise<any> {
  const r = await callNode(target, method, path, body);
  if (r.status >= 300) throw new CarechainError(`HTTP ${r.status}: ${problemOf(r.json)}`);
  return r.json;
}

function readJson(file: string): any {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CarechainError(`${file}: ${(err as Error).message}`, 2);
  }
}

/** FHIR resources from a JSON array, a Bundle, or NDJSON. */
export function readResources(file: string): unknown[] {
  const text = readFileSync(file, 'utf8').trim();
  if (text.startsWith('[')) return JSON.parse(text) as unknown[];
  if (text.startsWith('{') && !text.includes('\n{')) {
    const one = JSON.parse(text) as { resourceType?: string; entry?: { resource: unknown }[] };
    return one.resourceType === 'Bundle' ? (one.entry ?? []).map((e) => e.resource) : [one];
  }
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);
}

/** A protocol file: `{ document | documentFile, outcomes, scope }` (documentFile relative to the working directory). */
function readProtocol(file: string): unknown {
  const p = readJson(file);
  if (typeof p.documentFile === 'string') {
    const { documentFile, ...rest } = p;
    return { ...rest, document: readFileSync(documentFile, 'utf8') };
  }
  return p;
}

const e = encodeURIComponent;

export async function researchRegister(target: NodeTarget, studyFile: string, protocolFile: string): Promise<void> {
  const r = await researchCall(target, 'POST', '/api/research/studies', { study: readJson(studyFile), protocol: readProtocol(protocolFile) });
  console.log(`study ${r.studyId} (ResearchStudy/${r.researchStudyId}) registered, protocol v1 ${r.protocolHash}, block ${r.blockNumber}`);
}

export async function researchAmend(target: NodeTarget, studyId: string, protocolFile: string, reason: string, reconsent: boolean): Promise<void> {
  const r = await researchCall(target, 'POST', `/api/research/studies/${e(studyId)}/amendments`, { protocol: readProtocol(protocolFile), reason, reconsent });
  console.log(`protocol v${r.version} ${r.protocolHash}, block ${r.blockNumber}${r.reconsent ? ` — subjects must consent again${r.forcedBy ? ` (${r.forcedBy})` : ''}` : ''}`);
}

export async function researchShow(target: NodeTarget, studyId: string): Promise<void> {
  const r = await researchCall(target, 'GET', `/api/research/studies/${e(studyId)}`);
  console.log(`study ${r.studyId} (ResearchStudy/${r.researchStudyId}), sponsor ${r.sponsor}, ${r.registered ? `registered at block ${r.registeredBlock}` : 'NOT REGISTERED'}${r.liveRecord === 'changed-since-registration' ? '; THE RESEARCHSTUDY RECORD WAS CHANGED WITHOUT AN AMENDMENT' : ''}`);
  for (const v of r.versions) console.log(`  v${v.version} ${v.protocolHash} ${v.verified ? 'matches the ledger' : 'DOES NOT MATCH THE LEDGER'}${v.reason ? `; reason: ${v.reason}` : ''}${v.reconsent ? '; re-consent required' : ''}; ${v.outcomes.length} outcome(s)`);
  console.log(`  subjects: ${r.subjects.enrolled} enrolled, ${r.subjects.withdrawn} withdrawn; ${r.batches.length} data batch(es); ${r.datasets.length} dataset(s)`);
}

export async function researchEnroll(target: NodeTarget, studyId: string, patientId: string, grantId: string): Promise<void> {
  const r = await researchCall(target, 'POST', `/api/research/studies/${e(studyId)}/subjects`, { patientId, grantId });
  console.log(`Patient/${patientId} ${r.reconsent ? 're-consented' : 'enrolled'} under protocol v${r.version} as ${r.subjectTag}, block ${r.blockNumber}`);
}

export async function researchWithdraw(target: NodeTarget, studyId: string, patientId: string): Promise<void> {
  const r = await researchCall(target, 'POST', `/api/research/studies/${e(studyId)}/subjects/${e(patientId)}/withdrawal`, {});
  console.log(`Patient/${patientId} withdrawn at block ${r.blockNumber}: no use of their data from that block on`);
}

export async function researchCapture(target: NodeTarget, studyId: string, patientId: string, file: string): Promise<void> {
  const r = await researchCall(target, 'POST', `/api/research/studies/${e(studyId)}/data`, { patientId, resources: readResources(file) });
  console.log(`${r.captured.length} entr${r.captured.length === 1 ? 'y' : 'ies'} captured (seal a batch to anchor them)`);
}

export async function researchSeal(target: NodeTarget, studyId: string): Promise<void> {
  const r = await researchCall(target, 'POST', `/api/research/studies/${e(studyId)}/batches`, {});
  console.log(r.size === 0 ? 'nothing to anchor' : `batch ${r.batch}: ${r.size} entries, root ${r.root}, block ${r.blockNumber}`);
}

/** Exit code 1 when the report is not clean. */
export async function researchIntegrity(target: NodeTarget, studyId: string, json: boolean): Promise<number> {
  const r = await researchCall(target, 'GET', `/api/research/studies/${e(studyId)}/integrity`);
  if (json) console.log(JSON.stringify(r, null, 2));
  else {
    console.log(`${r.ok ? 'INTACT' : 'FINDINGS'}: ${r.entries} entries in ${r.batches.length} batch(es)`);
    for (const b of r.batches) console.log(`  batch ${b.batch}: ${b.size} entries, root ${b.rootMatches ? 'matches the ledger' : `DOES NOT MATCH (ledger ${b.anchoredRoot ?? 'none'})`}`);
    for (const a of r.altered) console.log(`  altered: ${a.resource} (captured v${a.capturedVersion}${a.currentVersion ? `, now v${a.currentVersion}` : ''}: ${a.reason})`);
    for (const l of r.late) console.log(`  late: ${l.resource} about ${l.clinicalTime}, captured ${l.capturedAt} after batch ${l.lockedBy} was sealed`);
    for (const u of r.unanchored) console.log(`  not yet anchored: ${u.resource}`);
  }
  return r.ok ? 0 : 1;
}

/** Exit code 1 when any major finding. */
export async function researchOutcomes(target: NodeTarget, studyId: string, reportedFile: string, json: boolean): Promise<number> {
  const reported = readJson(reportedFile);
  const r = await researchCall(target, 'POST', `/api/research/studies/${e(studyId)}/outcome-check`, { reported: Array.isArray(reported) ? reported : reported.reported });
  if (json) console.log(JSON.stringify(r, null, 2));
  else {
    console.log(`compared with protocol v${r.comparedWith} (in force when enrolment started, ${r.enrolmentStart}): ${r.findings.length} finding(s)`);
    for (const f of r.findings) console.log(`  [${f.severity}] ${f.kind}: ${f.message}`);
  }
  return r.findings.some((f: { severity: string }) => f.severity === 'major') ? 1 : 0;
}

export async function researchExport(target: NodeTarget, studyId: string, out: string): Promise<void> {
  const r = await researchCall(target, 'POST', `/api/research/studies/${e(studyId)}/exports`, {});
  writeFileSync(out, r.resources.map((x: unknown) => JSON.stringify(x)).join('\n') + '\n');
  writeFileSync(`${out}.manifest.json`, JSON.stringify({ manifest: r.manifest, manifestHash: r.manifestHash, dataset: r.dataset, blockNumber: r.blockNumber, excluded: r.excluded, report: r.report }, null, 2) + '\n');
  console.log(`dataset ${r.dataset}: ${r.resources.length} de-identified resources in ${out} (manifest ${r.manifestHash}, block ${r.blockNumber}); ${r.excluded.length} subject(s) excluded`);
}

/** Exit code 1 when the dataset is not one anchored for the study. */
export async function researchVerify(target: NodeTarget, studyId: string, file: string): Promise<number> {
  const r = await researchCall(target, 'POST', `/api/research/studies/${e(studyId)}/datasets/verify`, { resources: readResources(file) });
  console.log(r.verified ? `VERIFIED: dataset ${r.dataset} of study ${studyId}, anchored by ${r.exporter} at block ${r.block} (manifest ${r.manifestHash})` : `NOT VERIFIED: no dataset of study ${studyId} has manifest ${r.manifestHash}`);
  return r.verified ? 0 : 1;
}

/** Takes a study registered by another organization into this node: its versions, fetched from the sponsor's node, are checked against the ledger here. */
export async function researchImport(target: NodeTarget, sponsor: NodeTarget, studyId: string): Promise<void> {
  const p = await researchCall(sponsor, 'GET', `/api/research/studies/${e(studyId)}/protocol`);
  const r = await researchCall(target, 'POST', '/api/research/imports', p);
  console.log(`study ${r.studyId}: ${r.versions} protocol version(s) imported, each matching the ledger`);
}
