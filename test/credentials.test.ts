/**
 * Credentialing on a real Anvil: issuer scopes, VC-JOSE credentials, every status transition and its
 * effect on a clinician's access, issuer-scope violations, forged, tampered and expired credentials,
 * NPI check digits, and LEIE exclusions.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import { credentialStatusAbi } from '../src/chain/generated/contracts.ts';
import type { TxSender } from '../src/chain/journal.ts';
import { credentialTypeId, isValidNpi, jurisdictionId } from '../src/credentials/types.ts';
import { signCredential } from '../src/credentials/vc.ts';
import type { RunningNode } from '../src/node/start.ts';
import { licenseTestPractitioner, runCli, startTestNode, tempDir, waitUntil, type TestOrg } from './helpers/env.ts';

const tmp = tempDir();
let chain: EmbeddedChain;
let org: TestOrg;
let node: RunningNode;
let adminToken: string;
let clinicianToken: string;
let board: TestOrg;
let boardSender: TxSender;
let credentialId: `0x${string}`;
let jws: string;
let patientId: string;
const PASSWORD = 'a long enough password';

async function call(token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': path.startsWith('/fhir') ? 'application/fhir+json' : 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
}

async function boardAction(functionName: 'suspend' | 'reinstate' | 'revoke') {
  const { receipt } = await boardSender.sendContract({ address: chain.deployment.contracts.CredentialStatus.address, abi: credentialStatusAbi, functionName, args: [credentialId] });
  await node.services.indexer.waitForBlock(receipt.blockNumber);
}
const clinicianRead = async () => call(clinicianToken, 'GET', `/fhir/Patient/${patientId}`);

before(async () => {
  ({ chain, org, node, token: adminToken } = await startTestNode(tmp.dir, 'credentialed-hospital'));
  ({ credentialId, jws, board, boardSender } = await licenseTestPractitioner(chain, tmp.dir, { url: node.url, token: adminToken }, 'Practitioner/wilson'));
  const r = await runCli(['user', 'add', '--org', org.slug, '--home', tmp.dir, '--username', 'dr.wilson', '--role', 'clinician', '--practitioner', 'Practitioner/wilson'], { CARECHAIN_PASSWORD: PASSWORD });
  assert.equal(r.code, 0, r.stderr);
  clinicianToken = (await call('', 'POST', '/api/auth/login', { username: 'dr.wilson', password: PASSWORD })).body.access_token;
  patientId = (await call(adminToken, 'POST', '/fhir/Patient', { resourceType: 'Patient', name: [{ family: 'Licensed' }] })).body.id;
});
after(async () => {
  await node?.stop();
  await chain?.stop();
  tmp.remove();
});

describe('credentials', () => {
  test('NPI check digits', () => {
    for (const ok of ['1234567893', '1245319599', '1679576722']) assert.equal(isValidNpi(ok), true, ok);
    for (const bad of ['1234567890', '123456789', 'abcdefghij', '1245319598']) assert.equal(isValidNpi(bad), false, bad);
  });

  test('a valid licence verifies: signature, issuer authority, window, ledger status', async () => {
    const v = await call(clinicianToken, 'POST', '/api/credentials/verify', { credential: jws });
    assert.equal(v.body.valid, true, JSON.stringify(v.body.problems));
    assert.equal(v.body.status, 'active');
    assert.equal(v.body.claims['@context'][0], 'https://www.w3.org/ns/credentials/v2');
    assert.deepEqual(v.body.claims.type, ['VerifiableCredential', 'MedicalLicenseCredential']);
    const file = join(tmp.dir, 'licence.jws');
    writeFileSync(file, jws);
    const cli = await runCli(['credential', 'verify', '--node', node.url, '--org', org.slug, '--home', tmp.dir, '--file', file]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(JSON.parse(cli.stdout).valid, true);
  });

  test('each status change takes effect on access from its block', async () => {
    assert.equal((await clinicianRead()).status, 200, 'licensed');
    await boardAction('suspend');
    const suspended = await clinicianRead();
    assert.equal(suspended.status, 403);
    assert.match(suspended.body.issue[0].diagnostics, /credential suspended on the ledger/);
    assert.equal((await call(clinicianToken, 'GET', '/fhir/Practitioner?_count=1')).status, 200, 'the directory stays readable');
    await boardAction('reinstate');
    assert.equal((await clinicianRead()).status, 200, 'reinstated');
    await boardAction('revoke');
    assert.match((await clinicianRead()).body.issue[0].diagnostics, /credential revoked on the ledger/);
    await assert.rejects(boardAction('reinstate'), /InvalidTransition/);
    // The denial is in the audit trail.
    const last = (await node.services.audit.log.entry(node.services.audit.log.log.size - 1)) as any;
    assert.equal(last.outcome, '4');
    assert.match(last.outcomeDesc, /no valid licence/);
  });

  test('issuer scope: a board cannot issue outside its jurisdiction; others cannot change its credentials', async () => {
    await assert.rejects(
      boardSender.sendContract({ address: chain.deployment.contracts.CredentialStatus.address, abi: credentialStatusAbi, functionName: 'register', args: [`0x${'ab'.repeat(32)}`, credentialTypeId('medical-licence'), jurisdictionId('US-NY'), privateKeyToAccount(generatePrivateKey()).address, `0x${'cd'.repeat(32)}`] }),
      /OutsideIssuerScope/,
    );
    const notScoped = await call(adminToken, 'POST', '/api/credentials/issue', {
      type: 'medical-licence', jurisdiction: 'US-CA', subject: { practitioner: 'Practitioner/x', name: 'X', holder: privateKeyToAccount(generatePrivateKey()).address }, number: '1', validFrom: new Date().toISOString(), validUntil: new Date(Date.now() + 1e9).toISOString(),
    });
    assert.equal(notScoped.status, 422, 'a hospital is no issuer');
    assert.match(notScoped.body.error.message, /OutsideIssuerScope/);
    const fresh = await licenseTestPractitioner(chain, tmp.dir, { url: node.url, token: adminToken }, 'Practitioner/cuddy');
    const hijack = await call(adminToken, 'POST', `/api/credentials/${fresh.credentialId}/suspend`);
    assert.equal(hijack.status, 422);
    assert.match(hijack.body.error.message, /NotIssuer/);
    const badNpi = await call(adminToken, 'POST', '/api/credentials/issue', {
      type: 'npi', jurisdiction: 'US', subject: { practitioner: 'Practitioner/x', name: 'X', npi: '1234567890', holder: privateKeyToAccount(generatePrivateKey()).address }, number: '1', validFrom: new Date().toISOString(), validUntil: new Date(Date.now() + 1e9).toISOString(),
    });
    assert.equal(badNpi.status, 400);
    assert.match(badNpi.body.error.message, /not a valid NPI/);
  });

  test('forged, tampered and expired credentials do not verify', async () => {
    const fresh = await licenseTestPractitioner(chain, tmp.dir, { url: node.url, token: adminToken }, 'Practitioner/chase');
    const verify = async (credential: string) => (await call(clinicianToken, 'POST', '/api/credentials/verify', { credential })).body;
    // Signed by a key that is not the board's registered key, claiming the board as issuer.
    const key = generatePrivateKey();
    const forged = await signCredential(board.orgId, { account: privateKeyToAccount(key), privateKey: key }, {
      type: 'medical-licence', jurisdiction: 'US-CA', subject: { practitioner: 'Practitioner/chase', name: 'Chase', holder: privateKeyToAccount(key).address }, number: '9', validFrom: new Date(Date.now() - 1000).toISOString(), validUntil: new Date(Date.now() + 1e9).toISOString(),
    });
    assert.match((await verify(forged.jws)).problems.join(), /not by .* registered key/);
    const [h, p, sig] = fresh.jws.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    claims.credentialSubject.credential.specialty = 'Neurosurgery';
    assert.match((await verify(`${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`)).problems.join(), /signature/);
    const expired = await licenseTestPractitioner(chain, tmp.dir, { url: node.url, token: adminToken }, 'Practitioner/foreman', {
      validFrom: new Date(Date.now() - 2 * 86_400_000).toISOString(),
      validUntil: new Date(Date.now() + 8000).toISOString(),
    }).catch((e: Error) => e);
    assert.ok(!(expired instanceof Error), String(expired));
    const e = expired as { jws: string };
    assert.equal((await verify(e.jws)).valid, true, 'valid until its validUntil');
    await waitUntil('the credential to expire', async () => !(await verify(e.jws)).valid, 15_000);
    assert.match((await verify(e.jws)).problems.join(), /expired on/);
    assert.match((await verify('not.a.credential.at.all.really')).problems.join(), /signature/);
  });

  test('an excluded practitioner (OIG LEIE) is treated as unlicensed', async () => {
    const fresh = await licenseTestPractitioner(chain, tmp.dir, { url: node.url, token: adminToken }, 'Practitioner/wilson');
    assert.equal((await clinicianRead()).status, 200, 'licensed again with a new credential');
    const header = 'LASTNAME,FIRSTNAME,MIDNAME,BUSNAME,GENERAL,SPECIALTY,UPIN,NPI,DOB,ADDRESS,CITY,STATE,ZIP,EXCLTYPE,EXCLDATE,REINDATE,WAIVERDATE,WVRSTATE';
    const csv = [header, 'WILSON,JAMES,E,,IND- LIC HC SERV PRO,INTERNAL MEDICINE,,1234567893,19700101,1 MAIN ST,PRINCETON,NJ,08540,1128b4,20240115,00000000,00000000,', 'DOE,JANE,,,,,,0000000000,19800101,,,,,1128a1,20200101,00000000,00000000,'].join('\n');
    const file = join(tmp.dir, 'leie.csv');
    writeFileSync(file, csv);
    const cli = await runCli(['exclusions', 'import', file, '--node', node.url, '--org', org.slug, '--home', tmp.dir]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /imported 2 exclusions/);
    await waitUntil('the licence cache to expire', async () => (await clinicianRead()).status === 403, 10_000);
    assert.match((await clinicianRead()).body.issue[0].diagnostics, /excluded \(LEIE 1128b4 since 20240115\)/);
    const dir = await call(adminToken, 'GET', '/api/credentials/directory');
    assert.ok(dir.body.practitioners.some((p: any) => p.credentialId === fresh.credentialId && !p.valid && /excluded/.test(p.problems.join())));
    const roles = await call(adminToken, 'GET', '/fhir/PractitionerRole?practitioner=Practitioner/wilson');
    const role = roles.body.entry.find((e: any) => e.resource.id === fresh.credentialId.slice(2)).resource;
    assert.equal(role.active, false);
    assert.ok(role.extension[0].extension.some((x: any) => x.url === 'problem' && /excluded/.test(x.valueString)));
    const list = await runCli(['credential', 'list', '--node', node.url, '--org', org.slug, '--home', tmp.dir]);
    assert.match(list.stdout, /Practitioner\/wilson\s+medical-licence\s+NOT VALID: .*excluded/);
    const bad = await fetch(`${node.url}/api/exclusions/import`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'text/csv' }, body: 'A,B\n1,2\n' });
    assert.equal(bad.status, 400);
  });
});
