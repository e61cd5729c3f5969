/**
 * Consent and exchange API (operator token until user login lands): patient identities, relay of
 * patient-signed grants and revocations, custody signing, the grants of a patient, and fetching a
 * patient's records from the other custodians.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getAddress, type Address, type Hex } from 'viem';
import { z } from 'zod';
import { custodiansOf, fetchFromCustodians } from '../exchange/requester.ts';
import { getParticipant } from '../indexer/queries.ts';
import { FHIR_JSON } from '../fhir/routes.ts';
import { FhirError, outcome } from '../fhir/outcome.ts';
import { AuthError, authenticate, hasRole } from '../auth/principal.ts';
import type { Role } from '../auth/users.ts';
import type { NodeContext } from '../node/context.ts';
import type { Actor, RecordService } from '../records/service.ts';
import { identityOf } from './identity.ts';
import { grantsOf } from './pdp.ts';
import { scopeSchema } from './scope.ts';
import type { ConsentService } from './service.ts';
import { PURPOSES } from './typed-data.ts';

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/).transform((a) => getAddress(a));
const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/).transform((s) => s.toLowerCase() as Hex);
const signature = z.string().regex(/^0x[0-9a-fA-F]{130}$/).transform((s) => s as Hex);
const uint = z.union([z.string().regex(/^\d{1,30}$/), z.number().int().nonnegative()]).transform((v) => BigInt(v));
const patientId = z.object({ id: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/) });

const grantBody = z.object({
  grant: z.object({ patient: address, grantee: hex32, scopeHash: hex32, purpose: z.number().int().min(0).max(PURPOSES.length - 1), start: uint, expiry: uint, nonce: uint }).strict(),
  signature,
  scope: scopeSchema,
}).strict();

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new FhirError(400, outcome('invalid', `${i.path.join('.') || 'body'}: ${i.message}`));
  }
  return r.data;
}

export function consentRoutes(app: FastifyInstance, ctx: NodeContext, records: RecordService, consent: ConsentService) {
  app.register(async (api) => {
    api.addHook('onRequest', async (req, reply) => {
      try {
        req.principal = await authenticate(ctx, ctx.db, req);
      } catch (err) {
        if (err instanceof AuthError) return reply.code(401).type(FHIR_JSON).send(outcome('login', err.message));
        throw err;
      }
    });
    /** Front-desk work (identities, consent on a patient's behalf) is staff's; exchange is clinicians'. */
    const need = (req: FastifyRequest, ...roles: Role[]) => {
      if (!hasRole(req.principal!, ...roles)) throw new FhirError(403, outcome('forbidden', `needs role ${['admin', ...roles].join(' or ')}`));
    };
    api.setErrorHandler(async (err: Error & { statusCode?: number }, req, reply) => {
      if (err instanceof FhirError) return reply.code(err.status).type(FHIR_JSON).send(err.outcome);
      if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).type(FHIR_JSON).send(outcome('invalid', err.message));
      req.log.error({ err }, 'consent request failed');
      return reply.code(500).type(FHIR_JSON).send(outcome('exception', 'internal error'));
    });
    const actor = (req: FastifyRequest): Actor => ({ agent: req.principal!.agent, network: req.ip, purpose: 'HOPERAT' });
    const json = (reply: FastifyReply, status: number, body: unknown) => reply.code(status).send(body);

    api.post('/api/patients/:id/custody-key', async (req, reply) => {
      need(req, 'staff');
      const { id } = parse(patientId, req.params);
      const { passphrase } = parse(z.object({ passphrase: z.string().min(8).max(1000) }).strict(), req.body);
      return json(reply, 201, { patient: `Patient/${id}`, address: await consent.createCustodyKey(id, passphrase) });
    });
    api.post('/api/patients/:id/identity', async (req, reply) => {
      need(req, 'staff');
      const { id } = parse(patientId, req.params);
      const b = parse(z.object({ address, signature }).strict(), req.body);
      await consent.link(id, b.address, b.signature);
      return json(reply, 201, { patient: `Patient/${id}`, address: b.address });
    });
    api.get('/api/patients/:id/identity', async (req, reply) => {
      const { id } = parse(patientId, req.params);
      const identity = identityOf(ctx.db, id);
      if (!identity) throw new FhirError(404, outcome('not-found', `Patient/${id} has no linked identity`));
      return json(reply, 200, identity);
    });

    api.get('/api/consent/domain', async () => consent.domain);
    // Record locator: which organizations hold records of a patient (their registry entries).
    api.get('/api/locator/:address', async (req) => {
      const { address: a } = parse(z.object({ address }), req.params);
      if (req.principal!.kind === 'patient' && !req.principal!.addresses!.includes(a)) throw new FhirError(403, outcome('forbidden', 'a patient may look up only their own records'));
      return { indexedBlock: ctx.indexer.indexedBlock, custodians: custodiansOf(ctx.db, a).map((id) => getParticipant(ctx.db, id)).filter(Boolean) };
    });
    api.get('/api/consent/nonce/:address', async (req) => ({ nonce: String(await consent.nonce(parse(z.object({ address }), req.params).address)) }));
    api.get('/api/consent', async (req) => {
      const q = parse(z.object({ patient: address }), req.query);
      return { indexedBlock: ctx.indexer.indexedBlock, grants: grantsOf(ctx.db, q.patient) };
    });
    api.post('/api/consent/relay', async (req, reply) => {
      need(req, 'staff', 'clinician');
      const b = parse(grantBody, req.body);
      return json(reply, 201, await consent.relayGrant(b.grant, b.signature, b.scope, actor(req)));
    });
    api.post('/api/consent/revoke-relay', async (req, reply) => {
      need(req, 'staff', 'clinician');
      const b = parse(z.object({ patient: address, grantId: hex32, nonce: uint, signature }).strict(), req.body);
      return json(reply, 200, await consent.relayRevoke(b.patient, b.grantId, b.nonce, b.signature, actor(req)));
    });
    api.post('/api/consent/proxy-relay', async (req, reply) => {
      need(req, 'staff', 'clinician');
      const b = parse(z.object({ patient: address, proxy: address, expiry: uint, nonce: uint, signature }).strict(), req.body);
      return json(reply, 200, await consent.relayProxy(b.patient, b.proxy, b.expiry, b.nonce, b.signature, actor(req)));
    });
    api.post('/api/consent/grant', async (req, reply) => {
      need(req, 'staff');
      const b = parse(
        z.object({ patientId: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/), passphrase: z.string(), grantee: z.string().min(2).max(80), scope: scopeSchema, purpose: z.enum(PURPOSES), days: z.number().positive().max(3650) }).strict(),
        req.body,
      );
      return json(reply, 201, await consent.grantForCustodyPatient({ ...b, grantee: consent.granteeId(b.grantee) }, actor(req)));
    });
    api.post('/api/consent/revoke', async (req, reply) => {
      need(req, 'staff');
      const b = parse(z.object({ patientId: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/), passphrase: z.string(), grantId: hex32 }).strict(), req.body);
      return json(reply, 200, await consent.revokeForCustodyPatient(b, actor(req)));
    });

    // Break-glass accesses this custodian allowed, for the privacy officer to review.
    api.get('/api/break-glass', async (req) => {
      need(req, 'privacy-officer');
      return { accesses: ctx.db.prepare('SELECT * FROM break_glass_accesses ORDER BY created_at DESC LIMIT 1000').all() };
    });
    api.post('/api/break-glass/:accessId/review', async (req, reply) => {
      need(req, 'privacy-officer');
      const { accessId } = parse(z.object({ accessId: hex32 }), req.params);
      const b = parse(z.object({ review: z.enum(['justified', 'unjustified']), note: z.string().max(2000).optional() }).strict(), req.body);
      const done = await records.queue.run(() => {
        const r = ctx.db.prepare('UPDATE break_glass_accesses SET review = ?, reviewed_by = ?, reviewed_at = ? WHERE access_id = ? AND review IS NULL').run(
          b.note ? `${b.review}: ${b.note}` : b.review, req.principal!.agent, new Date().toISOString(), accessId);
        if (r.changes) records.audit.append({ ...actor(req), action: 'U', subtype: 'break-glass-review', outcome: '0', outcomeDesc: b.review, what: [`BreakGlass/${accessId}`] });
        return r.changes;
      });
      if (!done) throw new FhirError(404, outcome('not-found', `no open break-glass access ${accessId}`));
      return json(reply, 200, { accessId, review: b.review });
    });

    // Requester side: this organization's clinician asks for a patient's records at the other custodians.
    api.post('/api/exchange/fetch', async (req, reply) => {
      need(req, 'clinician');
      const b = parse(
        z.object({
          patient: address,
          purpose: z.enum(PURPOSES),
          scope: scopeSchema,
          practitioner: z.string().regex(/^Practitioner\/[A-Za-z0-9\-.]{1,64}$/).optional(),
          /** Break-glass: with purpose ETREAT, the clinical reason for reading without consent. */
          emergencyReason: z.string().min(10).max(500).optional(),
        }).strict(),
        req.body,
      );
      // A clinician asks as the practitioner they are; only the operator may name one.
      const practitioner = req.principal!.kind === 'user' ? (req.principal!.practitioner ?? undefined) : b.practitioner;
      if (b.emergencyReason && b.purpose !== 'ETREAT') throw new FhirError(400, outcome('invalid', 'an emergency reason goes with purpose ETREAT'));
      const result = await fetchFromCustodians(ctx.db, ctx.keys, ctx.peerFetch, ctx.orgId, { patient: b.patient as Address, purpose: b.purpose, scope: b.scope, practitioner, breakGlassReason: b.emergencyReason, minBlock: ctx.indexer.indexedBlock });
      await records.audited(actor(req), { action: 'R', subtype: 'exchange-fetch', outcome: result.problems.length ? '4' : '0', outcomeDesc: result.problems.join('; ').slice(0, 500) || undefined, what: result.resources.map((r) => `${r.resourceType}/${r.id}`) });
      return json(reply, 200, {
        resourceType: 'Bundle',
        type: 'collection',
        entry: result.resources.map((r) => ({ resource: r })),
        custodians: result.custodians,
        problems: result.problems,
      });
    });
  });
}
