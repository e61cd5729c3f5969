/**
 * Research API (issue 16). Sponsor and site staff (role clinician; admins hold every role): register
 * and amend studies, enrol subjects under their consent, capture data, seal batches, check reported
 * outcomes, export de-identified datasets. Monitors (clinician or privacy officer): the integrity
 * report. Patients: consent with their custodial key (rate-limited, their passphrase), the studies
 * using their data, withdrawal. Anyone: the registry entry's verification of a paper's dataset.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { hex32 } from '../consent/protocol.ts';
import type { Resource } from '../fhir/types.ts';
import { callerOf, type Gate } from '../http/gate.ts';
import { parse } from '../http/parse.ts';
import { LOGIN_RATE_LIMIT } from '../http/rate-limits.ts';
import { outcomeSchema, protocolInputSchema } from './protocol/protocol.ts';
import type { ResearchService } from './service.ts';

const patientId = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'a Patient id');
const resource = z.object({ resourceType: z.string().min(1) }).passthrough();
const studyPath = z.object({ studyId: hex32 });
const subjectPath = z.object({ studyId: hex32, patientId });
const registerBody = z.object({ study: resource, protocol: protocolInputSchema }).strict();
const amendBody = z.object({ protocol: protocolInputSchema, reason: z.string().min(1).max(10_000), reconsent: z.boolean(), study: resource.optional() }).strict();
const consentBody = z.object({ patientId, passphrase: z.string().max(1000), days: z.number().positive().max(3650) }).strict();
const enrollBody = z.object({ patientId, grantId: hex32 }).strict();
const captureBody = z.object({ patientId, resources: z.array(resource).min(1).max(1000) }).strict();
const reportedOutcome = outcomeSchema.omit({ id: true }).extend({ registeredId: z.string().max(100).optional(), declaredAsNew: z.object({ reason: z.string().min(1).max(2000) }).strict().optional() }).strict();
const outcomesBody = z.object({ reported: z.array(reportedOutcome).max(500) }).strict();
const versionDoc = z.object({ study: z.record(z.string(), z.unknown()), document: z.string(), outcomes: z.array(outcomeSchema), scope: protocolInputSchema.shape.scope }).strict();
const importBody = z.object({ sponsor: hex32, researchStudyId: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/), versions: z.array(z.object({ version: z.number().int().positive(), doc: versionDoc, reason: z.string().nullable() }).strict()).min(1).max(1000) }).strict();
const verifyBody = z.object({ resources: z.array(z.unknown()).min(1).max(1_000_000) }).strict();

export function researchRoutes(app: FastifyInstance, research: ResearchService, gate: Gate): void {
  const staff = gate.roles('clinician');
  const big = { bodyLimit: 50 * 1024 * 1024 };
  app.post('/api/research/studies', staff, async (req, reply) => {
    const b = parse(registerBody, req.body, 'study registration');
    return reply.code(201).send(await research.register(callerOf(req), b.study as Resource, b.protocol));
  });
  app.get('/api/research/studies/:studyId', gate.authenticated(), async (req) => research.entry(parse(studyPath, req.params, 'path').studyId));
  app.get('/api/research/studies/:studyId/protocol', gate.authenticated(), async (req) => research.protocol(parse(studyPath, req.params, 'path').studyId));
  app.post('/api/research/imports', { ...staff, ...big }, async (req, reply) => reply.code(201).send(await research.importStudy(callerOf(req), parse(importBody, req.body, 'study import'))));
  app.post('/api/research/studies/:studyId/amendments', staff, async (req, reply) => {
    const { studyId } = parse(studyPath, req.params, 'path');
    const b = parse(amendBody, req.body, 'amendment');
    return reply.code(201).send(await research.amend(callerOf(req), studyId, { ...b, ...(b.study ? { study: b.study as Resource } : {}) }));
  });
  app.post('/api/research/studies/:studyId/consent', LOGIN_RATE_LIMIT, async (req, reply) => {
    const { studyId } = parse(studyPath, req.params, 'path');
    return reply.code(201).send(await research.consentAsCustodyPatient(req.ip, studyId, parse(consentBody, req.body, 'research consent')));
  });
  app.post('/api/research/studies/:studyId/subjects', staff, async (req, reply) => {
    const { studyId } = parse(studyPath, req.params, 'path');
    return reply.code(201).send(await research.enroll(callerOf(req), studyId, parse(enrollBody, req.body, 'enrolment')));
  });
  app.get('/api/research/studies/:studyId/subjects/:patientId', staff, async (req) => {
    const p = parse(subjectPath, req.params, 'path');
    const { usable, reason } = await research.status(p.studyId, p.patientId);
    return { usable, reason };
  });
  app.post('/api/research/studies/:studyId/subjects/:patientId/withdrawal', staff, async (req, reply) => {
    const p = parse(subjectPath, req.params, 'path');
    return reply.code(201).send(await research.withdraw(callerOf(req), p.studyId, p.patientId));
  });
  app.post('/api/research/studies/:studyId/data', { ...staff, ...big }, async (req, reply) => {
    const { studyId } = parse(studyPath, req.params, 'path');
    const b = parse(captureBody, req.body, 'data capture');
    return reply.code(201).send(await research.capture(callerOf(req), studyId, b.patientId, b.resources as Resource[]));
  });
  app.post('/api/research/studies/:studyId/batches', staff, async (req, reply) => reply.code(201).send(await research.sealBatch(callerOf(req), parse(studyPath, req.params, 'path').studyId)));
  app.get('/api/research/studies/:studyId/integrity', gate.roles('clinician', 'privacy-officer'), async (req) => research.integrity(callerOf(req), parse(studyPath, req.params, 'path').studyId));
  app.get('/api/research/studies/:studyId/entries/:seq/proof', gate.roles('clinician', 'privacy-officer'), async (req) => {
    const p = parse(z.object({ studyId: hex32, seq: z.coerce.number().int().positive() }), req.params, 'path');
    return research.entryProof(callerOf(req), p.studyId, p.seq);
  });
  app.post('/api/research/studies/:studyId/outcome-check', staff, async (req) => {
    const { studyId } = parse(studyPath, req.params, 'path');
    return research.checkOutcomes(callerOf(req), studyId, parse(outcomesBody, req.body, 'reported outcomes').reported);
  });
  app.post('/api/research/studies/:studyId/exports', staff, async (req, reply) => reply.code(201).send(await research.export(callerOf(req), parse(studyPath, req.params, 'path').studyId)));
  app.post('/api/research/studies/:studyId/datasets/verify', big, async (req) => {
    const { studyId } = parse(studyPath, req.params, 'path');
    return research.verifyDataset(studyId, parse(verifyBody, req.body, 'dataset').resources);
  });
  app.get('/api/research/my-studies', gate.roles('patient'), async (req) => ({ studies: await research.myStudies(callerOf(req)) }));
  app.post('/api/research/my-studies/:studyId/withdrawal', gate.roles('patient'), async (req, reply) => reply.code(201).send(await research.withdrawMe(callerOf(req), parse(studyPath, req.params, 'path').studyId)));
}
