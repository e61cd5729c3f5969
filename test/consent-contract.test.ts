// storage-engine: sqlite-only (no node database on this path; the PostgreSQL pass of npm test skips this file)
/**
 * ConsentRegistry on a real Anvil: EIP-712 grants relayed by a participant, revocation from its
 * block, proxies with expiry, and every way to cheat: replayed, forged, out-of-order, expired,
 * cross-domain signatures and relays by outsiders.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BaseError, ContractFunctionRevertedError, keccak256, stringToHex, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { devAccount, type EmbeddedChain } from '../src/chain/embedded.ts';
import { breakGlassRegistryAbi, consentRegistryAbi, recordLocatorAbi } from '../src/chain/generated/contracts.ts';
import { journalMigrations, TxSender } from '../src/chain/journal.ts';
import { consentDomain, purposeToChain, signGrant, signProxy, signRevoke, type GrantMessage } from '../src/consent/typed-data.ts';
import { openSqlite } from '../src/storage/sqlite.ts';
import { registerTestOrg, startTestChain, tempDir, type TestOrg } from './helpers/env.ts';

const tmp = tempDir();
let chain: EmbeddedChain;
let hospital: TestOrg;
let relay: TxSender;
let registry: Address;
let domain: ReturnType<typeof consentDomain>;
const scope = keccak256(stringToHex('scope: Observation, Condition'));
const grantee = keccak256(stringToHex('grantee: riverside'));

async function now(): Promise<bigint> {
  return (await chain.conn.client.getBlock()).timestamp;
}

async function revertName(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const r = (err as BaseError).walk?.((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | undefined;
    if (r) return r.data?.errorName ?? 'unknown';
    const m = /\((\w+)\)/.exec((err as Error).message);
    return m?.[1] ?? (err as Error).message;
  }
  return 'did not revert';
}

const simulate = (functionName: string, args: unknown[], account: Address = hospital.keys.account.address) =>
  chain.conn.client.simulateContract({ address: registry, abi: consentRegistryAbi, functionName, args, account } as never);
const send = (functionName: string, args: unknown[]) =>
  relay.sendContract({ address: registry, abi: consentRegistryAbi, functionName: functionName as never, args: args as never });
const read = (functionName: string, args: unknown[]) => chain.conn.client.readContract({ address: registry, abi: consentRegistryAbi, functionName, args } as never) as Promise<any>;

async function grantMessage(patient: Address, overrides: Partial<GrantMessage> = {}): Promise<GrantMessage> {
  const t = await now();
  return { patient, grantee, scopeHash: scope, purpose: purposeToChain('TREAT'), start: t - 10n, expiry: t + 3600n, nonce: await read('nonces', [patient]), ...overrides };
}

before(async () => {
  chain = await startTestChain(tmp.dir);
  hospital = await registerTestOrg(chain, tmp.dir, 'consent-hospital');
  relay = new TxSender(await openSqlite(':memory:', { journal: journalMigrations }), chain.conn, hospital.keys.account);
  registry = chain.deployment.contracts.ConsentRegistry.address;
  domain = consentDomain(chain.conn.chain.id, registry);
});
after(async () => {
  await chain?.stop();
  tmp.remove();
});

describe('ConsentRegistry', () => {
  test('a patient-signed grant relayed by a participant is stored and valid; the patient paid nothing', async () => {
    const patient = privateKeyToAccount(generatePrivateKey());
    const g = await grantMessage(patient.address);
    const sig = await signGrant(patient, domain, g);
    const { receipt } = await send('grant', [g, sig]);
    const id = await read('grantId', [patient.address, 0n]);
    assert.equal(await read('isValid', [id]), true);
    const state = await read('getGrant', [id]);
    assert.equal(state.signer, patient.address);
    assert.equal(state.grantedBlock, receipt.blockNumber);
    assert.equal(state.scopeHash, scope);
    assert.equal(await chain.conn.client.getBalance({ address: patient.address }), 0n);
    // Replaying the same signature fails: the nonce moved on.
    assert.equal(await revertName(simulate('grant', [g, sig])), 'InvalidAccountNonce');
  });

  test('forged, out-of-order, expired and cross-domain signatures are rejected', async () => {
    const patient = privateKeyToAccount(generatePrivateKey());
    const mallory = privateKeyToAccount(generatePrivateKey());
    const g = await grantMessage(patient.address);
    assert.equal(await revertName(simulate('grant', [g, await signGrant(mallory, domain, g)])), 'BadSignature', 'signed by someone else');
    const tampered = { ...g, scopeHash: keccak256(stringToHex('everything')) };
    assert.equal(await revertName(simulate('grant', [tampered, await signGrant(patient, domain, g)])), 'BadSignature', 'message changed after signing');
    const ahead = { ...g, nonce: 5n };
    assert.equal(await revertName(simulate('grant', [ahead, await signGrant(patient, domain, ahead)])), 'InvalidAccountNonce', 'out of order');
    const t = await now();
    const expired = { ...g, start: t - 100n, expiry: t - 1n };
    assert.equal(await revertName(simulate('grant', [expired, await signGrant(patient, domain, expired)])), 'BadWindow');
    const otherChain = consentDomain(1, registry);
    assert.equal(await revertName(simulate('grant', [g, await signGrant(patient, otherChain, g)])), 'BadSignature', 'signed for another chain');
    assert.equal(await revertName(simulate('grant', [g, '0x1234'])), 'BadSignature', 'malformed signature');
    assert.equal(await revertName(simulate('grant', [g, await signGrant(patient, domain, g)], devAccount(6).address)), 'NotActiveParticipant', 'relayed by an outsider');
  });

  test('revocation is signed by the patient, effective from its block, and only once', async () => {
    const patient = privateKeyToAccount(generatePrivateKey());
    const g = await grantMessage(patient.address);
    await send('grant', [g, await signGrant(patient, domain, g)]);
    const id: Hex = await read('grantId', [patient.address, 0n]);
    const mallory = privateKeyToAccount(generatePrivateKey());
    assert.equal(await revertName(simulate('revoke', [patient.address, id, 1n, await signRevoke(mallory, domain, { patient: patient.address, grantId: id, nonce: 1n })])), 'BadSignature');
    const sig = await signRevoke(patient, domain, { patient: patient.address, grantId: id, nonce: 1n });
    assert.equal(await revertName(simulate('revoke', [patient.address, id, 1n, sig], devAccount(6).address)), 'NotActiveParticipant', 'relayed by an outsider');
    const { receipt } = await send('revoke', [patient.address, id, 1n, sig]);
    assert.equal(await read('isValid', [id]), false);
    assert.equal((await read('getGrant', [id])).revokedBlock, receipt.blockNumber);
    const again = await signRevoke(patient, domain, { patient: patient.address, grantId: id, nonce: 2n });
    assert.equal(await revertName(simulate('revoke', [patient.address, id, 2n, again])), 'AlreadyRevoked');
    assert.equal(await revertName(simulate('revoke', [patient.address, keccak256('0x01'), 2n, again])), 'UnknownGrant');
  });

  test('a proxy grants on the patient\'s behalf until the appointment expires; a proxy cannot appoint proxies', async () => {
    const patient = privateKeyToAccount(generatePrivateKey());
    const guardian = privateKeyToAccount(generatePrivateKey());
    const t = await now();
    const appoint = { patient: patient.address, proxy: guardian.address, expiry: t + 4n, nonce: 0n };
    assert.equal(await revertName(simulate('appointProxy', [patient.address, guardian.address, appoint.expiry, 0n, await signProxy(guardian, domain, appoint)])), 'BadSignature', 'self-appointed');
    const appointment = await signProxy(patient, domain, appoint);
    assert.equal(await revertName(simulate('appointProxy', [patient.address, guardian.address, appoint.expiry, 0n, appointment], devAccount(6).address)), 'NotActiveParticipant', 'relayed by an outsider');
    await send('appointProxy', [patient.address, guardian.address, appoint.expiry, 0n, appointment]);
    const g = await grantMessage(patient.address);
    await send('grant', [g, await signGrant(guardian, domain, g)]);
    const id = await read('grantId', [patient.address, g.nonce]);
    assert.equal((await read('getGrant', [id])).signer, guardian.address);
    // Wait past the appointment's expiry: the proxy's signatures no longer count.
    while ((await now()) <= appoint.expiry) await new Promise((r) => setTimeout(r, 250));
    const late = await grantMessage(patient.address);
    assert.equal(await revertName(simulate('grant', [late, await signGrant(guardian, domain, late)])), 'BadSignature', 'expired proxy');
  });

  test('record locator and break-glass flags come only from participants', async () => {
    const patient = privateKeyToAccount(generatePrivateKey());
    const at = (contract: 'RecordLocator' | 'BreakGlassRegistry') => chain.deployment.contracts[contract].address;
    const call = (contract: 'RecordLocator' | 'BreakGlassRegistry', functionName: string, args: unknown[], account: Address = hospital.keys.account.address) =>
      chain.conn.client.simulateContract({ address: at(contract), abi: contract === 'RecordLocator' ? recordLocatorAbi : breakGlassRegistryAbi, functionName, args, account } as never);
    await relay.sendContract({ address: at('RecordLocator'), abi: recordLocatorAbi, functionName: 'registerCustodian', args: [patient.address] });
    assert.equal(await chain.conn.client.readContract({ address: at('RecordLocator'), abi: recordLocatorAbi, functionName: 'isCustodian', args: [patient.address, hospital.orgId] }), true);
    assert.equal(await revertName(call('RecordLocator', 'registerCustodian', [patient.address], devAccount(6).address)), 'NotActiveParticipant');
    const flag = [hospital.orgId, keccak256('0x01'), keccak256('0x02'), keccak256('0x03'), keccak256('0x04'), 1n];
    assert.equal(await revertName(call('BreakGlassRegistry', 'flag', flag, devAccount(6).address)), 'NotActiveParticipant');
    assert.equal(await revertName(call('BreakGlassRegistry', 'flag', [keccak256('0x99'), ...flag.slice(1)])), 'UnknownRequester', 'the requester must be a registered organization');
    const { receipt } = await relay.sendContract({ address: at('BreakGlassRegistry'), abi: breakGlassRegistryAbi, functionName: 'flag', args: flag as never });
    assert.equal(receipt.logs.length, 1);
  });
});
