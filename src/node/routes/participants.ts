import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ORG_KINDS } from '../../chain/ids.ts';
import { getParticipant, listParticipants } from '../../indexer/queries.ts';
import type { NodeContext } from '../context.ts';
import { parseOr400, sendError } from '../http-errors.ts';

const listQuery = z.object({
  kind: z.enum(ORG_KINDS).optional(),
  active: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});
const idParams = z.object({ orgId: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'an organization id is 32 bytes hex').transform((s) => s.toLowerCase() as `0x${string}`) });

/** The participant directory, served from the indexed copy of the registry. */
export function participantRoutes(app: FastifyInstance, ctx: NodeContext) {
  app.get('/api/participants', async (req, reply) => {
    const q = parseOr400(reply, listQuery, req.query, 'query');
    if (!q) return reply;
    return { indexedBlock: ctx.indexer.indexedBlock, participants: listParticipants(ctx.db, q) };
  });

  app.get('/api/participants/:orgId', async (req, reply) => {
    const p = parseOr400(reply, idParams, req.params, 'organization id');
    if (!p) return reply;
    const participant = getParticipant(ctx.db, p.orgId);
    if (!participant) return sendError(reply, 404, 'not-found', `no organization ${p.orgId} in the registry (as of block ${ctx.indexer.indexedBlock})`);
    return { indexedBlock: ctx.indexer.indexedBlock, participant };
  });
}
