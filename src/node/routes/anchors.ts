import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { anchorRegistryAbi } from '../../chain/generated/contracts.ts';
import { LOG_KINDS, logIdOf, logKindToChain } from '../../chain/ids.ts';
import { errorMessage } from '../../errors.ts';
import { listAnchors } from '../../indexer/queries.ts';
import type { NodeContext } from '../context.ts';
import { parseOr400, sendError } from '../http-errors.ts';
import { requireAdmin } from '../admin-auth.ts';

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be 32 bytes hex').transform((s) => s.toLowerCase() as `0x${string}`);
const logName = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be 1-64 lowercase letters, digits, dots, dashes');

const listQuery = z.object({
  org: hex32.optional(),
  kind: z.enum(LOG_KINDS).optional(),
  log: logName.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const anchorBody = z.object({
  kind: z.enum(LOG_KINDS),
  log: logName,
  treeSize: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  root: hex32,
}).strict();

export function anchorRoutes(app: FastifyInstance, ctx: NodeContext) {
  app.get('/api/anchors', async (req, reply) => {
    const q = parseOr400(reply, listQuery, req.query, 'query');
    if (!q) return reply;
    const anchors = listAnchors(ctx.db, { orgId: q.org, kind: q.kind, logId: q.log ? logIdOf(q.log) : undefined, limit: q.limit });
    return { indexedBlock: ctx.indexer.indexedBlock, anchors };
  });

  // Operator endpoint: anchor a tree head of one of this organization's logs. The transaction is
  // journalled before it is sent, so an acknowledged anchor survives a crash of the node.
  app.post('/api/anchors', { preHandler: requireAdmin(ctx) }, async (req, reply) => {
    const b = parseOr400(reply, anchorBody, req.body, 'anchor');
    if (!b) return reply;
    if ((b.kind === 'records' && b.log === 'records') || (b.kind === 'audit' && b.log === 'audit')) {
      return sendError(reply, 409, 'reserved', `${b.kind}/${b.log} is the node's own log: it anchors it itself`);
    }
    try {
      const { hash, receipt } = await ctx.sender.sendContract({
        address: ctx.deployment.contracts.AnchorRegistry.address,
        abi: anchorRegistryAbi,
        functionName: 'anchor',
        args: [logKindToChain(b.kind), logIdOf(b.log), BigInt(b.treeSize), b.root],
        label: `anchor ${b.kind}/${b.log} size ${b.treeSize}`,
      });
      await ctx.indexer.waitForBlock(receipt.blockNumber, 10_000).catch(() => {});
      return reply.code(201).send({ txHash: hash, blockNumber: Number(receipt.blockNumber), logId: logIdOf(b.log) });
    } catch (err) {
      const msg = errorMessage(err);
      // A revert found by gas estimation is the caller's problem (e.g. a tree size that does not grow).
      if (/rejected by the chain/.test(msg)) return sendError(reply, 409, 'rejected', msg);
      req.log.error({ err }, 'anchor failed');
      return sendError(reply, 502, 'chain-error', msg);
    }
  });

  app.get('/api/transactions', { preHandler: requireAdmin(ctx) }, async () => ({ transactions: ctx.sender.entries(100) }));

}
