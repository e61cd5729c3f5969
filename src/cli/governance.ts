/**
 * Governance commands for a network on any EVM chain: deploy the contracts (writing the deployment
 * file the nodes read) and register organizations. The governance key comes from a key file; on the
 * embedded network it is the key made for that network (<home>/chain/governance-key.json).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LocalAccount } from 'viem/accounts';
import { connectChain, type ChainConnection } from '../chain/client.ts';
import { deployContracts } from '../chain/deploy.ts';
import { checkDeployment, readDeployment, writeDeployment } from '../chain/deployment.ts';
import { chainPaths } from '../chain/embedded.ts';
import { orgIdOf, type OrgKind } from '../chain/ids.ts';
import * as generated from '../chain/generated/contracts.ts';
import { credentialStatusAbi } from '../chain/generated/contracts.ts';
import { CONTRACT_NAMES, type ContractName, type Deployment } from '../chain/deployment.ts';
import { callOf, deployConsortium, execute, findProposal, proposalState, propose, queue, vote, SUPPORT, type ConsortiumAddresses, type ConsortiumSettings } from '../chain/consortium.ts';
import { credentialTypeId, jurisdictionId, type CredentialType } from '../credentials/types.ts';
import { journalMigrations, TxSender } from '../chain/journal.ts';
import { embeddedChainDir } from '../config/node-config.ts';
import { ensureKeyFile, loadKeyFile } from '../crypto/org-keys.ts';
import { openSqlite } from '../storage/sqlite.ts';
import { CarechainError } from '../shared/errors.ts';
import { registerOrganization } from '../network/organizations.ts';
import { resolveRpcUrl } from '../node/start.ts';

export interface GovernanceOptions {
  home: string;
  rpcUrl?: string;
  governanceKeyFile?: string;
}

async function governanceSender(opts: GovernanceOptions): Promise<{ conn: ChainConnection; sender: TxSender; close(): void }> {
  const home = resolve(opts.home);
  const conn = await connectChain(resolveRpcUrl({ rpcUrl: opts.rpcUrl, home }));
  let account: LocalAccount;
  if (opts.governanceKeyFile) account = loadKeyFile(opts.governanceKeyFile).account;
  else if (existsSync(chainPaths(embeddedChainDir(home)).governanceKey)) account = loadKeyFile(chainPaths(embeddedChainDir(home)).governanceKey).account;
  else throw new CarechainError('a governance key is needed on this chain: pass --governance-key-file (the embedded network keeps its own in <home>/chain/governance-key.json)', 2);
  // Governance transactions are journalled too, so a crash mid-deploy never sends a second deploy.
  const storage = await openSqlite(join(embeddedChainDir(home), `governance-${conn.chain.id}.db`), { journal: journalMigrations });
  const sender = new TxSender(storage, conn, account);
  await sender.recover();
  await sender.settle();
  return { conn, sender, close: () => (sender.stop(), void storage.close()) };
}

export async function deployCommand(opts: GovernanceOptions & { out: string; adminTransferDelay: number; consortium?: ConsortiumSettings }): Promise<void> {
  if (existsSync(opts.out)) throw new CarechainError(`${opts.out} exists: the network is already deployed (remove it to deploy anew)`, 2);
  const { conn, sender, close } = await governanceSender(opts);
  try {
    // With a consortium, the deploying key only deploys: the timelock is the registries' admin.
    const governance = opts.consortium ? await deployConsortium(sender, opts.consortium) : undefined;
    const deployment = await deployContracts(conn, sender, { adminTransferDelaySeconds: opts.adminTransferDelay, ...(governance ? { admin: governance.timelock } : {}) });
    if (governance) {
      deployment.governance = governance;
      const c = opts.consortium!;
      console.log(`consortium: ${c.quorum} of ${c.members.length} members, voting ${c.votingPeriodSeconds} s after ${c.votingDelaySeconds} s, timelock ${c.timelockDelaySeconds} s`);
      for (const [name, a] of Object.entries(governance)) console.log(`  ${name.padEnd(20)} ${a}`);
    }
    writeDeployment(opts.out, deployment);
    console.log(`deployed on chain ${deployment.chainId} at block ${deployment.deployedAtBlock}; wrote ${opts.out}`);
    for (const [name, c] of Object.entries(deployment.contracts)) console.log(`  ${name.padEnd(20)} ${c.address}`);
  } finally {
    close();
  }
}

export function orgInitCommand(opts: { keyFile: string }): void {
  const existed = existsSync(opts.keyFile);
  const keys = ensureKeyFile(opts.keyFile);
  console.log(`${existed ? 'existing' : 'new'} key file ${opts.keyFile} (mode 0600)`);
  console.log(`  signer address          ${keys.account.address}`);
  console.log(`  encryption public key   ${keys.encryptionPublicKey}`);
}

export async function orgRegisterCommand(
  opts: GovernanceOptions & { slug: string; kind: OrgKind; name: string; endpoint: string; keyFile: string; deploymentFile: string; fund: boolean },
): Promise<void> {
  const keys = loadKeyFile(opts.keyFile);
  const { conn, sender, close } = await governanceSender(opts);
  try {
    const deployment = readDeployment(opts.deploymentFile);
    await checkDeployment(conn.client, deployment, opts.deploymentFile);
    const { orgId, registeredNow } = await registerOrganization(conn, sender, deployment, opts, keys, { fund: opts.fund });
    console.log(`${registeredNow ? 'registered' : 'already registered'}: ${opts.name} (${opts.kind}) as ${orgId}`);
  } finally {
    close();
  }
}

/** Governance scopes an issuer to a credential type in a jurisdiction (or withdraws it with allowed=false). */
export async function issuerScopeCommand(opts: GovernanceOptions & { issuer: string; type: CredentialType; jurisdiction: string; allowed: boolean; deploymentFile: string }): Promise<void> {
  const { conn, sender, close } = await governanceSender(opts);
  try {
    const deployment = readDeployment(opts.deploymentFile);
    await checkDeployment(conn.client, deployment, opts.deploymentFile);
    await sender.sendContract({
      address: deployment.contracts.CredentialStatus.address,
      abi: credentialStatusAbi,
      functionName: 'setIssuerScope',
      args: [orgIdOf(opts.issuer), credentialTypeId(opts.type), jurisdictionId(opts.jurisdiction), opts.allowed],
    });
    console.log(`${opts.issuer} ${opts.allowed ? 'may' : 'may no longer'} issue ${opts.type} in ${opts.jurisdiction}`);
  } finally {
    close();
  }
}

function consortiumOf(deployment: Deployment, file: string): ConsortiumAddresses {
  if (!deployment.governance) throw new CarechainError(`${file} has no consortium: this network is governed by one key (deploy with --consortium)`, 2);
  return deployment.governance;
}

async function withConsortium<T>(opts: GovernanceOptions & { deploymentFile: string }, fn: (ctx: { conn: ChainConnection; sender: TxSender; gov: ConsortiumAddresses; deployment: Deployment }) => Promise<T>): Promise<T> {
  const { conn, sender, close } = await governanceSender(opts);
  try {
    const deployment = readDeployment(opts.deploymentFile);
    await checkDeployment(conn.client, deployment, opts.deploymentFile);
    return await fn({ conn, sender, gov: consortiumOf(deployment, opts.deploymentFile), deployment });
  } finally {
    close();
  }
}

/**
 * A member proposes one call of a registry (`--contract ParticipantRegistry --function suspend
 * --args '["0x…", "licence revoked"]'`); the member's key is --governance-key-file.
 */
export async function proposeCommand(opts: GovernanceOptions & { deploymentFile: string; contract: string; fn: string; args: string; description: string }): Promise<void> {
  if (!CONTRACT_NAMES.includes(opts.contract as ContractName)) throw new CarechainError(`--contract must be one of ${CONTRACT_NAMES.join(', ')}`, 2);
  let args: unknown;
  try {
    args = JSON.parse(opts.args);
  } catch {
    throw new CarechainError('--args must be a JSON array', 2);
  }
  if (!Array.isArray(args)) throw new CarechainError('--args must be a JSON array', 2);
  await withConsortium(opts, async ({ sender, gov, deployment }) => {
    const name = opts.contract as ContractName;
    const abi = (generated as unknown as Record<string, readonly unknown[]>)[`${name[0]!.toLowerCase()}${name.slice(1)}Abi`]!;
    let call;
    try {
      call = callOf(deployment.contracts[name].address, abi, opts.fn, args as unknown[]);
    } catch (err) {
      throw new CarechainError(`${name}.${opts.fn}: ${(err as Error).message.split('\n')[0]}`, 2);
    }
    const p = await propose(sender, gov, [call], opts.description);
    console.log(`proposal ${p.id}`);
  });
}

export async function voteCommand(opts: GovernanceOptions & { deploymentFile: string; proposal: string; support: string }): Promise<void> {
  if (!(opts.support in SUPPORT)) throw new CarechainError('--support must be for, against or abstain', 2);
  await withConsortium(opts, async ({ sender, gov }) => {
    await vote(sender, gov, BigInt(opts.proposal), opts.support as keyof typeof SUPPORT);
    console.log(`voted ${opts.support} on ${opts.proposal}`);
  });
}

/** Queues (`step` queue) or runs (`step` execute) a passed proposal, found on chain by its id. */
export async function proposalStepCommand(opts: GovernanceOptions & { deploymentFile: string; proposal: string; step: 'queue' | 'execute' | 'status' }): Promise<void> {
  await withConsortium(opts, async ({ conn, sender, gov, deployment }) => {
    const id = BigInt(opts.proposal);
    if (opts.step !== 'status') {
      const p = await findProposal(conn, gov, id, deployment.deployedAtBlock);
      await (opts.step === 'queue' ? queue : execute)(sender, gov, p);
    }
    console.log(`proposal ${id}: ${await proposalState(conn, gov, id)}`);
  });
}
