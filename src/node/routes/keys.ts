/**
 * Operator: rotate the key-encryption key (adds a key to the key file, re-wraps every data key).
 * Only for the `file` KEK provider: a KEK from the environment or a KMS is rotated where it is kept,
 * and rotating the file's KEK underneath it would leave data keys wrapped by a KEK the node does
 * not use (`crypto/kek-provider.ts`).
 */
import type { FastifyInstance } from 'fastify';
import { kekProviderName } from '../../crypto/kek-provider.ts';
import { addKek, loadKeyFile, type OrgKeys } from '../../crypto/org-keys.ts';
import { notSupported } from '../../shared/errors.ts';
import type { Gate } from '../../http/gate.ts';
import { rewrapAll } from '../../records/key-rotation.ts';
import type { RecordStore } from '../../records/store.ts';
import type { WriteQueue } from '../../storage/write-queue.ts';

export function keyRoutes(app: FastifyInstance, deps: { keyFile: string; store: RecordStore; queue: WriteQueue; gate: Gate; alsoSeal?: { setKeys(keys: OrgKeys): void }[] }): void {
  app.post('/api/keys/rotate', deps.gate.roles(), async () => {
    const provider = kekProviderName(process.env);
    if (provider !== 'file') throw notSupported(`the KEK comes from the ${provider} provider: rotate it there (POST /api/keys/rotate rotates the key file's KEK only)`);
    addKek(deps.keyFile);
    const keys = loadKeyFile(deps.keyFile);
    deps.store.setKeys(keys);
    // Other stores seal new data under the new key from now on (their existing data keys stay wrapped by the old one, kept in the key file).
    for (const other of deps.alsoSeal ?? []) other.setKeys(keys);
    return rewrapAll(deps.queue, keys);
  });
}
