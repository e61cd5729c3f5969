/**
 * FHIR transaction and batch Bundles. A transaction resolves references between its entries
 * (fullUrl → assigned id, or the existing resource a conditional create found), validates every
 * entry before anything is stored, and applies all entries in one database savepoint: any failure
 * stores nothing. A batch applies each entry on its own and reports each outcome. Every entry is
 * authorized and audited as the caller's, like a single request. Conditional entries (R4
 * http.html#trules): POST with `ifNoneExist`, PUT and DELETE with `Type?query` URLs.
 */
import { randomUUID } from 'node:crypto';
import { outcome, OutcomeCarrier, type OperationOutcome } from '../fhir/outcome.ts';
import { ID_PATTERN, type Bundle, type BundleEntry, type Resource } from '../fhir/types.ts';
import { validate } from '../fhir/validation.ts';
import { DomainError, HTTP_STATUS, invalid, tooLarge } from '../shared/errors.ts';
import type { Tx } from '../storage/engine.ts';
import type { FhirRepository } from './repository.ts';
import type { WriteResult } from './store.ts';

type Op =
  | { kind: 'create'; index: number; resource: Resource; id: string; ifNoneExist?: string }
  | { kind: 'update'; index: number; resource: Resource; type: string; id: string; ifMatch?: number }
  | { kind: 'conditional-update'; index: number; resource: Resource; type: string; query: string }
  | { kind: 'delete'; index: number; type: string; id: string }
  | { kind: 'conditional-delete'; index: number; type: string; query: string }
  | { kind: 'read'; index: number; type: string; id: string };

const ORDER = { delete: 0, 'conditional-delete': 0, create: 1, update: 2, 'conditional-update': 2, read: 3 } as const;

function parseIfMatch(v: string | undefined, where: string): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(v);
  if (!m) throw invalid(`${where}: If-Match "${v}" is not a version ETag`);
  return Number(m[1]);
}

/** Turns one entry into an operation; throws a DomainError naming the entry. */
function toOp(entry: BundleEntry, index: number, assigned: Map<string, string>): Op {
  const where = `Bundle.entry[${index}]`;
  const method = entry.request?.method?.toUpperCase();
  const url = entry.request?.url ?? '';
  if (!method) throw invalid(`${where}.request.method is required`, [`${where}.request`]);
  const [path, query] = url.split('?') as [string, string | undefined];
  const parts = (path ?? '').split('/').filter(Boolean);
  if (method === 'POST') {
    const resource = entry.resource;
    if (!resource || typeof resource !== 'object') throw invalid(`${where}.resource is required for POST`, [`${where}.resource`]);
    const id = entry.fullUrl ? (assigned.get(entry.fullUrl) ?? randomUUID()) : randomUUID();
    const ifNoneExist = entry.request?.ifNoneExist;
    return ifNoneExist ? { kind: 'create', index, resource, id, ifNoneExist } : { kind: 'create', index, resource, id };
  }
  if ((method === 'PUT' || method === 'DELETE') && parts.length === 1 && query) {
    if (method === 'DELETE') return { kind: 'conditional-delete', index, type: parts[0]!, query };
    if (!entry.resource) throw invalid(`${where}.resource is required for PUT`, [`${where}.resource`]);
    return { kind: 'conditional-update', index, resource: entry.resource, type: parts[0]!, query };
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
  throw new DomainError('not-supported', `${where}.request.method ${method} is not supported in a Bundle (POST, PUT, DELETE, GET)`, { code: 'not-supported' });
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

/** The error of one entry, its issues prefixed with where the entry is. */
function prefixIssues(err: unknown, index: number): DomainError {
  const where = `Bundle.entry[${index}]`;
  const e = err instanceof DomainError ? err : new DomainError('internal', (err as Error).message, { cause: err });
  const base: OperationOutcome = e.cause instanceof OutcomeCarrier ? e.cause.outcome : outcome(e.code ?? 'invalid', e.message, e.expression);
  const oo: OperationOutcome = {
    resourceType: 'OperationOutcome',
    issue: base.issue.map((i) => ({ ...i, diagnostics: `${where}: ${i.diagnostics ?? i.details?.text ?? ''}`, expression: i.expression?.map((x) => `${where}.resource.${x}`) })),
  };
  const carrier = new OutcomeCarrier(oo);
  const out = new DomainError(e.kind, carrier.message, { cause: carrier, code: e.code });
  out.audited = e.audited;
  return out;
}

function responseFor(r: WriteResult | null, op: Op): BundleEntry {
  if (op.kind === 'delete' || op.kind === 'conditional-delete') return { response: { status: '204 No Content' } };
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

async function prepare(repo: FhirRepository, bundle: Bundle, maxEntries: number): Promise<{ ops: Op[] }> {
  const entries = bundle.entry ?? [];
  if (!Array.isArray(entries)) throw invalid('Bundle.entry must be an array', ['Bundle.entry']);
  if (entries.length > maxEntries) throw tooLarge(`a transaction Bundle may hold at most ${maxEntries} entries (got ${entries.length}; the node's max-bundle-entries)`);
  // Assign ids to created resources first, so references between entries can be resolved; a
  // conditional create that finds its resource resolves to that one.
  const assigned = new Map<string, string>();
  const refs = new Map<string, string>();
  for (const [i, e] of entries.entries()) {
    if (e.request?.method?.toUpperCase() === 'POST' && e.fullUrl && e.resource?.resourceType) {
      let id: string = randomUUID();
      if (e.request.ifNoneExist) {
        try {
          const found = await repo.findOne(e.resource.resourceType, e.request.ifNoneExist);
          if (found) id = found;
        } catch (err) {
          throw prefixIssues(err, i);
        }
      }
      assigned.set(e.fullUrl, id);
      refs.set(e.fullUrl, `${e.resource.resourceType}/${id}`);
    }
  }
  const rewritten = refs.size ? (rewriteReferences(entries, refs) as BundleEntry[]) : entries;
  return { ops: rewritten.map((e, i) => toOp(e, i, assigned)) };
}

const interactionOf = (op: Op) => (op.kind === 'read' ? 'read' : 'write') as 'read' | 'write';
const typeOf = (op: Op) => (op.kind === 'create' ? op.resource.resourceType : op.type);

export async function processTransaction(repo: FhirRepository, bundle: Bundle): Promise<Bundle> {
  await repo.authorizeBundle(bundle);
  const { ops } = await prepare(repo, bundle, repo.maxBundleEntries);
  for (const op of ops) {
    try {
      await repo.authorizeEntry(interactionOf(op), typeOf(op));
      if (op.kind === 'create' || op.kind === 'update' || op.kind === 'conditional-update') validate(op.resource);
    } catch (err) {
      throw prefixIssues(err, op.index);
    }
  }
  // FHIR order: deletes, creates (Patients first, so their keys exist to wrap to), updates, reads.
  const isPatientCreate = (o: Op) => Number(o.kind === 'create' && o.resource.resourceType === 'Patient');
  const ordered = [...ops].sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || isPatientCreate(b) - isPatientCreate(a));
  const results = await repo.inTransaction(async (tx) => {
    const out = new Map<number, WriteResult | null>();
    for (const op of ordered) {
      try {
        out.set(op.index, await apply(repo, tx, op));
      } catch (err) {
        throw prefixIssues(err, op.index); // rolls back the whole transaction
      }
    }
    return out;
  });
  return { resourceType: 'Bundle', type: 'transaction-response', entry: ops.map((op) => responseFor(results.get(op.index) ?? null, op)) };
}

export async function processBatch(repo: FhirRepository, bundle: Bundle): Promise<Bundle> {
  await repo.authorizeBundle(bundle);
  const entries = bundle.entry ?? [];
  if (entries.length > repo.maxBundleEntries) throw tooLarge(`a Bundle may hold at most ${repo.maxBundleEntries} entries`);
  const results = await Promise.all(
    entries.map(async (entry, index): Promise<BundleEntry> => {
      try {
        const op = toOp(entry, index, new Map());
        await repo.authorizeEntry(interactionOf(op), typeOf(op));
        if (op.kind === 'create' || op.kind === 'update' || op.kind === 'conditional-update') validate(op.resource);
        return responseFor(await repo.inTransaction((tx) => apply(repo, tx, op)), op);
      } catch (err) {
        const e = prefixIssues(err, index);
        return { response: { status: String(HTTP_STATUS[e.kind]), outcome: (e.cause as OutcomeCarrier).outcome as unknown as Resource } };
      }
    }),
  );
  return { resourceType: 'Bundle', type: 'batch-response', entry: results };
}

/** Applies one entry, audited, inside the Bundle's transaction. */
async function apply(repo: FhirRepository, tx: Tx, op: Op): Promise<WriteResult | null> {
  switch (op.kind) {
    case 'create':
      return repo.createIn(tx, op.resource, op.id, op.ifNoneExist === undefined ? undefined : repo.conditionOf(op.resource.resourceType, op.ifNoneExist, 'ifNoneExist'));
    case 'update':
      return repo.updateIn(tx, op.type, op.id, op.resource, op.ifMatch);
    case 'conditional-update':
      return repo.conditionalUpdateIn(tx, op.resource, repo.conditionOf(op.type, op.query, 'the conditional update'));
    case 'delete':
      return repo.deleteIn(tx, op.type, op.id, await repo.patientOf(op.type, op.id));
    case 'conditional-delete':
      return (await repo.conditionalDeleteIn(tx, repo.conditionOf(op.type, op.query, 'the conditional delete')))[0] ?? null;
    case 'read': {
      const resource = await repo.readIn(tx, op.type, op.id);
      return { resource, type: op.type, id: op.id, version: Number(resource.meta?.versionId), lastUpdated: String(resource.meta?.lastUpdated), created: false, leafIndex: -1 };
    }
  }
}

