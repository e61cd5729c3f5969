/**
 * Consortium governance without a single key, on a real chain (Anvil): the registries are deployed
 * with the ConsortiumTimelock as their admin and registrar, 3 members hold seats, 2 votes are needed
 * and a passed decision waits an hour in the timelock. A member alone can neither register an
 * organization directly, nor pass a proposal with its own vote, nor run a passed one before the delay.
 *
 * storage-engine: sqlite-only
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Hex } from 'viem';
import { freePort, startAnvil, type RunningAnvil } from '../src/chain/anvil.ts';
import { connectChain, type ChainConnection } from '../src/chain/client.ts';
import { callOf, deployConsortium, execute, findProposal, proposalState, propose, queue, vote, type ConsortiumAddresses } from '../src/chain/consortium.ts';
import { deployContracts } from '../src/chain/deploy.ts';
import type { Deployment } from '../src/chain/deployment.ts';
import { devAccount } from '../src/chain/embedded.ts';
import { participantRegistryAbi } from '../src/chain/generated/contracts.ts';
import { kindToChain, orgIdOf } from '../src/chain/ids.ts';
import { journalMigrations, TxSender } from '../src/chain/journal.ts';
import { openSqlite } from '../src/storage/sqlite.ts';
import { writeFileSync } from 'node:fs';
import { toHex } from 'viem';
import { generateKeyFile } from '../src/crypto/org-keys.ts';
import { runCli, tempDir } from './helpers/env.ts';

const tmp = tempDir();
let anvil: RunningAnvil;
let conn: ChainConnection;
const senders: TxSender[] = [];
let gov: ConsortiumAddresses;
let deployment: Deployment;
let fromBlock: number;

async function senderOf(index: number): Promise<TxSender> {
  const storage = await openSqlite(join(tmp.dir, `journal-${index}.db`), { journal: journalMigrations });
  const s = new TxSender(storage, conn, devAccount(index));
  senders.push(s);
  return s;
}
const rpc = (method: string, params: unknown[] = []) => conn.client.request({ method: method as never, params: params as never });
const wait = async (seconds: number) => {
  await rpc('evm_increaseTime', [seconds]);
  await rpc('evm_mine');
};

let deployer: TxSender, a: TxSender, b: TxSender, c: TxSender;
before(async () => {
  anvil = await startAnvil({ stateFile: join(tmp.dir, 'anvil', 'state.json'), port: await freePort() });
  conn = await connectChain(anvil.rpcUrl);
  [deployer, a, b, c] = [await senderOf(0), await senderOf(1), await senderOf(2), await senderOf(3)];
  fromBlock = Number(await conn.client.getBlockNumber());
  gov = await deployConsortium(deployer, { members: [a.address, b.address, c.address], quorum: 2, votingDelaySeconds: 1, votingPeriodSeconds: 600, timelockDelaySeconds: 3600 });
  deployment = await deployContracts(conn, deployer, { admin: gov.timelock });
});
after(async () => {
  for (const s of senders) s.stop();
  await anvil?.stop();
  tmp.remove();
});

const registerCall = (slug: string, signer: Hex) =>
  callOf(deployment.contracts.ParticipantRegistry.address, participantRegistryAbi, 'register', [orgIdOf(slug), kindToChain('hospital'), signer, `0x${'22'.repeat(32)}`, slug, `https://${slug}.example`]);
const isActive = (signer: Hex) => conn.client.readContract({ address: deployment.contracts.ParticipantRegistry.address, abi: participantRegistryAbi, functionName: 'isActiveSigner', args: [signer] });

test('no single key governs: neither the deployer nor a member can register directly', async () => {
  const call = { address: deployment.contracts.ParticipantRegistry.address, abi: participantRegistryAbi, functionName: 'register', args: [orgIdOf('rogue'), kindToChain('clinic'), '0x00000000000000000000000000000000000b0b0b', `0x${'33'.repeat(32)}`, 'Rogue', 'https://rogue.example'] } as const;
  await assert.rejects(a.sendContract(call), /rejected by the chain[\s\S]*AccessControlUnauthorizedAccount/);
  await assert.rejects(deployer.sendContract(call), /rejected by the chain[\s\S]*AccessControlUnauthorizedAccount/);
  const admin = await conn.client.readContract({ address: deployment.contracts.ParticipantRegistry.address, abi: participantRegistryAbi, functionName: 'defaultAdmin' });
  assert.equal(admin, gov.timelock);
});

test('one vote of three is refused: the proposal is defeated and cannot be queued', async () => {
  const p = await propose(a, gov, [registerCall('lonely', '0x0000000000000000000000000000000000000a01')], 'Admit Lonely Clinic');
  await wait(2);
  await vote(a, gov, p.id, 'for');
  await wait(601);
  assert.equal(await proposalState(conn, gov, p.id), 'defeated');
  await assert.rejects(queue(a, gov, p), /rejected by the chain[\s\S]*GovernorUnexpectedProposalState/);
  assert.equal(await isActive('0x0000000000000000000000000000000000000a01'), false);
});

test('two of three pass; the decision runs only after the timelock delay', async () => {
  const signer = '0x0000000000000000000000000000000000000a02';
  const p = await propose(b, gov, [registerCall('st-mary', signer)], "Admit St Mary's Hospital");
  await wait(2);
  await vote(a, gov, p.id, 'for');
  await vote(b, gov, p.id, 'for');
  await vote(c, gov, p.id, 'against');
  await assert.rejects(vote(a, gov, p.id, 'for'), /GovernorAlreadyCastVote/);
  await wait(601);
  assert.equal(await proposalState(conn, gov, p.id), 'succeeded');
  // Anyone may queue and execute, given only the proposal id (the rest is read from the chain).
  const found = await findProposal(conn, gov, p.id, fromBlock);
  assert.deepEqual(found, p);
  await queue(c, gov, found);
  assert.equal(await proposalState(conn, gov, p.id), 'queued');
  // The timelock refuses (TimelockUnexpectedOperationState: not ready; an error the governor ABI cannot name).
  await assert.rejects(execute(c, gov, found), /execute .* rejected by the chain/);
  assert.equal(await isActive(signer), false);
  await wait(3600);
  await execute(c, gov, found);
  assert.equal(await proposalState(conn, gov, p.id), 'executed');
  assert.equal(await isActive(signer), true);
});

test('the CLI: deploy governed by a 1-of-1 consortium with no delay (the demo shape), propose, vote, queue, execute', async () => {
  const member = devAccount(4);
  const keyFile = join(tmp.dir, 'member.json');
  writeFileSync(keyFile, JSON.stringify({ ...generateKeyFile(), signingKey: toHex(member.getHdKey().privateKey!) }), { mode: 0o600 });
  const out = join(tmp.dir, 'cli', 'deployment.json');
  const env = { CARECHAIN_RPC_URL: anvil.rpcUrl, CARECHAIN_HOME: join(tmp.dir, 'cli-home') };
  const gk = ['--governance-key-file', keyFile, '--deployment', out];
  const d = await runCli(['chain', 'deploy', '--out', out, '--governance-key-file', keyFile, '--admin-transfer-delay', '0', '--consortium', member.address, '--quorum', '1', '--voting-delay', '0', '--voting-period', '120', '--timelock-delay', '0'], env, 60_000);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /consortium: 1 of 1 members/);
  const args = JSON.stringify([orgIdOf('cli-clinic'), kindToChain('clinic'), '0x0000000000000000000000000000000000000a03', `0x${'44'.repeat(32)}`, 'CLI Clinic', 'https://cli.example']);
  const p = await runCli(['governance', 'propose', '--contract', 'ParticipantRegistry', '--function', 'register', '--args', args, '--description', 'Admit CLI Clinic', ...gk], env);
  assert.equal(p.code, 0, p.stderr);
  const id = /proposal (\d+)/.exec(p.stdout)![1]!;
  await wait(1);
  const v = await runCli(['governance', 'vote', '--proposal', id, ...gk], env);
  assert.equal(v.code, 0, v.stderr);
  await wait(121);
  const q = await runCli(['governance', 'queue', '--proposal', id, ...gk], env);
  assert.equal(q.code, 0, q.stderr);
  const e = await runCli(['governance', 'execute', '--proposal', id, ...gk], env);
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stdout, /executed/);
  const bad = await runCli(['governance', 'propose', '--contract', 'Nope', '--function', 'x', '--args', '[]', '--description', 'x', ...gk], env);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--contract must be one of/);
});
