// storage-engine: sqlite-only (no node database on this path; the PostgreSQL pass of npm test skips this file)
/**
 * The registries on a real Anvil: behaviour, and a wrong-caller revert for every role-guarded function.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BaseError, ContractFunctionRevertedError, keccak256, stringToHex, type Abi, type Address, type Hex } from 'viem';
import type { LocalAccount } from 'viem/accounts';
import { devAccount, type EmbeddedChain } from '../src/chain/embedded.ts';
import { anchorRegistryAbi, participantRegistryAbi } from '../src/chain/generated/contracts.ts';
import { kindToChain, logIdOf, logKindToChain } from '../src/chain/ids.ts';
import { journalMigrations, TxSender } from '../src/chain/journal.ts';
import { openSqlite } from '../src/storage/sqlite.ts';
import { registerTestOrg, startTestChain, tempDir, type TestOrg } from './helpers/env.ts';

const tmp = tempDir();
let chain: EmbeddedChain;
let hospital: TestOrg;
let clinic: TestOrg;
let pr: Address;
let ar: Address;
const REGISTRAR_ROLE = keccak256(stringToHex('REGISTRAR_ROLE'));
const DEFAULT_ADMIN_ROLE = `0x${'00'.repeat(32)}` as Hex;
const outsider = devAccount(7);
const root = (n: number) => keccak256(stringToHex(`root-${n}`));

async function senderFor(account: LocalAccount): Promise<TxSender> {
  return new TxSender(await openSqlite(':memory:', { journal: journalMigrations }), chain.conn, account);
}

/** Simulates the call as `account` and returns the custom error name it reverts with. */
async function revertName(account: Address, address: Address, abi: Abi, functionName: string, args: unknown[], on: EmbeddedChain = chain): Promise<string> {
  try {
    await on.conn.client.simulateContract({ account, address, abi, functionName, args } as never);
  } catch (err) {
    if (err instanceof BaseError) {
      const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
      if (revert instanceof ContractFunctionRevertedError) return revert.data?.errorName ?? revert.reason ?? 'unknown';
    }
    throw err;
  }
  return 'did not revert';
}

before(async () => {
  chain = await startTestChain(tmp.dir);
  pr = chain.deployment.contracts.ParticipantRegistry.address;
  ar = chain.deployment.contracts.AnchorRegistry.address;
  hospital = await registerTestOrg(chain, tmp.dir, 'hospital-a', 'hospital');
  clinic = await registerTestOrg(chain, tmp.dir, 'clinic-b', 'clinic');
});
after(async () => {
  await chain?.stop();
  tmp.remove();
});

describe('ParticipantRegistry', () => {
  test('stores what governance registered', async () => {
    const org = await chain.conn.client.readContract({ address: pr, abi: participantRegistryAbi, functionName: 'getOrganization', args: [hospital.orgId] });
    assert.equal(org.kind, kindToChain('hospital'));
    assert.equal(org.active, true);
    assert.equal(org.signer, hospital.keys.account.address);
    assert.equal(org.encryptionKey, hospital.keys.encryptionPublicKey);
    assert.equal(await chain.conn.client.readContract({ address: pr, abi: participantRegistryAbi, functionName: 'orgOfSigner', args: [clinic.keys.account.address] }), clinic.orgId);
  });

  test('rejects a duplicate id, a reused signer and empty keys', async () => {
    const admin = chain.governance.address;
    const k = clinic.keys;
    assert.equal(await revertName(admin, pr, participantRegistryAbi, 'register', [hospital.orgId, 1, outsider.address, k.encryptionPublicKey, 'x', '']), 'OrganizationExists');
    assert.equal(await revertName(admin, pr, participantRegistryAbi, 'register', [keccak256('0x01'), 1, k.account.address, k.encryptionPublicKey, 'x', '']), 'SignerInUse');
    assert.equal(await revertName(admin, pr, participantRegistryAbi, 'register', [keccak256('0x01'), 1, outsider.address, DEFAULT_ADMIN_ROLE, 'x', '']), 'InvalidEncryptionKey');
    assert.equal(await revertName(admin, pr, participantRegistryAbi, 'register', [keccak256('0x01'), 0, outsider.address, k.encryptionPublicKey, 'x', '']), 'InvalidKind');
  });

  test('every role-guarded function reverts for the wrong caller', async () => {
    const o = outsider.address;
    const cases: [string, Address, unknown[], string][] = [
      ['register', o, [keccak256('0x02'), 1, o, hospital.keys.encryptionPublicKey, 'Rogue', ''], 'AccessControlUnauthorizedAccount'],
      ['suspend', o, [hospital.orgId, 'no reason'], 'AccessControlUnauthorizedAccount'],
      ['suspend', clinic.keys.account.address, [hospital.orgId, 'rival'], 'AccessControlUnauthorizedAccount'],
      ['reinstate', o, [hospital.orgId], 'AccessControlUnauthorizedAccount'],
      ['rotateSigningKey', o, [hospital.orgId, o], 'NotOrganizationOrRegistrar'],
      ['rotateSigningKey', clinic.keys.account.address, [hospital.orgId, o], 'NotOrganizationOrRegistrar'],
      ['rotateEncryptionKey', clinic.keys.account.address, [hospital.orgId, root(1)], 'NotOrganizationOrRegistrar'],
      ['setEndpoint', o, [hospital.orgId, 'https://evil.example'], 'NotOrganizationOrRegistrar'],
      ['grantRole', o, [REGISTRAR_ROLE, o], 'AccessControlUnauthorizedAccount'],
      ['revokeRole', o, [REGISTRAR_ROLE, chain.governance.address], 'AccessControlUnauthorizedAccount'],
      ['beginDefaultAdminTransfer', o, [o], 'AccessControlUnauthorizedAccount'],
      ['cancelDefaultAdminTransfer', o, [], 'AccessControlUnauthorizedAccount'],
      ['changeDefaultAdminDelay', o, [0], 'AccessControlUnauthorizedAccount'],
      ['rollbackDefaultAdminDelay', o, [], 'AccessControlUnauthorizedAccount'],
      ['acceptDefaultAdminTransfer', o, [], 'AccessControlInvalidDefaultAdmin'],
    ];
    for (const [fn, caller, args, expected] of cases) {
      assert.equal(await revertName(caller, pr, participantRegistryAbi, fn, args), expected, `${fn} by ${caller}`);
    }
  });

  test('an organization rotates its own keys and endpoint; the old signing key stops working', async () => {
    const org = await registerTestOrg(chain, tmp.dir, 'rotating-lab', 'lab');
    const oldSender = await senderFor(org.keys.account);
    const next = devAccount(8);
    await oldSender.sendContract({ address: pr, abi: participantRegistryAbi, functionName: 'setEndpoint', args: [org.orgId, 'https://lab.example/api'] });
    await oldSender.sendContract({ address: pr, abi: participantRegistryAbi, functionName: 'rotateEncryptionKey', args: [org.orgId, root(7)] });
    await oldSender.sendContract({ address: pr, abi: participantRegistryAbi, functionName: 'rotateSigningKey', args: [org.orgId, next.address] });
    const state = await chain.conn.client.readContract({ address: pr, abi: participantRegistryAbi, functionName: 'getOrganization', args: [org.orgId] });
    assert.equal(state.signer, next.address);
    assert.equal(state.encryptionKey, root(7));
    assert.equal(state.endpoint, 'https://lab.example/api');
    assert.equal(await revertName(org.keys.account.address, ar, anchorRegistryAbi, 'anchor', [0, logIdOf('records'), 1n, root(1)]), 'NotActiveParticipant');
    assert.equal(await revertName(next.address, ar, anchorRegistryAbi, 'anchor', [0, logIdOf('records'), 1n, root(1)]), 'did not revert');
    assert.equal(await revertName(org.keys.account.address, pr, participantRegistryAbi, 'setEndpoint', [org.orgId, 'x']), 'NotOrganizationOrRegistrar');
  });

  test('suspension stops anchoring until reinstated', async () => {
    const org = await registerTestOrg(chain, tmp.dir, 'suspended-clinic', 'clinic');
    await chain.governance.sendContract({ address: pr, abi: participantRegistryAbi, functionName: 'suspend', args: [org.orgId, 'licence lapsed'] });
    assert.equal(await revertName(org.keys.account.address, ar, anchorRegistryAbi, 'anchor', [0, logIdOf('records'), 1n, root(1)]), 'NotActiveParticipant');
    assert.equal(await revertName(chain.governance.address, pr, participantRegistryAbi, 'suspend', [org.orgId, 'again']), 'AlreadyInState');
    await chain.governance.sendContract({ address: pr, abi: participantRegistryAbi, functionName: 'reinstate', args: [org.orgId] });
    assert.equal(await revertName(org.keys.account.address, ar, anchorRegistryAbi, 'anchor', [0, logIdOf('records'), 1n, root(1)]), 'did not revert');
  });

  test('admin handover takes two steps and only the pending admin can accept', async () => {
    const tmp2 = tempDir();
    const c2 = await startTestChain(tmp2.dir);
    try {
      const reg = c2.deployment.contracts.ParticipantRegistry.address;
      const newAdmin = devAccount(9);
      await c2.governance.sendContract({ address: reg, abi: participantRegistryAbi, functionName: 'beginDefaultAdminTransfer', args: [newAdmin.address] });
      const hasAdmin = (a: Address) => c2.conn.client.readContract({ address: reg, abi: participantRegistryAbi, functionName: 'hasRole', args: [DEFAULT_ADMIN_ROLE, a] });
      assert.equal(await hasAdmin(newAdmin.address), false, 'not admin before accepting');
      assert.equal(await revertName(outsider.address, reg, participantRegistryAbi, 'acceptDefaultAdminTransfer', [], c2), 'AccessControlInvalidDefaultAdmin');
      // The schedule is "after the block that began it": accept from the next block on.
      const began = await c2.conn.client.getBlockNumber();
      while ((await c2.conn.client.getBlockNumber()) === began) await new Promise((r) => setTimeout(r, 100));
      const s = new TxSender(await openSqlite(':memory:', { journal: journalMigrations }), c2.conn, newAdmin);
      await s.sendContract({ address: reg, abi: participantRegistryAbi, functionName: 'acceptDefaultAdminTransfer', args: [] });
      assert.equal(await hasAdmin(newAdmin.address), true);
      assert.equal(await hasAdmin(c2.governance.address), false);
      assert.equal(
        await (async () => {
          try {
            await c2.conn.client.simulateContract({ account: c2.governance.address, address: reg, abi: participantRegistryAbi, functionName: 'grantRole', args: [REGISTRAR_ROLE, outsider.address] });
            return 'did not revert';
          } catch (err) {
            const r = (err as BaseError).walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError;
            return r.data?.errorName;
          }
        })(),
        'AccessControlUnauthorizedAccount',
        'the old admin lost its powers',
      );
    } finally {
      await c2.stop();
      tmp2.remove();
    }
  });
});

describe('AnchorRegistry', () => {
  test('roots are append-only, tree sizes must grow, past roots stay readable', async () => {
    const s = await senderFor(hospital.keys.account);
    const logId = logIdOf('audit');
    const kind = logKindToChain('audit');
    await s.sendContract({ address: ar, abi: anchorRegistryAbi, functionName: 'anchor', args: [kind, logId, 10n, root(10)] });
    await s.sendContract({ address: ar, abi: anchorRegistryAbi, functionName: 'anchor', args: [kind, logId, 25n, root(25)] });
    assert.equal(await revertName(hospital.keys.account.address, ar, anchorRegistryAbi, 'anchor', [kind, logId, 25n, root(26)]), 'TreeSizeMustGrow');
    assert.equal(await revertName(hospital.keys.account.address, ar, anchorRegistryAbi, 'anchor', [kind, logId, 5n, root(5)]), 'TreeSizeMustGrow');
    assert.equal(await revertName(hospital.keys.account.address, ar, anchorRegistryAbi, 'anchor', [kind, logId, 30n, DEFAULT_ADMIN_ROLE]), 'EmptyRoot');
    const read = (fn: 'anchorCount' | 'latest', ...rest: unknown[]) =>
      chain.conn.client.readContract({ address: ar, abi: anchorRegistryAbi, functionName: fn, args: [hospital.orgId, kind, logId, ...rest] } as never);
    assert.equal(await read('anchorCount'), 2n);
    const latest = (await read('latest')) as { treeSize: bigint; root: Hex };
    assert.equal(latest.treeSize, 25n);
    assert.equal(latest.root, root(25));
    const first = await chain.conn.client.readContract({ address: ar, abi: anchorRegistryAbi, functionName: 'anchorAt', args: [hospital.orgId, kind, logId, 0n] });
    assert.equal(first.treeSize, 10n);
    assert.equal(first.root, root(10));
    // Another organization's log of the same name is separate: its own sizes start from zero.
    const c = await senderFor(clinic.keys.account);
    await c.sendContract({ address: ar, abi: anchorRegistryAbi, functionName: 'anchor', args: [kind, logId, 1n, root(1)] });
    assert.equal(await chain.conn.client.readContract({ address: ar, abi: anchorRegistryAbi, functionName: 'anchorCount', args: [clinic.orgId, kind, logId] }), 1n);
  });

  test('anchor reverts for a caller that is not a registered organization', async () => {
    assert.equal(await revertName(outsider.address, ar, anchorRegistryAbi, 'anchor', [0, logIdOf('records'), 1n, root(1)]), 'NotActiveParticipant');
    assert.equal(await revertName(chain.governance.address, ar, anchorRegistryAbi, 'anchor', [0, logIdOf('records'), 1n, root(1)]), 'NotActiveParticipant');
  });
  test('reading the latest root of an empty log reverts clearly', async () => {
    await assert.rejects(
      chain.conn.client.readContract({ address: ar, abi: anchorRegistryAbi, functionName: 'latest', args: [hospital.orgId, 4, logIdOf('none')] }),
      /NoAnchor/,
    );
  });
});
