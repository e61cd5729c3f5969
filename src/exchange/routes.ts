/** Exchange API: the custodian's signed endpoint, a clinician's fetch, and break-glass reviews. */
import type { FastifyInstance } from 'fastify';
import type { Address, Hex } from 'viem';
import { z } from 'zod';
import { PURPOSES } from '../chain/ids.ts';
import { scopeSchema } from '../consent/scope.ts';
import { callerOf, type Gate } from '../http/gate.ts';
import { parse } from '../http/parse.ts';
import { forbidden } from '../shared/errors.ts';
import { documented, routeOptions } from '../http/openapi.ts';
import { expensive } from '../http/rate-limits.ts';
import { exchangeRequestSchema } from './protocol.ts';
import { SIGNATURE_HEADER } from '../identity/org-requests.ts';
import type { ExchangeService } from './service.ts';

const fetchBody = z.object({
  patient: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "the patient's address"),
  purpose: z.enum(PURPOSES),
  scope: scopeSchema.optional(),
  practitioner: z.string().regex(/^Practitioner\/[A-Za-z0-9\-.]{1,64}$/).optional(),
  emergencyReason: z.string().min(10).max(500).optional(),
}).strict();
const reviewBody = z.object({ review: z.enum(['justified', 'unjustified']), note: z.string().max(2000).optional() }).strict();

export function exchangeRoutes(app: FastifyInstance, exchange: ExchangeService, gate: Gate, opts: { expensivePerMinute: number }): void {
  // Custodian side: signed by the requesting organization (no bearer token: the signature is the credential).
  app.post('/api/exchange/records', routeOptions(expensive(opts.expensivePerMinute), documented({ summary: "the custodian's side: a signed request (header x-carechain-signature) naming the grant and salt, or break-glass with a licence reference", access: 'organization', body: exchangeRequestSchema })), async (req) => exchange.custodian.answer(req.body, String(req.headers[SIGNATURE_HEADER] ?? ''), req.ip));

  // Requester side: this organization's clinician asks for a patient's records at the other custodians.
  app.post('/api/exchange/fetch', routeOptions(gate.clinical('clinician'), expensive(opts.expensivePerMinute), documented({ summary: "a licensed clinician fetches a patient's records by the grants notified to this organization (or breaks the glass), each verified against the ledger", access: 'clinician (licensed)', body: fetchBody })), async (req) => {
    const b = parse(fetchBody, req.body, 'fetch request');
    const result = await exchange.fetch(callerOf(req), { ...b, patient: b.patient as Address });
    return { resourceType: 'Bundle', type: 'collection', entry: result.resources.map((r) => ({ resource: r })), custodians: result.custodians, problems: result.problems };
  });

  // Break-glass accesses this custodian allowed, for the privacy officer to review.
  // Break-glass accesses: those this custodian allowed and those this organization's clinicians opened elsewhere.
  app.get('/api/break-glass', routeOptions(gate.roles('privacy-officer'), documented({ summary: 'break-glass accesses allowed here and opened elsewhere by this organization', access: 'privacy-officer' })), async () => exchange.breakGlassAccesses());
  // The patient's own view: who broke the glass on their records here, from which organization, and why.
  app.get('/api/patient/break-glass', routeOptions(gate.roles('patient'), documented({ summary: 'who broke the glass on my records here, from where, and why', access: 'patient' })), async (req) => {
    const p = callerOf(req).principal;
    if (p.kind !== 'patient') throw forbidden('log in as a patient (POST /api/auth/patient/login)');
    return { accesses: (await exchange.breakGlassAccesses({ patients: p.addresses! })).incoming };
  });
  app.post('/api/break-glass/:accessId/review', routeOptions(gate.roles('privacy-officer'), documented({ summary: 'review a break-glass access (once)', access: 'privacy-officer', body: reviewBody })), async (req) => {
    const { accessId } = parse(z.object({ accessId: z.string().regex(/^0x[0-9a-fA-F]{64}$/) }), req.params, 'path');
    const b = parse(reviewBody, req.body, 'review');
    return exchange.reviewBreakGlass(callerOf(req), accessId.toLowerCase() as Hex, b.review, b.note);
  });
}
