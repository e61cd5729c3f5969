/**
 * Consent API: patient identities (custody keys, links), relay of patient-signed grants, revocations
 * and proxy appointments, custody signing, a patient's grants and the record locator.
 */
import type { FastifyInstance } from 'fastify';
import { getAddress, type Address, type Hex } from 'viem';
import { z } from 'zod';
import { PURPOSES } from '../chain/ids.ts';
import { callerOf, type Gate } from '../http/gate.ts';
import { parse } from '../http/parse.ts';
import { forbidden, notFound } from '../shared/errors.ts';
import { scopeSchema } from './scope.ts';
import type { ConsentService } from './service.ts';

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'an address').transform((a) => getAddress(a));
const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, '32 bytes hex').transform((s) => s.toLowerCase() as Hex);
const signature = z.string().regex(/^0x[0-9a-fA-F]{130}$/, 'a 65-byte signature').transform((s) => s as Hex);
const uint = z.union([z.string().regex(/^\d{1,30}$/), z.number().int().nonnegative()]).transform((v) => BigInt(v));
const patientId = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'a Patient id');
const patientPath = z.object({ id: patientId });

const grantBody = z.object({
  grant: z.object({ patient: address, grantee: hex32, scopeHash: hex32, purpose: z.number().int().min(0).max(PURPOSES.length - 1), start: uint, expiry: uint, nonce: uint }).strict(),
  signature,
  scope: scopeSchema,
}).strict();
const revokeBody = z.object({ patient: address, grantId: hex32, nonce: uint, signature }).strict();
const proxyBody = z.object({ patient: address, proxy: address, expiry: uint, nonce: uint, signature }).strict();
const custodyGrantBody = z.object({ patientId, passphrase: z.string(), grantee: z.string().min(2).max(80), scope: scopeSchema, purpose: z.enum(PURPOSES), days: z.number().positive().max(3650) }).strict();
const custodyRevokeBody = z.object({ patientId, passphrase: z.string(), grantId: hex32 }).strict();

export function consentRoutes(app: FastifyInstance, consent: ConsentService, gate: Gate): void {
  patientIdentityRoutes(app, consent, gate);
  grantRoutes(app, consent, gate);
}

/** A local Patient's link to their on-chain identity (a key the node holds, or one they hold). */
function patientIdentityRoutes(app: FastifyInstance, consent: ConsentService, gate: Gate): void {
  const staff = gate.roles('staff');

  app.post('/api/patients/:id/custody-key', staff, async (req, reply) => {
    const { id } = parse(patientPath, req.params, 'path');
    const { passphrase } = parse(z.object({ passphrase: z.string().min(8).max(1000) }).strict(), req.body, 'body');
    return reply.code(201).send({ patient: `Patient/${id}`, address: await consent.createCustodyKey(callerOf(req), id, passphrase) });
  });

  app.post('/api/patients/:id/identity', staff, async (req, reply) => {
    const { id } = parse(patientPath, req.params, 'path');
    const b = parse(z.object({ address, signature }).strict(), req.body, 'body');
    await consent.link(callerOf(req), id, b.address, b.signature);
    return reply.code(201).send({ patient: `Patient/${id}`, address: b.address });
  });

  app.get('/api/patients/:id/identity', gate.authenticated(), async (req) => {
    const { id } = parse(patientPath, req.params, 'path');
    const identity = await consent.identityOf(id);
    if (!identity) throw notFound(`a linked identity of Patient/${id}`);
    return identity;
  });

}

/** Grants: the signing domain, nonces, relays of what patients signed, custody signing, the locator. */
function grantRoutes(app: FastifyInstance, consent: ConsentService, gate: Gate): void {
  const staff = gate.roles('staff');
  const relayers = gate.roles('staff', 'clinician');
  app.get('/api/consent/domain', gate.authenticated(), async () => consent.domain);

  // Record locator: which organizations hold records of a patient (their registry entries).
  app.get('/api/locator/:address', gate.authenticated(), async (req) => {
    const { address: a } = parse(z.object({ address }), req.params, 'path');
    const p = callerOf(req).principal;
    if (p.kind === 'patient' && !p.addresses!.includes(a)) throw forbidden('a patient may look up only their own records');
    return { indexedBlock: consent.indexedBlock, custodians: await consent.locate(a) };
  });

  app.get('/api/consent/nonce/:address', gate.authenticated(), async (req) => ({ nonce: String(await consent.nonce(parse(z.object({ address }), req.params, 'path').address as Address)) }));

  app.get('/api/consent', gate.authenticated(), async (req) => {
    const q = parse(z.object({ patient: address }), req.query, 'query');
    return { indexedBlock: consent.indexedBlock, grants: await consent.grantsOf(q.patient) };
  });

  app.post('/api/consent/relay', relayers, async (req, reply) => {
    const b = parse(grantBody, req.body, 'grant');
    return reply.code(201).send(await consent.relay(callerOf(req), { kind: 'grant', ...b }));
  });
  app.post('/api/consent/revoke-relay', relayers, async (req) => consent.relay(callerOf(req), { kind: 'revoke', ...parse(revokeBody, req.body, 'revocation') }));
  app.post('/api/consent/proxy-relay', relayers, async (req) => consent.relay(callerOf(req), { kind: 'proxy', ...parse(proxyBody, req.body, 'proxy appointment') }));

  app.post('/api/consent/grant', staff, async (req, reply) => reply.code(201).send(await consent.grantForCustodyPatient(callerOf(req), parse(custodyGrantBody, req.body, 'grant'))));
  app.post('/api/consent/revoke', staff, async (req) => consent.revokeForCustodyPatient(callerOf(req), parse(custodyRevokeBody, req.body, 'revocation')));
}
