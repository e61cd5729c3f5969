/**
 * The FHIR repository bound to one caller (like Medplum's per-request repository): every operation
 * checks the caller's access (role policy, licence) and writes its own audit entry, for successes,
 * denials and failures alike. Handlers never build audit inputs; they cannot forget one.
 */
import type { AuditFacts } from '../audit/trail.ts';
import { patientsOf, type ParsedSearch } from '../fhir/search/index.ts';
import type { Bundle, Resource } from '../fhir/types.ts';
import { validate } from '../fhir/validation.ts';
import type { Caller } from '../identity/principal.ts';
import { DomainError, forbidden, invalid, notFound } from '../shared/errors.ts';
import type { Sql, Tx } from '../storage/engine.ts';
import { compartmentPage } from './compartment.ts';
import { erasePatient, type ErasureResult } from './erasure.ts';
import { historyPage } from './history.ts';
import { applyJsonPatch } from './patch.ts';
import { decideFhir, type FhirInteraction } from './policy.ts';
import { proofOf } from './proof.ts';
import { provenanceOf } from './provenance.ts';
import { parseRequest, type SearchPage } from './search/engine.ts';
import type { RecordServiceDeps } from './service.ts';
import { checkType, type VersionRow, type WriteResult } from './store.ts';
import { FEATURE_VIEWS } from './views.ts';

export interface SearchResult extends SearchPage {
  /** The matches' resources, in order. */
  resources: Resource[];
}

export interface EverythingResult {
  resources: Resource[];
  total: number;
  count: number;
  offset: number;
}

export interface HistoryEntry {
  row: VersionRow;
  resource?: Resource;
}

/** How a conditional interaction's search went (R4 http.html#ccreate, #cond-update, #cdelete). */
export interface ConditionalWrite extends WriteResult {
  /** `existing`: If-None-Exist found one match, nothing was written. */
  outcome?: 'existing';
}

/** Resources a conditional delete may remove at once. */
export const MAX_CONDITIONAL_DELETES = 100;

/** What a failed operation was, for its audit entry. */
type FailureFacts = Pick<AuditFacts, 'action' | 'subtype' | 'patientId' | 'what' | 'query'>;

export class FhirRepository {
  private licence: Promise<string | undefined> | undefined;

  constructor(
    private readonly deps: RecordServiceDeps,
    readonly caller: Caller,
  ) {}

  // --- reads ----------------------------------------------------------------------------------------

  read(type: string, id: string): Promise<Resource> {
    return this.guard({ action: 'R', subtype: 'read', patientId: type === 'Patient' ? id : undefined, what: [`${type}/${id}`] }, async () => {
      checkType(type);
      await this.authorize('read', type);
      const resource = await this.deps.store.read(type, id);
      await this.auditPerPatient([resource], { action: 'R', subtype: 'read' }, versionRef);
      return resource;
    });
  }

  vread(type: string, id: string, version: number): Promise<Resource> {
    return this.guard({ action: 'R', subtype: 'vread', what: [`${type}/${id}/_history/${version}`] }, async () => {
      await this.authorize('read', type);
      const resource = await this.deps.store.vread(type, id, version);
      await this.auditPerPatient([resource], { action: 'R', subtype: 'vread' }, versionRef);
      return resource;
    });
  }

  /**
   * A search (every R4 search parameter of the type, chains, `_has`, `_include`, `_revinclude`,
   * `_sort`, paging); one audit entry per patient whose data it returned (matches and included
   * resources alike), so each patient sees the access.
   */
  search(type: string, params: URLSearchParams, query: string, localBases: readonly string[] = []): Promise<SearchResult> {
    return this.guard({ action: 'R', subtype: 'search-type', query }, async () => {
      checkType(type);
      await this.authorize('search', type);
      const parsed = parseRequest(type, params, localBases);
      for (const t of typesReached(parsed)) await this.authorize('search', t);
      const found = await this.deps.search.search(this.deps.storage, parsed);
      const included: Resource[] = [];
      for (const r of found.included) if ((await this.decision('read', r.resourceType)).allow) included.push(r);
      const page = { ...found, included };
      const resources = page.matches.map((m) => m.resource!);
      await this.auditPerPatient([...resources, ...included], { action: 'R', subtype: 'search-type', query });
      return { ...page, resources };
    });
  }

  /** A resource's versions, newest first; one audit entry per patient whose version it returned. */
  history(type: string, id: string): Promise<HistoryEntry[]> {
    return this.guard({ action: 'R', subtype: 'history-instance', what: [`${type}/${id}`] }, async () => {
      checkType(type);
      await this.authorize('read', type);
      const rows = await this.deps.store.history(type, id);
      const out = await this.decryptVersions(rows);
      const patients = new Set(out.flatMap((e) => (e.resource ? patientsOf(e.resource) : [])));
      for (const p of await this.deps.store.patientsOfStored(type, id)) patients.add(p);
      await this.auditPatients([...patients], { action: 'R', subtype: 'history-instance', what: [`${type}/${id}`] });
      return out;
    });
  }

  /** Type-level (`type`) or system-level `_history`, newest first, paged; audited per patient returned. */
  historyOf(type: string | undefined, page: { since?: string; count: number; offset: number }, query: string): Promise<{ entries: HistoryEntry[]; more: boolean }> {
    const subtype = type ? 'history-type' : 'history-system';
    return this.guard({ action: 'R', subtype, query }, async () => {
      if (type !== undefined) checkType(type);
      await this.authorize('history', type);
      const { rows, more } = await historyPage(this.deps.storage, { ...(type ? { type } : {}), ...page });
      for (const t of new Set(rows.map((r) => r.type))) await this.authorize('read', t);
      const entries = await this.decryptVersions(rows);
      await this.auditPerPatient(entries.flatMap((e) => (e.resource ? [e.resource] : [])), { action: 'R', subtype, query }, versionRef);
      return { entries, more };
    });
  }

  /**
   * Patient/$everything, paged (`_count`, `_offset`) and optionally only what changed `_since`: the
   * patient and their compartment. Audited for the patient and for every other patient whose
   * resource the page returned.
   */
  everything(patientId: string, page: { count: number; offset: number; sinceMs?: number; types?: readonly string[] }): Promise<EverythingResult> {
    return this.guard({ action: 'E', subtype: 'everything', patientId }, async () => {
      await this.authorize('everything', 'Patient');
      await this.deps.store.read('Patient', patientId); // 404/410 when the patient is unknown, deleted or erased
      const { refs, total } = await compartmentPage(this.deps.storage, this.deps.store, patientId, page);
      const resources = await Promise.all(refs.map((r) => this.deps.store.read(r.type, r.id)));
      const others = new Set(resources.flatMap((r) => patientsOf(r)).filter((p) => p !== patientId));
      await this.audited({ action: 'E', subtype: 'everything', patientId, what: resources.map((r) => `${r.resourceType}/${r.id}`) });
      await this.auditPatients([...others], { action: 'E', subtype: 'everything', what: [`Patient/${patientId}/$everything`] });
      return { resources, total, count: page.count, offset: page.offset };
    });
  }

  /**
   * A signed-in patient's own records here (the patient API, not the clinical FHIR API): $everything
   * for each local patient their key (or a key they are proxy for) is linked to, and nothing else —
   * the patients are found from the caller's own addresses, never from a parameter. Audited as the
   * patient's access to their own record.
   */
  mine(page: { count: number; offset: number }): Promise<{ patients: (EverythingResult & { patientId: string })[] }> {
    return this.guard({ action: 'E', subtype: 'everything' }, async () => {
      const p = this.caller.principal;
      if (p.kind !== 'patient') throw forbidden('log in as a patient (POST /api/auth/patient/login)');
      const lookup = this.deps.identities?.patientsWithAddress;
      if (!lookup) throw new DomainError('not-supported', "this node cannot look up a patient's records by their key");
      const ids = [...new Set((await Promise.all((p.addresses ?? []).map((a) => lookup.call(this.deps.identities, a)))).flat())];
      const patients = [];
      for (const patientId of ids) {
        const { refs, total } = await compartmentPage(this.deps.storage, this.deps.store, patientId, page);
        const resources = await Promise.all(refs.map((r) => this.deps.store.read(r.type, r.id)));
        await this.audited({ action: 'E', subtype: 'everything', patientId, what: resources.map((r) => `${r.resourceType}/${r.id}`) });
        patients.push({ patientId, resources, total, count: page.count, offset: page.offset });
      }
      return { patients };
    });
  }

  /** $verify: the inclusion proof of a version's record-log leaf to the first anchored root covering it. */
  verify(type: string, id: string, version: number): Promise<Resource> {
    return this.guard({ action: 'E', subtype: 'verify', what: [`${type}/${id}/_history/${version}`] }, async () => {
      checkType(type);
      await this.authorize('verify', type);
      const row = await this.deps.store.versionRow(type, id, version);
      if (!row) throw notFound(`${type}/${id}/_history/${version}`);
      await this.deps.store.checkLeaf(row);
      const proof = await proofOf(row, this.deps.store, await this.deps.anchorer.anchorCovering(row.leaf_index), this.deps.ledger);
      await this.audited({ action: 'E', subtype: 'verify', what: [`${type}/${id}/_history/${version}`] });
      return proof;
    });
  }

  /** Provenance of a resource (or one version), derived from its record-log entries. */
  provenance(target: string, query: string): Promise<Resource[]> {
    return this.guard({ action: 'R', subtype: 'search-type', query }, async () => {
      await this.authorize('provenance');
      const m = /^([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/(\d+))?$/.exec(target);
      if (!m) throw invalid('Provenance search needs target=Type/id');
      const rows = (await this.deps.store.history(m[1]!, m[2]!)).filter((r) => !m[3] || r.version === Number(m[3]));
      await this.audited({ action: 'R', subtype: 'search-type', patientId: await this.deps.store.patientOf(m[1]!, m[2]!), query });
      return rows.map((r) => provenanceOf(r, this.deps.org));
    });
  }

  // --- writes ---------------------------------------------------------------------------------------

  /**
   * Create; with `ifNoneExist` (the query of an `If-None-Exist` header) a conditional create: no
   * match creates, one match returns it unchanged (`outcome: 'existing'`), several are a 412. The
   * search runs in the write transaction, so two concurrent conditional creates cannot both create.
   */
  create(resource: Resource, ifNoneExist?: string): Promise<ConditionalWrite> {
    return this.guard({ action: 'C', subtype: 'create', what: [resource.resourceType] }, async () => {
      checkType(resource.resourceType);
      await this.authorize('write', resource.resourceType);
      validate(resource);
      const condition = ifNoneExist === undefined ? undefined : this.conditionOf(resource.resourceType, ifNoneExist, 'If-None-Exist');
      return this.deps.queue.run((tx) => this.createIn(tx, resource, undefined, condition));
    });
  }

  /**
   * Conditional update (`PUT Type?query`): no match creates (with the body's id, if any), one match
   * is updated, several are a 412 (R4 http.html#cond-update).
   */
  conditionalUpdate(type: string, query: string, resource: Resource): Promise<WriteResult> {
    return this.guard({ action: 'U', subtype: 'update', what: [type], query }, async () => {
      checkType(type);
      await this.authorize('write', type);
      if (resource.resourceType !== type) throw invalid(`resourceType ${resource.resourceType} does not match the URL (${type})`, ['resourceType']);
      validate(resource);
      const condition = this.conditionOf(type, query, 'the conditional update');
      return this.deps.queue.run((tx) => this.conditionalUpdateIn(tx, resource, condition));
    });
  }

  /** Conditional delete (`DELETE Type?query`): every match, at most MAX_CONDITIONAL_DELETES (else 412). */
  conditionalDelete(type: string, query: string): Promise<WriteResult[]> {
    return this.guard({ action: 'D', subtype: 'delete', what: [type], query }, async () => {
      checkType(type);
      await this.authorize('write', type);
      const condition = this.conditionOf(type, query, 'the conditional delete');
      return this.deps.queue.run((tx) => this.conditionalDeleteIn(tx, condition));
    });
  }

  /** JSON Patch (RFC 6902) of the current version, validated and stored as a new version. */
  patch(type: string, id: string, operations: unknown, ifMatch?: number): Promise<WriteResult> {
    return this.guard({ action: 'U', subtype: 'patch', patientId: type === 'Patient' ? id : undefined, what: [`${type}/${id}`] }, async () => {
      checkType(type);
      await this.authorize('write', type);
      return this.deps.queue.run(async (tx) => {
        const cur = await this.deps.store.read(type, id, tx);
        const version = Number(cur.meta?.versionId);
        if (ifMatch !== undefined && ifMatch !== version) {
          throw new DomainError('precondition-failed', `version conflict: If-Match ${ifMatch} but ${type}/${id} is at version ${version}`, { code: 'conflict' });
        }
        const next = applyJsonPatch(cur, operations);
        if (next.resourceType !== type || next.id !== id) throw invalid('a patch may not change resourceType or id');
        validate(next);
        const r = await this.deps.store.update(tx, type, id, next, this.caller.agent, version);
        await this.auditWrite(tx, r, 'update', 'patch');
        return r;
      });
    });
  }

  update(type: string, id: string, resource: Resource, ifMatch?: number): Promise<WriteResult> {
    return this.guard({ action: 'U', subtype: 'update', patientId: type === 'Patient' ? id : undefined, what: [`${type}/${id}`] }, async () => {
      checkType(type);
      await this.authorize('write', type);
      validate(resource);
      return this.deps.queue.run((tx) => this.updateIn(tx, type, id, resource, ifMatch));
    });
  }

  delete(type: string, id: string): Promise<WriteResult | null> {
    return this.guard({ action: 'D', subtype: 'delete', what: [`${type}/${id}`] }, async () => {
      checkType(type);
      await this.authorize('write', type);
      const patientId = await this.deps.store.patientOf(type, id);
      return this.deps.queue.run((tx) => this.deleteIn(tx, type, id, patientId));
    });
  }

  /** GDPR erasure by crypto-shredding (privacy officers). */
  erase(patientId: string): Promise<ErasureResult> {
    return this.guard({ action: 'D', subtype: 'erase', patientId, what: [`Patient/${patientId}`] }, async () => {
      await this.authorize('erase', 'Patient');
      if (!(await this.deps.store.currentVersion('Patient', patientId))) throw notFound(`Patient/${patientId}`);
      return this.deps.queue.run(async (tx) => {
        const r = await erasePatient(tx, this.deps.store, patientId, this.caller.agent);
        await this.deps.identities?.forget(tx, patientId);
        await this.deps.audit.append(tx, this.caller, { action: 'D', subtype: 'erase', outcome: '0', patientId, what: [`Patient/${patientId}`] });
        return r;
      });
    });
  }

  /** May the caller submit Bundles? (Each entry is authorized and audited on its own too.) */
  async authorizeBundle(bundle: Bundle): Promise<void> {
    await this.guard({ action: 'E', subtype: bundle.type === 'batch' ? 'batch' : 'transaction' }, () => this.authorize('bundle'));
  }

  /** How many entries a Bundle may have. */
  get maxBundleEntries(): number {
    return this.deps.limits.maxBundleEntries;
  }

  /** Runs `fn` as one transaction of the write queue (a transaction Bundle). */
  inTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.deps.queue.run(fn);
  }

  // --- the same writes inside a caller's transaction (Bundles) --------------------------------------

  async createIn(tx: Tx, resource: Resource, id?: string, ifNoneExist?: ParsedSearch): Promise<ConditionalWrite> {
    if (ifNoneExist) {
      const existing = await this.matchesIn(tx, ifNoneExist, 2);
      if (existing.length > 1) throw new DomainError('precondition-failed', `If-None-Exist matches more than one ${resource.resourceType}`, { code: 'duplicate' });
      if (existing.length === 1) {
        const found = existing[0]!;
        await this.auditPerPatient([found], { action: 'R', subtype: 'read' }, versionRef, tx);
        return { resource: found, type: found.resourceType, id: found.id!, version: Number(found.meta?.versionId), lastUpdated: String(found.meta?.lastUpdated), created: false, leafIndex: -1, outcome: 'existing' };
      }
    }
    const r = await this.deps.store.create(tx, resource, this.caller.agent, id);
    await this.auditWrite(tx, r, 'create');
    return r;
  }

  async updateIn(tx: Tx, type: string, id: string, resource: Resource, ifMatch?: number): Promise<WriteResult> {
    const r = await this.deps.store.update(tx, type, id, resource, this.caller.agent, ifMatch);
    if (!r.unchanged) await this.auditWrite(tx, r, 'update');
    return r;
  }

  async conditionalUpdateIn(tx: Tx, resource: Resource, condition: ParsedSearch): Promise<WriteResult> {
    const found = await this.matchesIn(tx, condition, 2);
    if (found.length > 1) throw new DomainError('precondition-failed', `the conditional update matches more than one ${condition.resourceType}`, { code: 'multiple-matches' });
    const target = found[0];
    if (target && resource.id !== undefined && resource.id !== target.id) {
      throw invalid(`the body's id ${resource.id} is not the id of the resource the condition matched (${target.id})`, [`${resource.resourceType}.id`]);
    }
    if (!target && resource.id !== undefined && (await this.deps.store.currentVersion(resource.resourceType, resource.id, tx))) {
      throw new DomainError('precondition-failed', `${resource.resourceType}/${resource.id} exists but does not match the condition`, { code: 'conflict' });
    }
    const id = target?.id ?? resource.id;
    if (id === undefined) return this.createIn(tx, resource);
    return this.updateIn(tx, resource.resourceType, id, { ...resource, id });
  }

  async conditionalDeleteIn(tx: Tx, condition: ParsedSearch): Promise<WriteResult[]> {
    const found = await this.matchesIn(tx, condition, MAX_CONDITIONAL_DELETES + 1);
    if (found.length > MAX_CONDITIONAL_DELETES) {
      throw new DomainError('precondition-failed', `the conditional delete matches more than ${MAX_CONDITIONAL_DELETES} resources; narrow it`, { code: 'too-costly' });
    }
    const out: WriteResult[] = [];
    for (const r of found) {
      const d = await this.deleteIn(tx, r.resourceType, r.id!, patientsOf(r)[0]);
      if (d) out.push(d);
    }
    return out;
  }

  async deleteIn(tx: Tx, type: string, id: string, patientId?: string): Promise<WriteResult | null> {
    const r = await this.deps.store.delete(tx, type, id, this.caller.agent);
    if (r) await this.deps.audit.append(tx, this.caller, { action: 'D', subtype: 'delete', outcome: '0', patientId, what: [`${type}/${id}/_history/${r.version}`] });
    return r;
  }

  async readIn(tx: Tx, type: string, id: string): Promise<Resource> {
    const resource = await this.deps.store.read(type, id, tx);
    await this.auditPerPatient([resource], { action: 'R', subtype: 'read' }, versionRef, tx);
    return resource;
  }

  /** The id of the one resource matching a query (a Bundle's conditional create), undefined if none, 412 if several. */
  async findOne(type: string, query: string): Promise<string | undefined> {
    checkType(type);
    await this.authorize('search', type);
    const found = await this.matchesIn(this.deps.storage, this.conditionOf(type, query, 'ifNoneExist'), 2);
    if (found.length > 1) throw new DomainError('precondition-failed', `ifNoneExist ${query} matches more than one ${type}`, { code: 'duplicate' });
    return found[0]?.id;
  }

  /** Parses a conditional interaction's query (strict: an unknown parameter is a 400, never "match all"). */
  conditionOf(type: string, query: string, what: string): ParsedSearch {
    const params = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
    const parsed = parseRequest(type, params);
    if (parsed.criteria.length === 0) throw invalid(`${what} needs at least one search criterion (got "${query}")`);
    return parsed;
  }

  /** The resources matching a condition, inside the write transaction (at most `limit`). */
  private async matchesIn(sql: Sql, condition: ParsedSearch, limit: number): Promise<Resource[]> {
    const page = await this.deps.search.search(sql, { ...condition, count: limit, offset: 0, include: [], revinclude: [], sort: [], total: 'none' });
    return page.matches.map((m) => m.resource!);
  }

  /** The patient a stored resource belongs to (for auditing a delete). */
  patientOf(type: string, id: string): Promise<string | undefined> {
    return this.deps.store.patientOf(type, id);
  }

  /** Authorizes one Bundle entry's interaction (the Bundle as a whole was authorized already). */
  async authorizeEntry(interaction: 'read' | 'write', type: string): Promise<void> {
    await this.authorize(interaction, type);
  }

  // --- internals ------------------------------------------------------------------------------------

  private async auditWrite(tx: Tx, r: WriteResult, op: 'create' | 'update', subtype?: string): Promise<void> {
    const resource = r.resource!;
    const patients = patientsOf(resource);
    const patientId = patients[0];
    for (const p of patients.length ? patients : [undefined]) {
      await this.deps.audit.append(tx, this.caller, {
        action: r.created ? 'C' : 'U',
        subtype: subtype ?? (r.created && op === 'create' ? 'create' : 'update'),
        outcome: '0',
        patientId: p,
        what: [`${r.type}/${r.id}/_history/${r.version}`],
      });
    }
    if (resource.resourceType === 'Encounter' && patientId) {
      for (const p of (resource.participant as { individual?: { reference?: string } }[] | undefined) ?? []) {
        if (p.individual?.reference) await this.deps.audit.log.noteCareRelationship(tx, patientId, p.individual.reference);
      }
    }
  }

  private licenceProblem(): Promise<string | undefined> {
    const p = this.caller.principal;
    if (p.kind !== 'user' || !p.roles.includes('clinician') || p.roles.includes('admin')) return Promise.resolve(undefined);
    this.licence ??= this.deps.standing.problem(p);
    return this.licence;
  }

  private async decision(interaction: FhirInteraction, type?: string) {
    return decideFhir(this.caller.principal, interaction, type, await this.licenceProblem());
  }

  private async authorize(interaction: FhirInteraction, type?: string): Promise<void> {
    const d = await this.decision(interaction, type);
    if (!d.allow) throw forbidden(d.reason);
    const view = interaction === 'write' && type ? FEATURE_VIEWS[type] : undefined;
    if (view) throw new DomainError('not-supported', `${type} is not written through the record store: ${view.reason}`);
  }

  private audited(facts: Omit<AuditFacts, 'outcome'>): Promise<number> {
    return this.deps.audit.record(this.caller, { outcome: '0', ...facts });
  }

  /**
   * One audit entry per patient whose data `resources` hold (every compartment each is in), naming
   * that patient's resources; one entry without a patient when none is. In `tx` when given.
   */
  private async auditPerPatient(
    resources: Resource[],
    facts: Omit<AuditFacts, 'outcome' | 'patientId' | 'what'>,
    ref: (r: Resource) => string = (r) => `${r.resourceType}/${r.id}`,
    tx?: Tx,
  ): Promise<void> {
    const byPatient = new Map<string | undefined, string[]>();
    for (const r of resources) {
      const ps = patientsOf(r);
      for (const p of ps.length ? ps : [undefined]) (byPatient.get(p) ?? byPatient.set(p, []).get(p)!).push(ref(r));
    }
    const patients = [...byPatient.keys()].filter((p): p is string => !!p);
    const entries = patients.length === 0 ? [{ ...facts, what: byPatient.get(undefined) ?? [] }] : patients.map((p) => ({ ...facts, patientId: p, what: byPatient.get(p)! }));
    if (tx) for (const e of entries) await this.deps.audit.append(tx, this.caller, { outcome: '0', ...e });
    else await Promise.all(entries.map((e) => this.audited(e)));
  }

  /** One entry per patient in `patients` (none when empty). */
  private async auditPatients(patients: string[], facts: Omit<AuditFacts, 'outcome' | 'patientId'>): Promise<void> {
    await Promise.all(patients.map((p) => this.audited({ ...facts, patientId: p })));
  }

  private async decryptVersions(rows: VersionRow[]): Promise<HistoryEntry[]> {
    return Promise.all(rows.map(async (row) => ({ row, ...(row.op !== 'delete' && !row.erased ? { resource: await this.deps.store.decrypt(row) } : {}) })));
  }

  /**
   * Runs an operation; if it fails, the failure (a denial, a bad request, a missing resource, a fault)
   * is audited as the caller's, and the error marked audited so no surface records it twice.
   */
  private async guard<T>(facts: FailureFacts, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const e = err instanceof DomainError ? err : new DomainError('internal', 'internal error', { cause: err });
      if (!e.audited) {
        const serious = e.kind === 'internal' || e.kind === 'integrity' || e.kind === 'storage-full' || e.kind === 'unavailable';
        await this.deps.audit
          .record(this.caller, { ...facts, outcome: serious ? '8' : '4', outcomeDesc: `${e.kind}: ${e.message}`.slice(0, 500) })
          .catch(() => {});
        e.audited = true;
      }
      throw e;
    }
  }
}

const versionRef = (r: Resource) => `${r.resourceType}/${r.id}/_history/${r.meta!.versionId}`;

/** The other resource types a search reads: chain targets, `_has` sources, reverse-included types (forward includes are checked per resource). */
function typesReached(p: ParsedSearch): Set<string> {
  const out = new Set<string>();
  for (const c of p.criteria) {
    if (c.kind === 'chain') out.add(c.targetType);
    if (c.kind === 'has') out.add(c.sourceType);
  }
  for (const i of p.revinclude) out.add(i.sourceType);
  out.delete(p.resourceType);
  return out;
}
