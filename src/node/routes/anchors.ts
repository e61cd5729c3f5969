/** The ledger's anchored roots (public, from the index) and the operator's own anchoring. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Deployment } from '../../chain/deployment.ts';
import { anchorRegistryAbi } from '../../chain/generated/contracts.ts';
import { LOG_KINDS, logIdOf, logKindToChain } from '../../chain/ids.ts';
import type { TxSender } from '../../chain/journal.ts';
import type { Ledger } from '../../chain/submit.ts';
import type { Gate } from '../../http/gate.ts';
import { parse } from '../../http/parse.ts';
import { listAnchors } from '../../indexer/projectors/anchors.ts';
import { conflict, isDomainError } from '../../shared/errors.ts';
import type { Storage } from '../../storage/engine.ts';

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be 32 bytes hex').transform((s) => s.toLowerCase() as `0x${string}`);
const logName = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be 1-64 lowercase letters, digits, dots, dashes');
const listQuery = z.object({ org: hex32.optional(), kind: z.enum(LOG_KINDS).optional(), log: logName.optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) });
const anchorBody = z.object({ kind: z.enum(LOG_KINDS), log: logName, treeSize: z.number().int().positive().max(Number.MAX_SAFE_INTEGER), root: hex32 }).strict();

export interface AnchorRouteDeps {
  storage: Storage;
  ledger: Ledger;
  journal: TxSender;
  deployment: Deployment;
  gate: Gate;
  indexedBlock: () => number;
}

export function anchorRoutes(app: FastifyInstance, deps: AnchorRouteDeps): void {
  app.get('/api/anchors', async (req) => {
    const q = parse(listQuery, req.query, 'query');
    return { indexedBlock: deps.indexedBlock(), anchors: await listAnchors(deps.storage, { orgId: q.org, kind: q.kind, logId: q.log ? logIdOf(q.log) : undefined, limit: q.limit }) };
  });

  // Operator: anchor a tree head of one of this organization's other logs (journalled: survives a crash).
  app.post('/api/anchors', deps.gate.roles(), async (req, reply) => {
    const b = parse(anchorBody, req.body, 'anchor');
    if ((b.kind === 'records' && b.log === 'records') || (b.kind === 'audit' && b.log === 'audit')) throw conflict(`${b.kind}/${b.log} is the node's own log: it anchors it itself`, 'reserved');
    const { hash, blockNumber } = await deps.ledger
      .submit({
        address: deps.deployment.contracts.AnchorRegistry.address,
        abi: anchorRegistryAbi,
        functionName: 'anchor',
        args: [logKindToChain(b.kind), logIdOf(b.log), BigInt(b.treeSize), b.root],
        label: `anchor ${b.kind}/${b.log} size ${b.treeSize}`,
      })
      .catch((err: unknown) => {
        // A revert is a conflict with the log's anchored state (e.g. a tree size that does not grow).
        throw isDomainError(err, 'unprocessable') ? conflict(err.message, 'rejected') : err;
      });
    return reply.code(201).send({ txHash: hash, blockNumber, logId: logIdOf(b.log) });
  });

  app.get('/api/transactions', deps.gate.roles(), async () => ({ transactions: await deps.journal.entries(100) }));
}
