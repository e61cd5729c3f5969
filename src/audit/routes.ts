/**
 * Audit API (operator / privacy officer until user roles land): entries, signed tree heads,
 * inclusion and consistency proofs, a patient's access history with proofs, NDJSON export with
 * proofs, insider-threat flags, and the watch list.
 */
import { expensive } from '../node/rate-limits.ts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireRoles } from '../node/admin-auth.ts';
import type { NodeContext } from '../node/context.ts';
import { parseOr400, sendError } from '../node/http-errors.ts';
import type { RecordService } from '../records/service.ts';
import { evaluateFlags } from './flags.ts';
import { patientsWithAddress } from '../consent/identity.ts';
import { consistencyProof, inclusionProof } from './proofs.ts';

const isoTime = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const rangeQuery = z.object({
  patient: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/).optional(),
  agent: z.string().max(200).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export function auditRoutes(app: FastifyInstance, ctx: NodeContext, records: RecordService) {
  const audit = records.audit;
  const log = audit.log;
  // The privacy officer reviews the trail; the operator administers it.
  const admin = { preHandler: requireRoles(ctx, 'privacy-officer') };
  const anchorFor = (index: number) => records.auditAnchorer.anchorCovering(index) ?? null;

  app.get('/api/audit/sth', admin, async () => ({ sth: await audit.signedTreeHead(), anchored: records.auditAnchorer.latest() ?? null }));

  app.get('/api/audit/entries', admin, async (req, reply) => {
    const q = parseOr400(reply, rangeQuery, req.query, 'query');
    if (!q) return reply;
    const idx = audit.find({ patientId: q.patient, agent: q.agent, fromMs: q.from, toMs: q.to, limit: q.limit, offset: q.offset });
    return { treeSize: log.size, entries: idx.map((i) => ({ index: i, event: audit.entry(i) })) };
  });

  app.get('/api/audit/entries/:index/proof', admin, async (req, reply) => {
    const p = parseOr400(reply, z.object({ index: z.coerce.number().int().min(0) }), req.params, 'entry index');
    if (!p) return reply;
    const q = parseOr400(reply, z.object({ treeSize: z.coerce.number().int().min(1).optional() }), req.query, 'query');
    if (!q) return reply;
    if (p.index >= log.size) return sendError(reply, 404, 'not-found', `no audit entry ${p.index} (the log has ${log.size})`);
    const anchor = q.treeSize ? null : anchorFor(p.index);
    const size = q.treeSize ?? anchor?.treeSize ?? log.size;
    if (size > log.size || size <= p.index) return sendError(reply, 400, 'invalid-request', `treeSize must be in ${p.index + 1}..${log.size}`);
    await records.audited({ agent: req.principal!.agent, network: req.ip }, { action: 'E', subtype: 'audit-proof', outcome: '0', what: [`AuditEvent/${p.index}`] });
    return { ...inclusionProof(log, p.index, size, anchor), event: audit.entry(p.index), chainId: ctx.conn.chain.id, anchorRegistry: ctx.deployment.contracts.AnchorRegistry.address, orgId: ctx.orgId };
  });

  app.get('/api/audit/consistency', admin, async (req, reply) => {
    const q = parseOr400(reply, z.object({ first: z.coerce.number().int().min(0), second: z.coerce.number().int().min(0) }), req.query, 'query');
    if (!q) return reply;
    if (q.first > q.second || q.second > log.size) return sendError(reply, 400, 'invalid-request', `need 0 <= first <= second <= ${log.size}`);
    return consistencyProof(log, q.first, q.second);
  });

  // What a patient (or proxy) sees: every access to their data here, each with its proof.
  app.get('/api/audit/patient/:patientId', admin, async (req, reply) => {
    const p = parseOr400(reply, z.object({ patientId: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/) }), req.params, 'patient id');
    if (!p) return reply;
    const idx = audit.find({ patientId: p.patientId, limit: 1000 });
    const sth = await audit.signedTreeHead();
    return {
      sth,
      anchored: records.auditAnchorer.latest() ?? null,
      entries: idx.map((i) => ({ event: audit.entry(i), proof: inclusionProof(log, i, sth.treeSize, null) })),
    };
  });

  // A patient's (or proxy's) own view: every access to their data at this custodian, with proofs to
  // a signed tree head, and the anchored head it is consistent with.
  app.get('/api/audit/me', { preHandler: requireRoles(ctx, 'patient') }, async (req, reply) => {
    const p = req.principal!;
    if (p.kind !== 'patient') return sendError(reply, 403, 'forbidden', 'log in as a patient (POST /api/auth/patient/login)');
    const localIds = p.addresses!.flatMap((a) => patientsWithAddress(ctx.db, a));
    const idx = [...new Set(localIds.flatMap((id) => audit.find({ patientId: id, limit: 1000 })))].sort((x, y) => x - y);
    const sth = await audit.signedTreeHead();
    const anchored = records.auditAnchorer.latest() ?? null;
    await records.audited({ agent: p.agent, network: req.ip }, { action: 'R', subtype: 'audit-view', outcome: '0', patientId: localIds[0] });
    return {
      org: ctx.config.org,
      orgId: ctx.orgId,
      sth,
      anchored,
      consistency: anchored ? consistencyProof(log, anchored.treeSize, sth.treeSize) : null,
      entries: idx.map((i) => ({ event: audit.entry(i), proof: inclusionProof(log, i, sth.treeSize, null) })),
    };
  });

  // NDJSON: first line the signed tree head, then one line per entry with its inclusion proof to it.
  app.get('/api/audit/export', { ...admin, ...expensive(ctx) }, async (req, reply) => {
    const q = parseOr400(reply, rangeQuery.omit({ limit: true, offset: true }), req.query, 'query');
    if (!q) return reply;
    const sth = await audit.signedTreeHead();
    const anchored = records.auditAnchorer.latest() ?? null;
    const lines: string[] = [JSON.stringify({ sth, anchored, consistency: anchored ? consistencyProof(log, anchored.treeSize, sth.treeSize) : null })];
    for (let after: number | undefined; ; ) {
      const idx = audit.find({ patientId: q.patient, agent: q.agent, fromMs: q.from, toMs: q.to, limit: 1000, after });
      for (const i of idx) lines.push(JSON.stringify({ event: audit.entry(i), proof: inclusionProof(log, i, sth.treeSize, null) }));
      if (idx.length < 1000) break;
      after = idx.at(-1);
    }
    await records.audited({ agent: req.principal!.agent, network: req.ip }, { action: 'E', subtype: 'audit-export', outcome: '0', patientId: q.patient, query: req.url });
    return reply.type('application/x-ndjson').send(lines.join('\n') + '\n');
  });

  app.get('/api/audit/flags', admin, async (req, reply) => {
    const q = parseOr400(reply, rangeQuery.pick({ from: true, to: true }), req.query, 'query');
    if (!q) return reply;
    const range = { fromMs: q.from ?? Date.now() - 24 * 3600_000, toMs: q.to ?? Date.now() + 1 };
    const flags = evaluateFlags(audit, range);
    return { from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString(), flags: flags.map((f) => ({ ...f, events: f.evidence.slice(0, 20).map((i) => audit.entry(i)) })) };
  });

  app.post('/api/audit/watch/:patientId', admin, async (req, reply) => {
    const p = parseOr400(reply, z.object({ patientId: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/) }), req.params, 'patient id');
    const b = parseOr400(reply, z.object({ reason: z.enum(['vip', 'colleague', 'employee', 'other']) }).strict(), req.body, 'body');
    if (!p || !b) return reply;
    await records.queue.run(() => audit.watch(p.patientId, b.reason));
    return reply.code(204).send();
  });
}
