/** The participant directory, served from the indexed copy of the registry (public). */
import type { FastifyInstance } from 'fastify';
import type { Hex } from 'viem';
import { z } from 'zod';
import { ORG_KINDS } from '../../chain/ids.ts';
import { parse } from '../../http/parse.ts';
import { getParticipant, listParticipants } from '../../indexer/projectors/participants.ts';
import { notFound } from '../../shared/errors.ts';
import type { Storage } from '../../storage/engine.ts';

const listQuery = z.object({ kind: z.enum(ORG_KINDS).optional(), active: z.enum(['true', 'false']).transform((v) => v === 'true').optional() });
const idParams = z.object({ orgId: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'an organization id is 32 bytes hex').transform((s) => s.toLowerCase() as Hex) });

export function participantRoutes(app: FastifyInstance, storage: Storage, indexedBlock: () => number): void {
  app.get('/api/participants', async (req) => ({ indexedBlock: indexedBlock(), participants: await listParticipants(storage, parse(listQuery, req.query, 'query')) }));

  app.get('/api/participants/:orgId', async (req) => {
    const { orgId } = parse(idParams, req.params, 'organization id');
    const participant = await getParticipant(storage, orgId);
    if (!participant) throw notFound(`organization ${orgId} in the registry (as of block ${indexedBlock()})`);
    return { indexedBlock: indexedBlock(), participant };
  });
}
