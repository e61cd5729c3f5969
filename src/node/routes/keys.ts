import type { FastifyInstance } from 'fastify';
import { addKek, loadKeyFile } from '../../crypto/org-keys.ts';
import { rewrapAll } from '../../records/key-rotation.ts';
import type { RecordService } from '../../records/service.ts';
import { requireAdmin } from '../admin-auth.ts';
import type { NodeContext } from '../context.ts';

/** Operator: rotate the key-encryption key (adds a key to the key file, re-wraps every data key). */
export function keyRoutes(app: FastifyInstance, ctx: NodeContext, records: RecordService) {
  app.post('/api/keys/rotate', { preHandler: requireAdmin(ctx) }, async () => {
    addKek(ctx.config.keyFile);
    ctx.keys = loadKeyFile(ctx.config.keyFile);
    records.store.setKeys(ctx.keys);
    return rewrapAll(ctx.db, records.queue, ctx.keys);
  });
}
