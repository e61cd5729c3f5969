/**
 * FHIR `transaction` and `batch` Bundles. A transaction validates every entry first, resolves
 * `urn:uuid:` references to the ids it assigns, and applies all entries in one database savepoint:
 * any failure stores nothing. A batch applies each entry on its own and reports each outcome.
 */
import { randomUUID } from 'node:crypto';
import type { Actor, RecordService } from '../records/service.ts';
import { patientIdOf } from '../records/search-params.ts';
import type { WriteResult } from '../records/store.ts';
import { FhirError, fhirError, invalid, type OperationOutcome } from './outcome.ts';
import { ID_PATTERN, type Bundle, type BundleEntry, type Resource } from './types.ts';
import { validate } from './validation.ts';

export const MAX_BUNDLE_ENTRIES = 10_000;

type Op =
  | { kind: 'create'; index: number; resource: Resource; id: string }
  | { kind: 'update'; index: number; resource: Resource; type: string; id: string; ifMatch?: number }
  | { kind: 'delete'; index: number; type: string; id: string }
  | { kind: 'read'; index: number; type: string; id: string };

const ORDER = { delete: 0, create: 1, update: 2, read: 3 } as const;

function parseIfMatch(v: string | undefined, where: string): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(v);
  if (!m) throw invalid(`${where}: If-Match "${v}" is not a version ETag`);
  return Number(m[1]);
}

/** Turns one entry into an operation; throws a FhirError naming the entry. */
function toOp(entry: BundleEntry, index: number, assigned: Map<string, string>): Op {
  const where = `Bundle.entry[${index}]`;
  const method = entry.request?.method?.toUpperCase();
  const url = entry.request?.url ?? '';
  if (!method) throw invalid(`${where}.request.method is required`, [`${where}.request`]);
  const [path] = url.split('?');
  const parts = (path ?? '').split('/').filter(Boolean);
  if (method === 'POST') {
    const resource = entry.resource;
    if (!resource || typeof resource !== 'object') throw invalid(`${where}.resource is required for POST`, [`${where}.resource`]);
    const id = entry.fullUrl ? assigned.get(entry.fullUrl) ?? randomUUID() : randomUUID();
    return { kind: 'create', index, resource, id };
  }
  if (method === 'PUT') {
    if (parts.length !== 2 || !ID_PATTERN.test(parts[1]!)) throw invalid(`${where}.request.url must be Type/id for PUT`, [`${where}.request.url`]);
    if (!entry.resource) throw invalid(`${where}.resource is required for PUT`, [`${where}.resource`]);
    return { kind: 'update', index, resource: entry.resource, type: parts[0]!, id: parts[1]!, ifMatch: parseIfMatch(entry.request?.ifMatch, where) };
  }
  if (method === 'DELETE' || method === 'GET') {
    if (parts.length !== 2) throw invalid(`${where}.request.url must be Type/id for ${method}`, [`${where}.request.url`]);
    return { kind: method === 'DELETE' ? 'delete' : 'read', index, type: parts[0]!, id: parts[1]! };
  }
  throw invalid(`${where}.request.method ${method} is not supported`, [`${where}.request.method`]);
}

/** Replaces every `reference` that names a bundle fullUrl with the id assigned to it. */
export function rewriteReferences(value: unknown, refs: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteReferences(v, refs));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = k === 'reference' && typeof v === 'string' && refs.has(v) ? refs.get(v) : rewriteReferences(v, refs);
    }
    return out;
  }
  return value;
}

function prefixIssues(err: unknown, index: number): FhirError {
  const where = `Bundle.entry[${index}]`;
  if (err instanceof FhirError) {
    const oo: OperationOutcome = {
      resourceType: 'OperationOutcome',
      issue: err.outcome.issue.map((i) => ({
        ...i,
        diagnostics: `${where}: ${i.diagnostics ?? i.details?.text ?? ''}`,
        expression: i.expression?.map((e) => `${where}.resource.${e}`),
      })),
    };
    return new FhirError(err.status, oo);
  }
  return fhirError(500, 'exception', `${where}: ${(err as Error).message}`);
}

function responseFor(r: WriteResult | null, op: Op): BundleEntry {
  if (op.kind === 'delete') return { response: { status: '204 No Content' } };
  if (!r) return { response: { status: '200 OK' } };
  return {
    fullUrl: `${r.type}/${r.id}`,
    resource: r.resource ?? undefined,
    response: {
      status: op.kind === 'read' ? '200 OK' : r.created ? '201 Created' : '200 OK',
      location: `${r.type}/${r.id}/_history/${r.version}`,
      etag: `W/"${r.version}"`,
      lastModified: r.lastUpdated,
    },
  };
}

function prepare(bundle: Bundle): { ops: Op[]; entries: BundleEntry[] } {
  const entries = bundle.entry ?? [];
  if (!Array.isArray(entries)) throw invalid('Bundle.entry must be an array', ['Bundle.entry']);
  if (entries.length > MAX_BUNDLE_ENTRIES) throw fhirError(413, 'too-costly', `a Bundle may hold at most ${MAX_BUNDLE_ENTRIES} entries (got ${entries.length})`);
  // Assign ids to created resources first, so references between entries can be resolved.
  const assigned = new Map<string, string>();
  const refs = new Map<string, string>();
  entries.forEach((e) => {
    if (e.request?.method?.toUpperCase() === 'POST' && e.fullUrl && e.resource?.resourceType) {
      const id = randomUUID();
      assigned.set(e.fullUrl, id);
      refs.set(e.fullUrl, `${e.resource.resourceType}/${id}`);
    }
  });
  const rewritten = refs.size ? (rewriteReferences(entries, refs) as BundleEntry[]) : entries;
  return { ops: rewritten.map((e, i) => toOp(e, i, assigned)), entries: rewritten };
}

export async function processTransaction(service: RecordService, bundle: Bundle, actor: Actor): Promise<Bundle> {
  const { ops } = prepare(bundle);
  for (const op of ops) {
    if (op.kind === 'create' || op.kind === 'update') {
      try {
        validate(op.resource);
      } catch (err) {
        throw prefixIssues(err, op.index);
      }
    }
  }
  // FHIR order: deletes, creates (Patients first, so their keys exist to wrap to), updates, reads.
  const ordered = [...ops].sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || Number(b.kind === 'create' && b.resource.resourceType === 'Patient') - Number(a.kind === 'create' && a.resource.resourceType === 'Patient'));
  const results = await service.queue.run(() => {
    const out = new Map<number, WriteResult | null>();
    for (const op of ordered) {
      try {
        out.set(op.index, apply(service, op, actor));
      } catch (err) {
        throw prefixIssues(err, op.index); // rolls back the whole savepoint
      }
    }
    return out;
  });
  return { resourceType: 'Bundle', type: 'transaction-response', entry: ops.map((op) => responseFor(results.get(op.index) ?? null, op)) };
}

export async function processBatch(service: RecordService, bundle: Bundle, actor: Actor): Promise<Bundle> {
  const entries = bundle.entry ?? [];
  if (entries.length > MAX_BUNDLE_ENTRIES) throw fhirError(413, 'too-costly', `a Bundle may hold at most ${MAX_BUNDLE_ENTRIES} entries`);
  const results = await Promise.all(
    entries.map(async (entry, index): Promise<BundleEntry> => {
      try {
        const op = toOp(entry, index, new Map());
        if (op.kind === 'create' || op.kind === 'update') validate(op.resource);
        const r = await service.queue.run(() => apply(service, op, actor));
        return responseFor(r, op);
      } catch (err) {
        const e = prefixIssues(err, index);
        return { response: { status: `${e.status}`, outcome: e.outcome as unknown as Resource } };
      }
    }),
  );
  return { resourceType: 'Bundle', type: 'batch-response', entry: results };
}

/** Applies one entry and audits it, inside the caller's transaction. */
function apply(service: RecordService, op: Op, actor: Actor): WriteResult | null {
  const store = service.store;
  switch (op.kind) {
    case 'create': {
      const r = store.create(op.resource, actor.agent, op.id);
      service.auditWrite(actor, r, 'create');
      return r;
    }
    case 'update': {
      const r = store.update(op.type, op.id, op.resource, actor.agent, op.ifMatch);
      service.auditWrite(actor, r, 'update');
      return r;
    }
    case 'delete': {
      const patientId = service.patientOf(op.type, op.id);
      const r = store.delete(op.type, op.id, actor.agent);
      if (r) service.audit.append({ ...actor, action: 'D', subtype: 'delete', outcome: '0', patientId, what: [`${op.type}/${op.id}/_history/${r.version}`] });
      return r;
    }
    case 'read': {
      const resource = store.read(op.type, op.id);
      const version = Number(resource.meta?.versionId);
      service.audit.append({ ...actor, action: 'R', subtype: 'read', outcome: '0', patientId: patientIdOf(resource), what: [`${op.type}/${op.id}/_history/${version}`] });
      return { resource, type: op.type, id: op.id, version, lastUpdated: String(resource.meta?.lastUpdated), created: false, leafIndex: -1 };
    }
  }
}
