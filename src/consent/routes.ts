/**
 * Consent API. Front desk: ask for an activation code to be sent to a patient's contact on file.
 * Patients (no node account; rate-limited): link their own key, or choose a passphrase for a key the
 * node keeps, and sign grants with it. Anyone with a role (and patients for themselves): relay what
 * patients signed. Other organizations (signed): notices of grants to this organization.
 */
import type { FastifyInstance } from 'fastify';
import type { Address, Hex } from 'viem';
import { z } from 'zod';
import { PURPOSES } from '../chain/ids.ts';
import { callerOf, type Gate } from '../http/gate.ts';
import { parse } from '../http/parse.ts';
import { documented, routeOptions } from '../http/openapi.ts';
import { LOGIN_RATE_LIMIT } from '../http/rate-limits.ts';
import { hasRole, type Caller } from '../identity/principal.ts';
import { SIGNATURE_HEADER } from '../identity/org-requests.ts';
import { forbidden, notFound } from '../shared/errors.ts';
import { address, grantRelaySchema, hex32, noticeSchema, signature, uint } from './protocol.ts';
import { scopeSchema } from './scope.ts';
import type { ConsentService } from './service.ts';

const patientId = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'a Patient id');
const patientPath = z.object({ id: patientId });
const code = z.string().regex(/^[A-Za-z0-9]{8,32}$/, 'the activation code you received');
const linkBody = z.object({ patientId, code, address, signature, tagSecret: hex32 }).strict();
const custodyBody = z.object({ patientId, code, passphrase: z.string().min(8).max(1000) }).strict();
const custodyGrantBody = z
  .object({ patientId, passphrase: z.string().max(1000), grantee: z.string().min(2).max(80), practitioner: z.string().regex(/^Practitioner\/[A-Za-z0-9\-.]{1,64}$/).optional(), scope: scopeSchema, purpose: z.enum(PURPOSES), days: z.number().positive().max(3650) })
  .strict();
const custodyRevokeBody = z.object({ patientId, passphrase: z.string().max(1000), grantId: hex32 }).strict();
const revokeBody = z.object({ patient: address, grantId: hex32, nonce: uint, signature }).strict();
const proxyBody = z.object({ patient: address, proxy: address, expiry: uint, nonce: uint, signature }).strict();

/** A patient may see only their own addresses (and those they are a proxy for); staff and officers any. */
function mayReadAddress(caller: Caller, a: Address): void {
  const p = caller.principal;
  if (p.kind === 'patient' ? p.addresses!.some((x) => x.toLowerCase() === a.toLowerCase()) : hasRole(p, 'staff', 'privacy-officer')) return;
  throw forbidden(p.kind === 'patient' ? "a patient may see only their own address's consents" : 'needs role staff or privacy-officer');
}

export function consentRoutes(app: FastifyInstance, consent: ConsentService, gate: Gate): void {
  patientIdentityRoutes(app, consent, gate);
  custodySigningRoutes(app, consent);
  grantRoutes(app, consent, gate);
}

/** A local Patient's link to their on-chain identity: activation by the front desk, linking by the patient. */
function patientIdentityRoutes(app: FastifyInstance, consent: ConsentService, gate: Gate): void {
  app.post('/api/patients/:id/activation', routeOptions(gate.roles('staff'), documented({ summary: "send the patient a one-time activation code to their contact on file (staff see only where it went)", access: 'staff', params: patientPath, status: 201 })), async (req, reply) => {
    const { id } = parse(patientPath, req.params, 'path');
    return reply.code(201).send(await consent.requestActivation(callerOf(req), id));
  });
  app.post('/api/patient/link', routeOptions(LOGIN_RATE_LIMIT, documented({ summary: 'the patient links their key at this custodian: activation code + signature over linkMessage(orgId, patientId, code)', access: 'public', body: linkBody, status: 201 })), async (req, reply) => {
    const b = parse(linkBody, req.body, 'link');
    return reply.code(201).send(await consent.linkKey(req.ip, { ...b, address: b.address as Address }));
  });
  app.post('/api/patient/custody', routeOptions(LOGIN_RATE_LIMIT, documented({ summary: 'the patient has the node keep a key for them, sealed under the passphrase they choose', access: 'public', body: custodyBody, status: 201 })), async (req, reply) => reply.code(201).send(await consent.createCustody(req.ip, parse(custodyBody, req.body, 'custody request'))));
  app.get('/api/patients/:id/identity', routeOptions(gate.authenticated(), documented({ summary: "a Patient's linked identity (staff, privacy officers, the patient themself)", access: 'staff, privacy-officer, patient (own)', params: patientPath })), async (req) => {
    const { id } = parse(patientPath, req.params, 'path');
    const identity = await consent.identityOf(id);
    const caller = callerOf(req);
    // The same answer for someone else's Patient and for one with no identity: existence is not revealed.
    if (!identity || (caller.principal.kind === 'patient' ? !caller.principal.addresses!.includes(identity.address) : !hasRole(caller.principal, 'staff', 'privacy-officer'))) {
      if (caller.principal.kind !== 'patient' && !hasRole(caller.principal, 'staff', 'privacy-officer')) throw forbidden('needs role staff or privacy-officer');
      throw notFound(`a linked identity of Patient/${id}`);
    }
    return identity;
  });
}

/** A key the node holds, used with the patient's passphrase (never by staff). */
function custodySigningRoutes(app: FastifyInstance, consent: ConsentService): void {
  app.post('/api/patient/consent/grant', routeOptions(LOGIN_RATE_LIMIT, documented({ summary: 'a custody patient grants access, signing with their passphrase', access: 'public', body: custodyGrantBody, status: 201 })), async (req, reply) => reply.code(201).send(await consent.grantAsCustodyPatient(req.ip, parse(custodyGrantBody, req.body, 'grant'))));
  app.post('/api/patient/consent/revoke', routeOptions(LOGIN_RATE_LIMIT, documented({ summary: 'a custody patient revokes a grant, signing with their passphrase', access: 'public', body: custodyRevokeBody })), async (req) => consent.revokeAsCustodyPatient(req.ip, parse(custodyRevokeBody, req.body, 'revocation')));
}

/** Grants: the signing domain, nonces, relays of what patients signed, notices, the locator. */
function grantRoutes(app: FastifyInstance, consent: ConsentService, gate: Gate): void {
  const relayers = gate.clinical('staff', 'clinician', 'patient');
  app.get('/api/consent/domain', routeOptions(gate.authenticated(), documented({ summary: 'the EIP-712 domain patients sign consent in', access: 'any session' })), async () => consent.domain);
  // Public: which organization this node is (a patient derives their address here from it).
  app.get('/api/consent/custodian', documented({ summary: 'this organization, as patients address it (their key here is derived from its id)', access: 'public' }), async () => consent.custodian());
  app.get('/api/consent/nonce/:address', routeOptions(gate.authenticated(), documented({ summary: "the patient's next consent nonce", access: 'any session' })), async (req) => ({ nonce: String(await consent.nonce(parse(z.object({ address }), req.params, 'path').address as Address)) }));
  app.get('/api/consent', routeOptions(gate.authenticated(), documented({ summary: "a patient's grants from the indexed ledger", access: 'staff, privacy-officer, patient (own)', query: z.object({ patient: address }) })), async (req) => {
    const q = parse(z.object({ patient: address }), req.query, 'query');
    mayReadAddress(callerOf(req), q.patient as Address);
    return { indexedBlock: consent.indexedBlock, grants: await consent.grantsOf(q.patient as Address) };
  });
  app.get('/api/locator/:address', routeOptions(gate.clinical('staff', 'clinician', 'privacy-officer', 'patient'), documented({ summary: 'the custodians that registered this address', access: 'staff, clinician (licensed), privacy-officer, patient (own)' })), async (req) => {
    const { address: a } = parse(z.object({ address }), req.params, 'path');
    const p = callerOf(req).principal;
    if (p.kind === 'patient' && !p.addresses!.includes(a as Address)) throw forbidden('a patient may look up only their own records');
    return { indexedBlock: consent.indexedBlock, custodians: await consent.locate(a as Address) };
  });
  app.post('/api/consent/relay', routeOptions(relayers, documented({ summary: 'relay a patient-signed grant with the disclosure that opens its commitments; the grantee gets a signed notice', access: 'staff, clinician (licensed), patient (own)', body: grantRelaySchema, status: 201 })), async (req, reply) => {
    const b = parse(grantRelaySchema, req.body, 'grant');
    return reply.code(201).send(await consent.relay(callerOf(req), { kind: 'grant', ...b, grant: { ...b.grant, patient: b.grant.patient as Address }, granteePatient: b.granteePatient && { ...b.granteePatient, address: b.granteePatient.address as Address } }));
  });
  app.post('/api/consent/revoke-relay', routeOptions(relayers, documented({ summary: 'relay a patient-signed revocation', access: 'staff, clinician (licensed), patient (own)', body: revokeBody })), async (req) => {
    const b = parse(revokeBody, req.body, 'revocation');
    return consent.relay(callerOf(req), { kind: 'revoke', ...b, patient: b.patient as Address, grantId: b.grantId as Hex });
  });
  app.post('/api/consent/proxy-relay', routeOptions(relayers, documented({ summary: 'relay a patient-signed proxy appointment', access: 'staff, clinician (licensed), patient (own)', body: proxyBody })), async (req) => {
    const b = parse(proxyBody, req.body, 'proxy appointment');
    return consent.relay(callerOf(req), { kind: 'proxy', ...b, patient: b.patient as Address, proxy: b.proxy as Address });
  });
  // Another organization (the custodian) tells this one of a grant to it; signed, no bearer token.
  app.post('/api/consent/notices', documented({ summary: 'a custodian tells this organization of a grant to it (signed org-to-org)', access: 'organization', body: noticeSchema, status: 201 }), async (req, reply) => reply.code(201).send(await consent.receiveNotice(req.body, String(req.headers[SIGNATURE_HEADER] ?? ''))));
}
