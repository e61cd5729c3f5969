/**
 * `carechain import <bundle.json|dir>`: loads FHIR Bundles (transaction or collection, as Synthea
 * writes them) or single resources into a node, with a progress bar. Resumable: finished files are
 * recorded in a state file and skipped on the next run. Idempotent: created resources get ids
 * derived from the file's hash and the entry's fullUrl, sent as PUTs, so a file re-sent after an
 * interruption updates the same resources instead of duplicating them.
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
}

export interface ImportSummary {
  files: number;
  skipped: number;
  resources: number;
  failed: { file: string; problem: string }[];
}

function listFiles(path: string): string[] {
  const p = resolve(path);
  if (!existsSync(p)) throw new CarechainError(`${path} does not exist`, 2);
  if (statSync(p).isDirectory()) return readdirSync(p).filter((f) => f.endsWith('.json')).sort().map((f) => join(p, f));
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
    const id = stableId(`${fileHash}:${e.fullUrl ?? i}`);
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

export async function importFiles(opts: ImportOptions): Promise<ImportSummary> {
  const files = listFiles(opts.path);
  const stateFile = opts.stateFile ?? `${resolve(opts.path).replace(/\/$/, '')}.import-state.json`;
  const done = new Set<string>(existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as { done: string[] }).done : []);
  const save = () => {
    writeFileSync(`${stateFile}.tmp`, JSON.stringify({ done: [...done] }, null, 1));
    renameSync(`${stateFile}.tmp`, stateFile);
  };
  const summary: ImportSummary = { files: 0, skipped: 0, resources: 0, failed: [] };
  const tty = process.stderr.isTTY && !opts.quiet;
  const bar = tty ? new SingleBar({ format: 'import [{bar}] {value}/{total} files | {resources} resources | {file}', hideCursor: true }) : undefined;
  bar?.start(files.length, 0, { resources: 0, file: '' });
  let i = 0;
  for (const file of files) {
    i++;
    const raw = readFileSync(file);
    const fileHash = createHash('sha256').update(raw).digest('hex');
    const key = `${basename(file)}:${fileHash}`;
    if (done.has(key)) {
      summary.skipped++;
      bar?.update(i, { file: basename(file) });
      continue;
    }
    let content: Resource;
    try {
      content = JSON.parse(raw.toString('utf8')) as Resource;
    } catch (err) {
      summary.failed.push({ file, problem: `not JSON: ${(err as Error).message}` });
      if (!opts.continueOnError) break;
      continue;
    }
    const bundle = content.resourceType === 'Bundle' && (content as Bundle).type === 'batch' ? (content as Bundle) : toIdempotentTransaction(content, fileHash);
    const res = await callNode(opts.target, 'POST', '/fhir', bundle);
    if (res.status !== 200) {
      summary.failed.push({ file, problem: `HTTP ${res.status}: ${problemOf(res.json)}` });
      if (!opts.continueOnError) break;
      continue;
    }
    summary.files++;
    summary.resources += (bundle.entry ?? []).length;
    done.add(key);
    save();
    if (bar) bar.update(i, { resources: summary.resources, file: basename(file) });
    else if (!opts.quiet && (i % 10 === 0 || i === files.length)) process.stderr.write(`import: ${i}/${files.length} files, ${summary.resources} resources\n`);
  }
  bar?.stop();
  return summary;
}
