/**
 * FHIR R4 REST API at /fhir: CRUD with versioning (ETag / If-Match), history, search, Bundles,
 * Patient/$everything, $erase, virtual Provenance, and $verify (inclusion proof to an anchored root).
 * Every error is an OperationOutcome with a 4xx/5xx status.
 */
import { expensive } from '../node/rate-limits.ts';
import { storageFailure } from '../db/storage-errors.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bytesToHex } from 'viem';
import type { NodeContext } from '../node/context.ts';
import { AuthError, authenticate, type Principal } from '../auth/principal.ts';
import { authorizeFhir } from '../auth/policy.ts';
import { isSupportedType } from '../records/search-params.ts';
import { compartment, search } from '../records/search.ts';
import { IntegrityError, type VersionRow, type WriteResult } from '../records/store.ts';
import type { Actor, RecordService } from '../records/service.ts';
import type { ConsentService } from '../consent/service.ts';
import { identityOf } from '../consent/identity.ts';
import { LicenceCache } from '../credentials/licence-cache.ts';
import { verifyCredential } from '../credentials/store.ts';
import type { AuditAction } from '../audit/audit-log.ts';
import { patientIdOf } from '../records/search-params.ts';
import { processBatch, processTransaction } from './bundle.ts';
import { capabilityStatement } from './capability.ts';
import { FhirError, fhirError, invalid, notFound, outcome } from './outcome.ts';
import { ID_PATTERN, type Bundle, type Resource } from './types.ts';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';
/** Bundles (e.g. a patient's history from Synthea) may be large; single resources may not. */
export const BUNDLE_BODY_LIMIT = 64 * 1024 * 1024;

function sendResource(reply: FastifyReply, status: number, body: unknown) {
  return reply.code(status).type(FHIR_JSON).send(body);
}

function withVersionHeaders(reply: FastifyReply, r: { type: string; id: string; version: number; lastUpdated: string }) {
  return reply.header('etag', `W/"${r.version}"`).header('last-modified', new Date(r.lastUpdated).toUTCString());
}

function typeOf(params: unknown): string {
  const type = (params as { type: string }).type;
  if (!isSupportedType(type)) throw fhirError(404, 'not-supported', `resource type ${type} is not supported by this server`);
  return type;
}

function idOf(params: unknown): string {
  const id = (params as { id: string }).id;
  if (!ID_PATTERN.test(id)) throw invalid(`invalid id "${id}"`);
  return id;
}

function bodyResource(req: FastifyRequest): Resource {
  const body = req.body as Resource | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body) || typeof body.resourceType !== 'string') {
    throw invalid('the request body must be a FHIR resource (a JSON object with resourceType)');
  }
  return body;
}

function parseIfMatch(req: FastifyRequest): number | undefined {
  const h = req.headers['if-match'];
  if (h === undefined) return undefined;
  const m = /^(?:W\/)?"(\d+)"$/.exec(String(h));
  if (!m) throw invalid(`If-Match must be a version ETag like W/"3", got ${h}`);
  return Number(m[1]);
}

/**
 * Who is acting: until user login lands, the operator of this organization. The purpose of use is
 * taken from the X-Purpose-Of-Use header (HL7 v3 PurposeOfUse code), HOPERAT by default.
 */
function actor(req: FastifyRequest, ctx: NodeContext): Actor {
  const purpose = String(req.headers['x-purpose-of-use'] ?? 'HOPERAT');
  const agent = req.principal?.agent ?? `Organization/${ctx.config.org}`;
  return { agent, network: req.ip, purpose: /^[A-Z]{2,12}$/.test(purpose) ? purpose : 'HOPERAT' };
}

const principalOf = (req: FastifyRequest): Principal => req.principal!;

const ACTION_OF_METHOD: Record<string, AuditAction> = { GET: 'R', POST: 'C', PUT: 'U', DELETE: 'D' };

export function fhirRoutes(app: FastifyInstance, ctx: NodeContext, records: RecordService, consent: ConsentService) {
  const licences = new LicenceCache(ctx);
  app.register(
    async (fhir) => {
      // No parser-wide limit: single resources get the server's limit, Bundles (POST /fhir) their own.
      fhir.addContentTypeParser(['application/fhir+json', 'application/json'], { parseAs: 'string' }, (_req, body, done) => {
        try {
          done(null, JSON.parse(body as string));
        } catch (err) {
          done(invalid(`malformed JSON: ${(err as Error).message}`), undefined);
        }
      });
      // Failed and denied requests are audited too (best effort: the failure is what is reported).
      const auditFailure = async (req: FastifyRequest, status: number, desc: string) => {
        const params = (req.params ?? {}) as { type?: string; id?: string };
        await records
          .audited(actor(req, ctx), {
            action: ACTION_OF_METHOD[req.method] ?? 'E',
            subtype: req.method === 'GET' ? (params.id ? 'read' : 'search-type') : req.method === 'POST' ? 'create' : req.method === 'PUT' ? 'update' : 'delete',
            outcome: status >= 500 ? '8' : '4',
            outcomeDesc: `${status} ${desc}`.slice(0, 500),
            patientId: params.type === 'Patient' ? params.id : undefined,
            what: params.type && params.id ? [`${params.type}/${params.id}`] : undefined,
            query: req.method === 'GET' && !params.id ? req.url : undefined,
          })
          .catch((e: unknown) => req.log.error({ err: e }, 'could not audit a failed request'));
      };
      fhir.setErrorHandler(async (err: Error & { statusCode?: number; code?: string }, req, reply) => {
        if (err instanceof FhirError) {
          await auditFailure(req, err.status, err.message);
          return sendResource(reply, err.status, err.outcome);
        }
        await auditFailure(req, err instanceof IntegrityError ? 500 : (err.statusCode ?? 500), err.message);
        if (err instanceof IntegrityError) {
          req.log.error({ problem: err.message }, 'integrity check failed');
          return sendResource(reply, 500, outcome('exception', `integrity check failed: ${err.message}`));
        }
        const storage = storageFailure(err);
        if (storage) {
          req.log.error({ err }, 'storage failure');
          return sendResource(reply, storage.status, outcome('transient', storage.message));
        }
        if (err.statusCode && err.statusCode < 500) {
          const code = err.statusCode === 413 ? 'too-costly' : err.statusCode === 415 ? 'not-supported' : 'invalid';
          return sendResource(reply, err.statusCode, outcome(code, err.message));
        }
        req.log.error({ err }, 'FHIR request failed');
        return sendResource(reply, 500, outcome('exception', 'internal error'));
      });
      fhir.setNotFoundHandler((req, reply) => sendResource(reply, 404, outcome('not-found', `no FHIR interaction ${req.method} ${req.url.split('?')[0]}`)));

      fhir.get('/metadata', async (req, reply) => sendResource(reply, 200, capabilityStatement(`${req.protocol}://${req.host}/fhir`, ctx.config.org)));

      // Until user login lands, the FHIR API is for the organization's operator (admin token).
      fhir.addHook('onRequest', async (req, reply) => {
        if (req.url.split('?')[0] === '/fhir/metadata') return;
        let problem: string | undefined;
        try {
          req.principal = await authenticate(ctx, ctx.db, req);
          const p = req.principal;
          if (p.kind === 'user' && p.roles.includes('clinician') && !p.roles.includes('admin')) {
            p.licenceProblem = p.practitioner ? (await licences.problem(p.practitioner)) ?? undefined : 'a clinician account must act as a Practitioner';
          }
        } catch (err) {
          if (!(err instanceof AuthError)) throw err;
          problem = err.message;
        }
        if (problem) {
          // A failed login is audited: who tried (unknown), from where, what.
          await records
            .audited({ agent: 'Device/unauthenticated', network: req.ip }, { action: 'E', subtype: 'login', outcome: '4', outcomeDesc: `${problem}: ${req.method} ${req.url.split('?')[0]}` })
            .catch(() => {});
          return reply.code(401).header('www-authenticate', 'Bearer').type(FHIR_JSON).send(outcome('login', problem));
        }
      });

      fhir.post('/', { bodyLimit: BUNDLE_BODY_LIMIT, ...expensive(ctx) }, async (req, reply) => {
        authorizeFhir(principalOf(req), 'bundle');
        const bundle = bodyResource(req) as Bundle;
        if (bundle.resourceType !== 'Bundle') throw invalid('POST /fhir takes a Bundle of type transaction or batch', ['resourceType']);
        if (bundle.type === 'transaction') return sendResource(reply, 200, await processTransaction(records, bundle, actor(req, ctx)));
        if (bundle.type === 'batch') return sendResource(reply, 200, await processBatch(records, bundle, actor(req, ctx)));
        throw invalid(`Bundle.type must be transaction or batch, got ${bundle.type}`, ['Bundle.type']);
      });

      fhir.get('/Provenance', async (req, reply) => {
        authorizeFhir(principalOf(req), 'provenance');
        const target = new URLSearchParams(req.url.split('?')[1] ?? '').get('target');
        const m = target ? /^([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/(\d+))?$/.exec(target) : null;
        if (!m) throw invalid('Provenance search needs target=Type/id');
        const rows = records.store.history(m[1]!, m[2]!).filter((r) => !m[3] || r.version === Number(m[3]));
        await records.audited(actor(req, ctx), { action: 'R', subtype: 'search-type', outcome: '0', patientId: records.patientOf(m[1]!, m[2]!), query: req.url });
        return sendResource(reply, 200, searchset(rows.map((r) => provenanceOf(r, ctx)), rows.length));
      });

      // Grants on the ledger, as FHIR Consent (read-only: consent changes are patient-signed).
      fhir.get('/Consent', async (req, reply) => {
        const params = new URLSearchParams(req.url.split('?')[1] ?? '');
        const patient = /^(?:Patient\/)?([A-Za-z0-9\-.]{1,64})$/.exec(params.get('patient') ?? '')?.[1];
        if (!patient || [...params.keys()].some((k) => k !== 'patient')) throw invalid('Consent search takes patient=Patient/id');
        // A patient (or proxy) sees their own consents; staff and privacy officers anyone's.
        if (principalOf(req).kind === 'patient') {
          const identity = identityOf(ctx.db, patient);
          if (!identity || !principalOf(req).addresses!.includes(identity.address)) throw fhirError(403, 'forbidden', 'a patient may read only their own consents');
        } else authorizeFhir(principalOf(req), 'consent');
        const consents = consent.consentsOfPatient(patient);
        await records.audited(actor(req, ctx), { action: 'R', subtype: 'search-type', outcome: '0', patientId: patient, query: req.url });
        return sendResource(reply, 200, searchset(consents, consents.length));
      });
      fhir.get('/Consent/:id', async (req, reply) => {
        authorizeFhir(principalOf(req), 'consent');
        const c = consent.consentById((req.params as { id: string }).id);
        if (!c) throw notFound(`Consent/${(req.params as { id: string }).id}`);
        const patientRef = (c.patient as { reference?: string } | undefined)?.reference;
        await records.audited(actor(req, ctx), { action: 'R', subtype: 'read', outcome: '0', patientId: patientRef?.slice(8), what: [`Consent/${c.id}`] });
        return sendResource(reply, 200, c);
      });

      // The practitioner directory as FHIR PractitionerRole, each with its credential's verification
      // state now (virtual: derived from the presented credentials and the indexed ledger).
      fhir.get('/PractitionerRole', async (req, reply) => {
        authorizeFhir(principalOf(req), 'read', 'Practitioner');
        const params = new URLSearchParams(req.url.split('?')[1] ?? '');
        if ([...params.keys()].some((k) => k !== 'practitioner')) throw invalid('PractitionerRole search takes practitioner=Practitioner/id');
        const only = params.get('practitioner');
        const rows = ctx.db.prepare('SELECT practitioner, type, jws FROM practitioner_credentials WHERE (@p IS NULL OR practitioner = @p) ORDER BY practitioner').all({ p: only }) as { practitioner: string; type: string; jws: string }[];
        const roles: Resource[] = [];
        for (const r of rows) {
          const v = await verifyCredential(ctx.db, r.jws, ctx.indexer.indexedBlock);
          const c = v.claims!;
          roles.push({
            resourceType: 'PractitionerRole',
            id: c.credentialStatus.id.slice(2, 66),
            active: v.valid,
            period: { start: c.validFrom, end: c.validUntil },
            practitioner: { reference: r.practitioner, display: c.credentialSubject.name },
            organization: { display: ctx.config.org },
            code: [{ coding: [{ system: 'urn:carechain:credential-type', code: r.type }], text: `${r.type} ${c.credentialSubject.credential.jurisdiction} ${c.credentialSubject.credential.number}` }],
            ...(c.credentialSubject.credential.specialty ? { specialty: [{ text: c.credentialSubject.credential.specialty }] } : {}),
            extension: [
              {
                url: 'urn:carechain:credential-verification',
                extension: [
                  { url: 'valid', valueBoolean: v.valid },
                  { url: 'status', valueCode: v.status ?? 'unknown' },
                  { url: 'issuer', valueString: v.issuer?.name ?? c.issuer },
                  { url: 'indexedBlock', valueInteger: v.indexedBlock },
                  ...v.problems.map((p) => ({ url: 'problem', valueString: p })),
                ],
              },
            ],
          });
        }
        return sendResource(reply, 200, searchset(roles, roles.length));
      });

      fhir.get('/:type', async (req, reply) => {
        const type = typeOf(req.params);
        authorizeFhir(principalOf(req), 'search', type);
        const params = new URLSearchParams(req.url.split('?')[1] ?? '');
        const result = search(ctx.db, records.store, type as never, params);
        const resources = result.ids.map((r) => records.store.read(r.type, r.id));
        const patients = new Set(resources.map((r) => patientIdOf(r)).filter((p): p is string => !!p));
        // One entry per patient whose data the search returned, so each patient sees the access.
        const entries = patients.size ? [...patients].map((p) => ({ patientId: p, what: resources.filter((r) => patientIdOf(r) === p).map((r) => `${r.resourceType}/${r.id}`) })) : [{ patientId: undefined, what: [] }];
        for (const e of entries) await records.audited(actor(req, ctx), { action: 'R', subtype: 'search-type', outcome: '0', patientId: e.patientId, what: e.what, query: req.url });
        const bundle = searchset(resources, result.total);
        const base = `${req.protocol}://${req.host}/fhir/${type}`;
        const qs = (offset: number) => {
          const p = new URLSearchParams(params);
          p.set('_count', String(result.count));
          p.set('_offset', String(offset));
          return `${base}?${p}`;
        };
        bundle.link = [{ relation: 'self', url: qs(result.offset) }];
        if (result.offset + result.count < result.total) bundle.link.push({ relation: 'next', url: qs(result.offset + result.count) });
        return sendResource(reply, 200, bundle);
      });

      fhir.post('/:type', async (req, reply) => {
        const type = typeOf(req.params);
        authorizeFhir(principalOf(req), 'write', type);
        const resource = bodyResource(req);
        if (resource.resourceType !== type) throw invalid(`resourceType ${resource.resourceType} does not match the URL (${type})`, ['resourceType']);
        const r = await records.create(resource, actor(req, ctx));
        withVersionHeaders(reply, r).header('location', `${req.protocol}://${req.host}/fhir/${r.type}/${r.id}/_history/${r.version}`);
        return sendResource(reply, 201, r.resource);
      });

      fhir.get('/:type/:id', async (req, reply) => {
        authorizeFhir(principalOf(req), 'read', typeOf(req.params));
        const resource = records.store.read(typeOf(req.params), idOf(req.params));
        await records.audited(actor(req, ctx), { action: 'R', subtype: 'read', outcome: '0', patientId: patientIdOf(resource), what: [`${resource.resourceType}/${resource.id}/_history/${resource.meta!.versionId}`] });
        withVersionHeaders(reply, { type: resource.resourceType, id: resource.id!, version: Number(resource.meta!.versionId), lastUpdated: String(resource.meta!.lastUpdated) });
        return sendResource(reply, 200, resource);
      });

      fhir.put('/:type/:id', async (req, reply) => {
        const type = typeOf(req.params);
        authorizeFhir(principalOf(req), 'write', type);
        const id = idOf(req.params);
        const r: WriteResult = await records.update(type, id, bodyResource(req), actor(req, ctx), parseIfMatch(req));
        withVersionHeaders(reply, r);
        if (r.created) reply.header('location', `${req.protocol}://${req.host}/fhir/${type}/${id}/_history/${r.version}`);
        return sendResource(reply, r.created ? 201 : 200, r.resource);
      });

      fhir.delete('/:type/:id', async (req, reply) => {
        authorizeFhir(principalOf(req), 'write', typeOf(req.params));
        const r = await records.delete(typeOf(req.params), idOf(req.params), actor(req, ctx));
        if (r) withVersionHeaders(reply, r);
        return reply.code(204).send();
      });

      fhir.get('/:type/:id/_history', async (req, reply) => {
        authorizeFhir(principalOf(req), 'read', typeOf(req.params));
        const rows = records.store.history(typeOf(req.params), idOf(req.params));
        const { type: hType, id: hId } = req.params as { type: string; id: string };
        await records.audited(actor(req, ctx), { action: 'R', subtype: 'history-instance', outcome: '0', patientId: records.patientOf(hType, hId), what: [`${hType}/${hId}`] });
        const bundle: Bundle = {
          resourceType: 'Bundle',
          type: 'history',
          total: rows.length,
          entry: rows.map((r) => ({
            fullUrl: `${r.type}/${r.id}`,
            ...(r.op !== 'delete' && !r.erased ? { resource: records.store.decrypt(r) } : {}),
            request: { method: r.op === 'delete' ? 'DELETE' : r.version === 1 ? 'POST' : 'PUT', url: r.version === 1 ? r.type : `${r.type}/${r.id}` },
            response: { status: r.erased ? '410 Gone' : r.op === 'delete' ? '204 No Content' : r.version === 1 ? '201 Created' : '200 OK', etag: `W/"${r.version}"`, lastModified: r.last_updated },
          })),
        };
        return sendResource(reply, 200, bundle);
      });

      fhir.get('/:type/:id/_history/:vid', async (req, reply) => {
        authorizeFhir(principalOf(req), 'read', typeOf(req.params));
        const version = versionOf(req.params);
        const resource = records.store.vread(typeOf(req.params), idOf(req.params), version);
        await records.audited(actor(req, ctx), { action: 'R', subtype: 'vread', outcome: '0', patientId: patientIdOf(resource), what: [`${resource.resourceType}/${resource.id}/_history/${version}`] });
        withVersionHeaders(reply, { type: resource.resourceType, id: resource.id!, version, lastUpdated: String(resource.meta!.lastUpdated) });
        return sendResource(reply, 200, resource);
      });

      // Inclusion proof of a version's record-log leaf to the first anchored root that covers it.
      fhir.get('/:type/:id/_history/:vid/$verify', async (req, reply) => {
        const type = typeOf(req.params);
        authorizeFhir(principalOf(req), 'verify', type);
        const id = idOf(req.params);
        const version = versionOf(req.params);
        const row = records.store.versionRow(type, id, version);
        if (!row) throw notFound(`${type}/${id}/_history/${version}`);
        records.store.checkLeaf(row);
        await records.audited(actor(req, ctx), { action: 'E', subtype: 'verify', outcome: '0', what: [`${type}/${id}/_history/${version}`] });
        return sendResource(reply, 200, proofOf(row, records, ctx));
      });

      fhir.get('/Patient/:id/$everything', expensive(ctx), async (req, reply) => {
        authorizeFhir(principalOf(req), 'everything', 'Patient');
        const id = idOf(req.params);
        records.store.read('Patient', id); // 404/410 when the patient is unknown, deleted or erased
        const resources = compartment(ctx.db, records.store, id).map((r) => records.store.read(r.type, r.id));
        await records.audited(actor(req, ctx), { action: 'E', subtype: 'everything', outcome: '0', patientId: id, what: resources.map((r) => `${r.resourceType}/${r.id}`) });
        return sendResource(reply, 200, searchset(resources, resources.length));
      });

      fhir.post('/Patient/:id/$erase', async (req, reply) => {
        authorizeFhir(principalOf(req), 'erase', 'Patient');
        const id = idOf(req.params);
        if (!records.store.currentVersion('Patient', id)) throw notFound(`Patient/${id}`);
        const r = await records.erase(id, actor(req, ctx));
        return sendResource(reply, 200, {
          resourceType: 'Parameters',
          parameter: [
            { name: 'patient', valueReference: { reference: `Patient/${id}` } },
            { name: 'erasedVersions', valueInteger: r.versions },
            { name: 'erasedResources', valueInteger: r.resources },
            { name: 'erasedAt', valueInstant: r.erasedAt },
            { name: 'recordLogEntry', valueInteger: r.leafIndex },
          ],
        });
      });
    },
    { prefix: '/fhir' },
  );
}

function versionOf(params: unknown): number {
  const v = (params as { vid: string }).vid;
  if (!/^[1-9]\d{0,9}$/.test(v)) throw invalid(`invalid version "${v}"`);
  return Number(v);
}

function searchset(resources: Resource[], total: number): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total,
    entry: resources.map((r) => ({ fullUrl: `${r.resourceType}/${r.id}`, resource: r, search: { mode: 'match' } })),
  };
}

/** Who wrote what, derived from the version's log entry (no second write per version). */
function provenanceOf(r: VersionRow, ctx: NodeContext): Resource {
  return {
    resourceType: 'Provenance',
    id: `${r.type}-${r.id}-${r.version}`,
    target: [{ reference: `${r.type}/${r.id}/_history/${r.version}` }],
    recorded: r.last_updated,
    activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: r.op === 'create' ? 'CREATE' : r.op === 'delete' ? 'DELETE' : 'UPDATE' }] },
    agent: [
      { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author' }] }, who: { reference: r.author } },
      { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'custodian' }] }, who: { display: ctx.config.org } },
    ],
    entity: [{ role: 'source', what: { identifier: { system: 'urn:carechain:record-log', value: String(r.leaf_index) } } }],
  };
}

function proofOf(row: VersionRow, records: RecordService, ctx: NodeContext) {
  const tree = records.log.tree;
  const anchor = records.anchorer.anchorCovering(row.leaf_index);
  const size = anchor?.treeSize ?? tree.size;
  const leaf = records.log.leaf(row.leaf_index)!;
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'target', valueReference: { reference: `${row.type}/${row.id}/_history/${row.version}` } },
      { name: 'leafIndex', valueInteger: row.leaf_index },
      { name: 'leaf', valueBase64Binary: leaf.toString('base64') },
      { name: 'treeSize', valueInteger: size },
      { name: 'root', valueString: bytesToHex(tree.root(size)) },
      ...tree.inclusionProof(row.leaf_index, size).map((h) => ({ name: 'proof', valueString: bytesToHex(h) })),
      { name: 'anchored', valueBoolean: anchor !== undefined },
      ...(anchor
        ? [
            { name: 'chainId', valueInteger: ctx.conn.chain.id },
            { name: 'anchorRegistry', valueString: ctx.deployment.contracts.AnchorRegistry.address },
            { name: 'orgId', valueString: ctx.orgId },
            { name: 'logKind', valueString: 'records' },
            { name: 'logId', valueString: anchor.logId },
            { name: 'anchorIndex', valueInteger: anchor.index },
            { name: 'blockNumber', valueInteger: anchor.blockNumber },
            { name: 'transaction', valueString: anchor.txHash },
          ]
        : []),
    ],
  };
}
