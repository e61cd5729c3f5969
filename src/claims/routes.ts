/**
 * The claims API of a node. Thin: zod parse, one service call, the result; the service authorizes
 * what the gate cannot (whose claim it is) and audits.
 * - provider staff: `POST /api/claims/eligibility` (CoverageEligibilityRequest), `POST /api/claims` (submit), `POST /api/claims/:id/void|appeal|respond`;
 * - insurer staff: `GET /api/claims/queue` (special investigations), `POST /api/claims/:id/review`
 *   (an audited override), `POST /api/claims/:id/pay`;
 * - staff: `GET /api/claims/:id`; admin: `POST /api/claims/tables` (NCCI PTP / MUE import);
 * - patients: `GET /api/patient/claims`, `POST /api/patient/claims/:id/dispute`;
 * - other nodes, signed: `POST /api/claims/peer/eligibility`, `POST /api/claims/peer/submit`, `POST /api/claims/peer/messages`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Address, Hex } from 'viem';
import { z } from 'zod';
import { callerOf, type Gate } from '../http/gate.ts';
import { parse } from '../http/parse.ts';
import { scopeSchema } from '../consent/scope.ts';
import { invalid } from '../shared/errors.ts';
import type { ClaimsService, Submission } from './service.ts';
import type { ClaimTableStore } from './table-store.ts';

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'a 32-byte hex id');
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'an address');
const idParam = z.object({ id: hex32 }).strict();
const text = z.object({ text: z.string().min(3).max(5000) }).strict();
const fhir = z.record(z.string(), z.unknown());
const submitBody = z
  .object({
    claim: fhir,
    insurer: hex32,
    patient: address,
    credentials: z.array(z.object({ provider: z.string().max(300), credentialId: hex32 }).strict()).max(50).optional(),
    consent: z.object({ grantId: hex32, salt: hex32, scope: scopeSchema }).strict().optional(),
  })
  .strict();
const submission = z
  .object({
    claimId: hex32,
    block: z.number().int().nonnegative(),
    claim: fhir,
    patient: z.object({ address, salt: hex32, birthDate: z.string().max(30).optional(), gender: z.enum(['male', 'female', 'other', 'unknown']).optional(), deceasedDate: z.string().max(30).optional() }).strict(),
    encounters: z
      .array(z.object({ reference: z.string().max(100), date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), leafIndex: z.number().int().nonnegative(), leaf: z.string().max(10_000), proof: z.array(hex32).max(64), anchor: z.object({ index: z.number().int().nonnegative(), treeSize: z.number().int().positive(), root: hex32, blockNumber: z.number().int().nonnegative() }).strict() }).strict())
      .max(500),
    credentials: z.array(z.object({ provider: z.string().max(300), credentialId: hex32 }).strict()).max(50),
  })
  .strict();
const message = z.object({ claimId: hex32, kind: z.enum(['response', 'appeal']), text: z.string().min(3).max(5000) }).strict();
const lower = (h: string) => h.toLowerCase() as Hex;

function jsonOf(body: unknown): unknown {
  try {
    return JSON.parse(String(body ?? ''));
  } catch (err) {
    throw invalid(`the body is not JSON: ${(err as Error).message}`);
  }
}

export function claimsRoutes(app: FastifyInstance, claims: ClaimsService, tables: ClaimTableStore, gate: Gate): void {
  const staff = gate.roles('staff');
  const big = { bodyLimit: 20 * 1024 * 1024 };
  app.post('/api/claims', { ...staff, ...big }, async (req, reply) => {
    const b = parse(submitBody, req.body, 'claim submission');
    return reply.code(201).send(await claims.submit(callerOf(req), { claim: b.claim, insurer: lower(b.insurer), patient: b.patient as Address, ...(b.credentials ? { credentials: b.credentials.map((c) => ({ provider: c.provider, credentialId: lower(c.credentialId) })) } : {}), ...(b.consent ? { consent: { ...b.consent, grantId: lower(b.consent.grantId), salt: lower(b.consent.salt) } } : {}) }));
  });
  app.post('/api/claims/eligibility', staff, async (req) => {
    const b = parse(z.object({ insurer: hex32, request: fhir }).strict(), req.body, 'eligibility request');
    return claims.eligibility(callerOf(req), lower(b.insurer), b.request);
  });
  app.get('/api/claims/queue', staff, async (req) => ({ queue: await claims.queue(callerOf(req)) }));
  app.get('/api/claims/:id', staff, async (req) => ({ claim: await claims.get(callerOf(req), lower(parse(idParam, req.params, 'path').id)) }));
  app.post('/api/claims/:id/void', staff, async (req) => claims.providerMove(callerOf(req), lower(parse(idParam, req.params, 'path').id), 'void', parse(text, req.body, 'reason').text));
  app.post('/api/claims/:id/appeal', staff, async (req) => claims.providerMove(callerOf(req), lower(parse(idParam, req.params, 'path').id), 'appeal', parse(text, req.body, 'appeal').text));
  app.post('/api/claims/:id/respond', staff, async (req) => claims.respond(callerOf(req), lower(parse(idParam, req.params, 'path').id), parse(text, req.body, 'response').text));
  app.post('/api/claims/:id/review', staff, async (req) => {
    const b = parse(z.object({ decision: z.enum(['approved', 'denied']), reason: z.string().min(3).max(2000) }).strict(), req.body, 'review');
    return claims.review(callerOf(req), lower(parse(idParam, req.params, 'path').id), b);
  });
  app.post('/api/claims/:id/pay', staff, async (req) => claims.pay(callerOf(req), lower(parse(idParam, req.params, 'path').id)));
  app.post('/api/claims/tables', { ...gate.roles('admin'), ...big }, async (req, reply) => {
    const b = parse(z.object({ kind: z.enum(['ncci-ptp', 'mue']), file: z.string().min(1).max(200), text: z.string().min(1) }).strict(), req.body, 'table import');
    return reply.code(201).send(tables.import(b.kind, b.file, b.text));
  });
  app.get('/api/patient/claims', gate.roles('patient'), async (req) => ({ claims: await claims.mine(callerOf(req)) }));
  app.post('/api/patient/claims/:id/dispute', gate.roles('patient'), async (req, reply) =>
    reply.code(201).send(await claims.dispute(callerOf(req), lower(parse(idParam, req.params, 'path').id), parse(z.object({ reason: z.string().min(3).max(2000) }).strict(), req.body, 'dispute').reason)),
  );

  // Signed by the calling organization; the body is kept as the exact bytes the signature covers.
  void app.register(async (peer) => {
    peer.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 20 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    const signed = (req: FastifyRequest, protocol: string) => claims.authenticate({ protocol, audience: claims.deps.orgId, method: req.method, path: req.url, body: typeof req.body === 'string' ? req.body : '', headers: req.headers });
    peer.post('/api/claims/peer/submit', async (req) => {
      const from = await signed(req, 'claims-submit');
      return claims.receive(from, parse(submission, jsonOf(req.body), 'claim submission') as Submission);
    });
    peer.post('/api/claims/peer/eligibility', async (req) => {
      const from = await signed(req, 'claims-eligibility');
      return claims.answerEligibility(from, parse(fhir, jsonOf(req.body), 'eligibility request'));
    });
    peer.post('/api/claims/peer/messages', async (req) => {
      const from = await signed(req, 'claims-message');
      const m = parse(message, jsonOf(req.body), 'claim message');
      return claims.receiveMessage(from, { ...m, claimId: lower(m.claimId) });
    });
  });
}
