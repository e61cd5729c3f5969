/**
 * Audit API: the privacy officer reviews the trail (entries, proofs, exports, flags, the watch list);
 * a patient (or proxy) sees every access to their own data, with proofs.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { callerOf, type Gate } from '../http/gate.ts';
import { parse } from '../http/parse.ts';
import { expensive } from '../http/rate-limits.ts';
import type { AuditService } from './service.ts';

const isoTime = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const patientId = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/);
const rangeQuery = z.object({
  patient: patientId.optional(),
  agent: z.string().max(200).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
const filterOf = (q: z.infer<typeof rangeQuery>) => ({ patientId: q.patient, agent: q.agent, fromMs: q.from, toMs: q.to });

export function auditRoutes(app: FastifyInstance, audit: AuditService, gate: Gate, opts: { expensivePerMinute: number }): void {
  auditTrailRoutes(app, audit, gate);
  auditReviewRoutes(app, audit, gate, opts);
}

/** The trail itself and its proofs (privacy officer), and a patient's own view. */
function auditTrailRoutes(app: FastifyInstance, audit: AuditService, gate: Gate): void {
  const officer = gate.roles('privacy-officer');

  app.get('/api/audit/sth', officer, async () => audit.sth());

  app.get('/api/audit/entries', officer, async (req) => {
    const q = parse(rangeQuery, req.query, 'query');
    return audit.entries({ ...filterOf(q), limit: q.limit, offset: q.offset });
  });

  app.get('/api/audit/entries/:index/proof', officer, async (req) => {
    const p = parse(z.object({ index: z.coerce.number().int().min(0) }), req.params, 'entry index');
    const q = parse(z.object({ treeSize: z.coerce.number().int().min(1).optional() }), req.query, 'query');
    return audit.proof(callerOf(req), p.index, q.treeSize);
  });

  app.get('/api/audit/consistency', officer, async (req) => {
    const q = parse(z.object({ first: z.coerce.number().int().min(0), second: z.coerce.number().int().min(0) }), req.query, 'query');
    return audit.consistency(q.first, q.second);
  });

  app.get('/api/audit/patient/:patientId', officer, async (req) => audit.patientView([parse(z.object({ patientId }), req.params, 'patient id').patientId]));

  app.get('/api/audit/me', gate.roles('patient'), async (req) => audit.myView(callerOf(req)));
}

/** The privacy officer's review: exports, insider-threat flags, the watch list. */
function auditReviewRoutes(app: FastifyInstance, audit: AuditService, gate: Gate, opts: { expensivePerMinute: number }): void {
  const officer = gate.roles('privacy-officer');

  app.get('/api/audit/export', { ...officer, ...expensive(opts.expensivePerMinute) }, async (req, reply) => {
    const q = parse(rangeQuery.omit({ limit: true, offset: true }), req.query, 'query');
    const lines = await audit.export(callerOf(req), filterOf({ ...q, limit: 1, offset: 0 }), req.url);
    return reply.type('application/x-ndjson').send(lines.join('\n') + '\n');
  });

  app.get('/api/audit/flags', officer, async (req) => {
    const q = parse(rangeQuery.pick({ from: true, to: true }), req.query, 'query');
    const range = { fromMs: q.from ?? Date.now() - 24 * 3600_000, toMs: q.to ?? Date.now() + 1 };
    return { from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString(), flags: await audit.flags(range) };
  });

  app.post('/api/audit/watch/:patientId', officer, async (req, reply) => {
    const p = parse(z.object({ patientId }), req.params, 'patient id');
    const b = parse(z.object({ reason: z.enum(['vip', 'colleague', 'employee', 'other']) }).strict(), req.body, 'body');
    await audit.watch(p.patientId, b.reason);
    return reply.code(204).send();
  });
}
