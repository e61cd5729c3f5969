/**
 * `carechain import <bundle.json|dir>`: loads FHIR Bundles (transaction or collection, as Synthea
 * writes them) or single resources into a node, every resource of every type, with a progress bar.
 *
 * - Idempotent: each resource gets a stable id (from its own `Type/id` when it has one, so the
 *   Organizations and Practitioners that every Synthea bundle repeats become one resource; else from
 *   the file's hash and the entry's fullUrl), references are rewritten to those ids here, and entries
 *   are sent as PUTs: a re-run updates nothing (the node keeps a version whose content is unchanged).
 * - Resumable: finished files are recorded in a state file and skipped on the next run.
 * - Fast: several files in flight (the node commits them together), a file larger than `chunk`
 *   entries sent as several transactions (Patients first, so their keys exist to wrap to). A file that
 *   fails may be partly stored; the re-run after the fix completes it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { CarechainError } from '../shared/errors.ts';
import { rewriteReferences } from '../records/bundle.ts';
import type { Bundle, BundleEntry, Resource } from '../fhir/types.ts';
import { callNode, problemOf, type NodeTarget } from './node-client.ts';

export interface ImportOptions {
  path: string;
  target: NodeTarget;
  stateFile?: string;
  continueOnError?: boolean;
  quiet?: boolean;
  /** Files sent at once (default 4). */
  concurrency?: number;
  /** Entries per transaction (default 1000; at most the node's max-bundle-entries). */
  chunk?: number;
}

export interface ImportSummary {
  files: number;
  skipped: number;
  resources: number;
  failed: { file: string; problem: string }[];
  seconds: number;
}

function listFiles(path: string): string[] {
  const p = resolve(path);
  if (!existsSync(p)) throw new CarechainError(`${path} does not exist`, 2);
  if (statSync(p).isDirectory()) return readdirSync(p).filter((f) => f.endsWith('.json') && !f.endsWith('.import-state.json')).sort().map((f) => join(p, f));
  return [p];
}

/** Deterministic UUID (v4 layout) from a seed, so re-imports address the same resources. */
function stableId(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A transaction Bundle that creates/updates with stable ids (PUT) and resolved references. */
export function toIdempotentTransaction(content: Resource, fileHash: string): Bundle {
  const entries: BundleEntry[] =
    content.resourceType === 'Bundle' ? (((content as Bundle).entry ?? []) as BundleEntry[]) : [{ resource: content, request: { method: 'POST', url: content.resourceType } }];
  const refs = new Map<string, string>();
  const ids = entries.map((e, i) => {
    const r = e.resource;
    if (!r) return undefined;
    const method = e.request?.method?.toUpperCase() ?? 'POST';
    if (method !== 'POST') return undefined;
    const id = stableId(r.id ? `carechain-import:${r.resourceType}/${r.id}` : `${fileHash}:${e.fullUrl ?? i}`);
    if (e.fullUrl) refs.set(e.fullUrl, `${r.resourceType}/${id}`);
    if (r.id) refs.set(`${r.resourceType}/${r.id}`, `${r.resourceType}/${id}`);
    return id;
  });
  const rewritten = rewriteReferences(entries, refs) as BundleEntry[];
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: rewritten.map((e, i) => {
      const id = ids[i];
      if (id && e.resource) return { resource: { ...e.resource, id }, request: { method: 'PUT', url: `${e.resource.resourceType}/${id}` } };
      return e;
    }),
  };
}

/** The transactions a file is sent as: Patients first, at most `size` entries each, with each entry's index in the file. */
export function chunks(bundle: Bundle, size: number): { bundle: Bundle; index: number[] }[] {
  const order = (bundle.entry ?? []).map((e, i) => ({ e, i })).sort((a, b) => Number(b.e.resource?.resourceType === 'Patient') - Number(a.e.resource?.resourceType === 'Patient'));
  const out: { bundle: Bundle; index: number[] }[] = [];
  for (let k = 0; k < order.length; k += size) {
    const part = order.slice(k, k + size);
    out.push({ bundle: { resourceType: 'Bundle', type: bundle.type, entry: part.map((p) => p.e) }, index: part.map((p) => p.i) });
  }
  return out.length ? out : [{ bundle, index: [] }];
}

/** A node's problem, its entry numbers translated to the file's. */
const inFile = (problem: string, index: number[]) => problem.replace(/Bundle\.entry\[(\d+)\]/g, (m, k: string) => (index[Number(k)] === undefined ? m : `Bundle.entry[${index[Number(k)]}]`));

export async function importFiles(opts: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const files = listFiles(opts.path);
  const stateFile = opts.stateFile ?? `${resolve(opts.path).replace(/\/$/, '')}.import-state.json`;
  const done = new Set<string>(existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as { done: string[] }).done : []);
  const save = () => {
    writeFileSync(`${stateFile}.tmp`, JSON.stringify({ done: [...done] }, null, 1));
    renameSync(`${stateFile}.tmp`, stateFile);
  };
  const summary: ImportSummary = { files: 0, skipped: 0, resources: 0, failed: [], seconds: 0 };
  const tty = process.stderr.isTTY && !opts.quiet;
  const bar = tty ? new SingleBar({ format: 'import [{bar}] {value}/{total} files | {resources} resources | {rate} resources/s | {file}', hideCursor: true }) : undefined;
  bar?.start(files.length, 0, { resources: 0, rate: 0, file: '' });
  let finished = 0;
  let stop = false;
  const rate = () => Math.round(summary.resources / ((performance.now() - started) / 1000));
  const progress = (file: string) => {
    finished++;
    if (bar) bar.update(finished, { resources: summary.resources, rate: rate(), file: basename(file) });
    else if (!opts.quiet && (finished % 10 === 0 || finished === files.length)) process.stderr.write(`import: ${finished}/${files.length} files, ${summary.resources} resources, ${rate()}/s\n`);
  };

  const importOne = async (file: string): Promise<void> => {
    const raw = readFileSync(file);
    const fileHash = createHash('sha256').update(raw).digest('hex');
    const key = `${basename(file)}:${fileHash}`;
    if (done.has(key)) {
      summary.skipped++;
      return progress(file);
    }
    let content: Resource;
    try {
      content = JSON.parse(raw.toString('utf8')) as Resource;
    } catch (err) {
      summary.failed.push({ file, problem: `not JSON: ${(err as Error).message}` });
      if (!opts.continueOnError) stop = true;
      return progress(file);
    }
    const bundle = content.resourceType === 'Bundle' && (content as Bundle).type === 'batch' ? (content as Bundle) : toIdempotentTransaction(content, fileHash);
    const [first, ...rest] = chunks(bundle, opts.chunk ?? 1000);
    // The first part holds the Patients: their keys must exist before the rest is wrapped to them.
    const send = async (c: { bundle: Bundle; index: number[] }) => {
      let res = await callNode(opts.target, 'POST', '/fhir', c.bundle);
      // Over the node's per-caller budget (429): wait as it says, then go on.
      for (let tries = 0; res.status === 429 && tries < 20; tries++) {
        const wait = Number(/retry in (\d+) s/.exec(problemOf(res.json))?.[1] ?? 5);
        await new Promise((r) => setTimeout(r, Math.min(60, wait) * 1000));
        res = await callNode(opts.target, 'POST', '/fhir', c.bundle);
      }
      return res.status === 200 ? undefined : `HTTP ${res.status}: ${inFile(problemOf(res.json), c.index)}`;
    };
    const problems = [await send(first!)];
    if (!problems[0]) problems.push(...(await Promise.all(rest.map(send))));
    const problem = problems.find((p) => p !== undefined);
    if (problem) {
      summary.failed.push({ file, problem });
      if (!opts.continueOnError) stop = true;
      return progress(file);
    }
    summary.files++;
    summary.resources += (bundle.entry ?? []).length;
    done.add(key);
    save();
    progress(file);
  };

  let next = 0;
  const worker = async () => {
    while (!stop && next < files.length) await importOne(files[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  bar?.stop();
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
