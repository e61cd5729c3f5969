/**
 * The FHIR repository bound to one caller (like Medplum's per-request repository): every operation
 * checks the caller's access (role policy, licence) and writes its own audit entry, for successes,
 * denials and failures alike. Handlers never build audit inputs; they cannot forget one.
 */
import type { AuditFacts } from '../audit/trail.ts';
import { patientIdOf } from '../fhir/search-params.ts';
import type { Bundle, Resource } from '../fhir/types.ts';
import { validate } from '../fhir/validation.ts';
import type { Caller } from '../identity/principal.ts';
import { DomainError, forbidden, invalid, notFound } from '../shared/errors.ts';
import type { Tx } from '../storage/engine.ts';
import { erasePatient, type ErasureResult } from './erasure.ts';
import { decideFhir, type FhirInteraction } from './policy.ts';
import { proofOf } from './proof.ts';
import { provenanceOf } from './provenance.ts';
import { compartment, search, type SearchQuery } from './search.ts';
import type { RecordServiceDeps } from './service.ts';
import { checkType, type VersionRow, type WriteResult } from './store.ts';

export interface SearchResult extends SearchQuery {
  resources: Resource[];
}

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
      await this.audited({ action: 'R', subtype: 'read', patientId: patientIdOf(resource), what: [versionRef(resource)] });
      return resource;
    });
  }

  vread(type: string, id: string, version: number): Promise<Resource> {
    return this.guard({ action: 'R', subtype: 'vread', what: [`${type}/${id}/_history/${version}`] }, async () => {
      await this.authorize('read', type);
      const resource = await this.deps.store.vread(type, id, version);
      await this.audited({ action: 'R', subtype: 'vread', patientId: patientIdOf(resource), what: [versionRef(resource)] });
      return resource;
    });
  }

  /** A search; one audit entry per patient whose data it returned, so each patient sees the access. */
  search(type: string, params: URLSearchParams, query: string): Promise<SearchResult> {
    return this.guard({ action: 'R', subtype: 'search-type', query }, async () => {
      checkType(type);
      await this.authorize('search', type);
      const result = await search(this.deps.storage, this.deps.store, type, params);
      const resources = await Promise.all(result.ids.map((r) => this.deps.store.read(r.type, r.id)));
      await this.auditPerPatient(resources, { action: 'R', subtype: 'search-type', query });
      return { ...result, resources };
    });
  }

  history(type: string, id: string): Promise<{ row: VersionRow; resource?: Resource }[]> {
    return this.guard({ action: 'R', subtype: 'history-instance', what: [`${type}/${id}`] }, async () => {
      await this.authorize('read', type);
      const rows = await this.deps.store.history(type, id);
      const out = await Promise.all(rows.map(async (row) => ({ row, resource: row.op !== 'delete' && !row.erased ? await this.deps.store.decrypt(row) : undefined })));
      await this.audited({ action: 'R', subtype: 'history-instance', patientId: await this.deps.store.patientOf(type, id), what: [`${type}/${id}`] });
      return out;
    });
  }

  /** Patient/$everything: the patient's whole compartment. */
  everything(patientId: string): Promise<Resource[]> {
    return this.guard({ action: 'E', subtype: 'everything', patientId }, async () => {
      await this.authorize('everything', 'Patient');
      await this.deps.store.read('Patient', patientId); // 404/410 when the patient is unknown, deleted or erased
      const refs = await compartment(this.deps.storage, this.deps.store, patientId);
      const resources = await Promise.all(refs.map((r) => this.deps.store.read(r.type, r.id)));
      await this.audited({ action: 'E', subtype: 'everything', patientId, what: resources.map((r) => `${r.resourceType}/${r.id}`) });
      return resources;
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

  create(resource: Resource): Promise<WriteResult> {
    return this.guard({ action: 'C', subtype: 'create', what: [resource.resourceType] }, async () => {
      checkType(resource.resourceType);
      await this.authorize('write', resource.resourceType);
      validate(resource);
      return this.deps.queue.run((tx) => this.createIn(tx, resource));
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

  async createIn(tx: Tx, resource: Resource, id?: string): Promise<WriteResult> {
    const r = await this.deps.store.create(tx, resource, this.caller.agent, id);
    await this.auditWrite(tx, r, 'create');
    return r;
  }

  async updateIn(tx: Tx, type: string, id: string, resource: Resource, ifMatch?: number): Promise<WriteResult> {
    const r = await this.deps.store.update(tx, type, id, resource, this.caller.agent, ifMatch);
    await this.auditWrite(tx, r, 'update');
    return r;
  }

  async deleteIn(tx: Tx, type: string, id: string, patientId?: string): Promise<WriteResult | null> {
    const r = await this.deps.store.delete(tx, type, id, this.caller.agent);
    if (r) await this.deps.audit.append(tx, this.caller, { action: 'D', subtype: 'delete', outcome: '0', patientId, what: [`${type}/${id}/_history/${r.version}`] });
    return r;
  }

  async readIn(tx: Tx, type: string, id: string): Promise<Resource> {
    const resource = await this.deps.store.read(type, id, tx);
    await this.deps.audit.append(tx, this.caller, { action: 'R', subtype: 'read', outcome: '0', patientId: patientIdOf(resource), what: [versionRef(resource)] });
    return resource;
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

  private async auditWrite(tx: Tx, r: WriteResult, op: 'create' | 'update'): Promise<void> {
    const resource = r.resource!;
    const patientId = patientIdOf(resource);
    await this.deps.audit.append(tx, this.caller, {
      action: r.created ? 'C' : 'U',
      subtype: r.created && op === 'create' ? 'create' : 'update',
      outcome: '0',
      patientId,
      what: [`${r.type}/${r.id}/_history/${r.version}`],
    });
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

  private async authorize(interaction: FhirInteraction, type?: string): Promise<void> {
    const d = decideFhir(this.caller.principal, interaction, type, await this.licenceProblem());
    if (!d.allow) throw forbidden(d.reason);
  }

  private audited(facts: Omit<AuditFacts, 'outcome'>): Promise<number> {
    return this.deps.audit.record(this.caller, { outcome: '0', ...facts });
  }

  private async auditPerPatient(resources: Resource[], facts: Omit<AuditFacts, 'outcome' | 'patientId' | 'what'>): Promise<void> {
    const byPatient = new Map<string | undefined, string[]>();
    for (const r of resources) {
      const p = patientIdOf(r);
      (byPatient.get(p) ?? byPatient.set(p, []).get(p)!).push(`${r.resourceType}/${r.id}`);
    }
    const patients = [...byPatient.keys()].filter((p): p is string => !!p);
    if (patients.length === 0) return void (await this.audited({ ...facts, what: byPatient.get(undefined) ?? [] }));
    await Promise.all(patients.map((p) => this.audited({ ...facts, patientId: p, what: byPatient.get(p)! })));
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
