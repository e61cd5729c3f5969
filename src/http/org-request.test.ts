import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keccak256, stringToHex, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { participantsProjector } from '../indexer/projectors/participants.ts';
import { openSqlite } from '../storage/sqlite.ts';
import { MAX_SKEW_MS, NONCE_HEADER, signOrgRequest, verifyOrgRequest, type OrgRequest } from './org-request.ts';

const id = (s: string) => keccak256(stringToHex(s));

test('signed org-to-org requests: accepted once, refused when replayed, redirected, altered, stale or from an inactive org', async () => {
  const db = await openSqlite(':memory:', { p: participantsProjector.migrations });
  const alice = privateKeyToAccount(generatePrivateKey());
  const [A, B, C] = [id('a'), id('b'), id('c')];
  const insert = (org: Hex, signer: string, active: number) =>
    db.run('INSERT INTO participants (org_id, kind, name, signer, encryption_key, endpoint, active, registered_block, updated_block) VALUES (?, ?, ?, ?, ?, ?, ?, 1, 1)', [org, 'distributor', org, signer, '0x00', '', active]);
  await insert(A, alice.address, 1);
  const seen = new Set<string>();
  const deps = { sql: db, useNonce: async (o: Hex, n: string) => !seen.has(`${o}${n}`) && !!seen.add(`${o}${n}`) };
  const req: OrgRequest = { protocol: 'supply-verify', audience: B, method: 'GET', path: '/01/00614141123452/21/1?17=280131', body: '' };
  const headers = await signOrgRequest(alice, A, req);

  assert.equal((await verifyOrgRequest(deps, { ...req, headers })).orgId, A);
  await assert.rejects(verifyOrgRequest(deps, { ...req, headers }), /replayed/);
  const fresh = async () => signOrgRequest(alice, A, req);
  await assert.rejects(verifyOrgRequest(deps, { ...req, audience: C, headers: await fresh() }), /signed for another node/);
  await assert.rejects(verifyOrgRequest(deps, { ...req, path: '/01/00614141123452/21/2', headers: await fresh() }), /signed for another node, path or body/);
  await assert.rejects(verifyOrgRequest(deps, { ...req, protocol: 'supply-records', headers: await fresh() }), /not signed/);
  await assert.rejects(verifyOrgRequest({ ...deps, now: () => Date.now() + MAX_SKEW_MS + 1000 }, { ...req, headers: await fresh() }), /too old/);
  await assert.rejects(verifyOrgRequest(deps, { ...req, headers: { ...(await fresh()), [NONCE_HEADER]: 'x' } }), /needs the headers/);
  const mallory = privateKeyToAccount(generatePrivateKey());
  await assert.rejects(verifyOrgRequest(deps, { ...req, headers: await signOrgRequest(mallory, A, req) }), /not signed by the requesting organization/);
  await db.run('UPDATE participants SET active = 0 WHERE org_id = ?', [A]);
  await assert.rejects(verifyOrgRequest(deps, { ...req, headers: await fresh() }), /not an active participant/);
  await db.close();
});
