/** Credential verification per second: ES256K signature, issuer authority and scope, window, status from the index. */

import { licenseTestPractitioner, startTestNode, tempDir } from '../test/helpers/env.ts';
import { measure, type BenchResult } from './measure.ts';

export async function credentialBenchmarks(progress: (m: string) => void): Promise<BenchResult[]> {
  const tmp = tempDir('carechain-bench-credentials-');
  const { chain, node, token } = await startTestNode(tmp.dir, 'bench-credentials');
  try {
    progress('issuing a licence');
    const { jws } = await licenseTestPractitioner(chain, tmp.dir, { url: node.url, token }, 'Practitioner/bench');
    const block = node.services.indexer.indexedBlock;
    if (!(await node.services.credentialStore.verify(jws, block)).valid) throw new Error('benchmark credential does not verify');
    progress('verifying');
    return [await measure('credential verification (ES256K signature + status from the index)', () => node.services.credentialStore.verify(jws, block), { iterations: 3000 })];
  } finally {
    await node.stop();
    await chain.stop();
    tmp.remove();
  }
}
