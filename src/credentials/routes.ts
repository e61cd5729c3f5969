/** Credentials API: issue and change status (issuers), present and verify (anyone), directory, exclusions. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { credentialStatusAbi } from '../chain/generated/contracts.ts';
import { errorMessage } from '../errors.ts';
import { requireRoles } from '../node/admin-auth.ts';
import type { NodeContext } from '../node/context.ts';
import { parseOr400, sendError } from '../node/http-errors.ts';
import type { RecordService } from '../records/service.ts';
import { importExclusions, verifyCredential } from './store.ts';
import { credentialTypeId, jurisdictionId } from './types.ts';
import { issueInputSchema, signCredential } from './vc.ts';

const jws = z.object({ credential: z.string().min(20).max(20_000) }).strict();
const idParam = z.object({ id: z.string().regex(/^0x[0-9a-f]{64}$/), action: z.enum(['suspend', 'reinstate', 'revoke']) });

export function credentialRoutes(app: FastifyInstance, ctx: NodeContext, records: RecordService) {
  const address = () => ctx.deployment.contracts.CredentialStatus.address;
  const audit = (req: { principal?: { agent: string }; ip: string }, subtype: string, outcome: '0' | '4', desc: string, what: string[] = []) =>
    records.audited({ agent: req.principal?.agent ?? `Organization/${ctx.config.org}`, network: req.ip }, { action: 'E', subtype, outcome, outcomeDesc: desc.slice(0, 500), what });

  // Issuer side: sign the credential, then record it as active on the ledger (which checks our scope).
  app.post('/api/credentials/issue', { preHandler: requireRoles(ctx) }, async (req, reply) => {
    const input = parseOr400(reply, issueInputSchema, req.body, 'credential');
    if (!input) return reply;
    const signed = await signCredential(ctx.orgId, { account: ctx.keys.account, privateKey: ctx.keys.signingKey }, input);
    try {
      const { receipt } = await ctx.sender.sendContract({
        address: address(),
        abi: credentialStatusAbi,
        functionName: 'register',
        args: [signed.credentialId, credentialTypeId(input.type), jurisdictionId(input.jurisdiction)],
        label: `credential ${signed.credentialId}`,
      });
      await ctx.indexer.waitForBlock(receipt.blockNumber, 15_000).catch(() => {});
    } catch (err) {
      await audit(req, 'credential-issue', '4', errorMessage(err));
      return sendError(reply, 422, 'rejected', errorMessage(err));
    }
    await audit(req, 'credential-issue', '0', `${input.type} ${input.jurisdiction} for ${input.subject.practitioner}`, [`Credential/${signed.credentialId}`]);
    return reply.code(201).send({ credentialId: signed.credentialId, credential: signed.jws });
  });

  app.post('/api/credentials/:id/:action', { preHandler: requireRoles(ctx) }, async (req, reply) => {
    const p = parseOr400(reply, idParam, req.params, 'credential');
    if (!p) return reply;
    try {
      const { receipt } = await ctx.sender.sendContract({ address: address(), abi: credentialStatusAbi, functionName: p.action, args: [p.id as `0x${string}`], label: `credential ${p.action} ${p.id}` });
      await ctx.indexer.waitForBlock(receipt.blockNumber, 15_000).catch(() => {});
      await audit(req, `credential-${p.action}`, '0', p.action, [`Credential/${p.id}`]);
      return { credentialId: p.id, status: p.action === 'reinstate' ? 'active' : p.action === 'suspend' ? 'suspended' : 'revoked', blockNumber: Number(receipt.blockNumber) };
    } catch (err) {
      await audit(req, `credential-${p.action}`, '4', errorMessage(err), [`Credential/${p.id}`]);
      return sendError(reply, 422, 'rejected', errorMessage(err));
    }
  });

  // Anyone authenticated may verify a credential against this node's index of the ledger.
  app.post('/api/credentials/verify', { preHandler: requireRoles(ctx, 'clinician', 'staff', 'privacy-officer', 'patient') }, async (req, reply) => {
    const b = parseOr400(reply, jws, req.body, 'credential');
    if (!b) return reply;
    const v = await verifyCredential(ctx.db, b.credential, ctx.indexer.indexedBlock);
    await audit(req, 'credential-verify', v.valid ? '0' : '4', v.valid ? 'valid' : v.problems.join('; '), v.claims ? [`Credential/${v.claims.credentialStatus.id}`] : []);
    return v;
  });

  // A practitioner of this organization presents a credential; only valid ones are kept.
  app.post('/api/credentials/present', { preHandler: requireRoles(ctx, 'staff') }, async (req, reply) => {
    const b = parseOr400(reply, jws, req.body, 'credential');
    if (!b) return reply;
    const v = await verifyCredential(ctx.db, b.credential, ctx.indexer.indexedBlock);
    await audit(req, 'credential-present', v.valid ? '0' : '4', v.valid ? 'accepted' : v.problems.join('; '), v.claims ? [v.claims.credentialSubject.id] : []);
    if (!v.valid) return sendError(reply, 422, 'invalid-credential', v.problems.join('; '));
    const c = v.claims!;
    await records.queue.run(() =>
      ctx.db.prepare('INSERT OR REPLACE INTO practitioner_credentials (credential_id, practitioner, type, jws, presented_at) VALUES (?, ?, ?, ?, ?)').run(
        c.credentialStatus.id, c.credentialSubject.id, c.credentialSubject.credential.type, b.credential, new Date().toISOString()),
    );
    return reply.code(201).send({ practitioner: c.credentialSubject.id, credentialId: c.credentialStatus.id, type: c.credentialSubject.credential.type });
  });

  // The practitioner directory with each credential's verification state now.
  app.get('/api/credentials/directory', { preHandler: requireRoles(ctx, 'clinician', 'staff', 'privacy-officer') }, async () => {
    const rows = ctx.db.prepare('SELECT practitioner, type, jws FROM practitioner_credentials ORDER BY practitioner, type').all() as { practitioner: string; type: string; jws: string }[];
    const out = [];
    for (const r of rows) {
      const v = await verifyCredential(ctx.db, r.jws, ctx.indexer.indexedBlock);
      out.push({ practitioner: r.practitioner, type: r.type, credentialId: v.claims?.credentialStatus.id, valid: v.valid, status: v.status, problems: v.problems, issuer: v.issuer?.name });
    }
    return { indexedBlock: ctx.indexer.indexedBlock, practitioners: out };
  });

  app.register(async (csv) => {
    csv.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 200 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    csv.post('/api/exclusions/import', { preHandler: requireRoles(ctx) }, async (req, reply) => {
      if (typeof req.body !== 'string') return sendError(reply, 415, 'unsupported', 'send the LEIE file as text/csv');
      try {
        const n = await records.queue.run(() => importExclusions(ctx.db, req.body as string));
        await audit(req, 'exclusions-import', '0', `${n} exclusions`);
        return { imported: n };
      } catch (err) {
        return sendError(reply, 400, 'invalid-request', errorMessage(err));
      }
    });
  });
}
