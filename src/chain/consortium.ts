/**
 * Consortium governance without a single key: the registries' admin and registrar is OpenZeppelin's
 * TimelockController (`ConsortiumTimelock`), which runs only what OpenZeppelin's Governor
 * (`ConsortiumGovernor`) queued after M of the N members (`ConsortiumMembership` seats) voted for it.
 * A decision goes: a member proposes calls → members vote during the voting period → anyone queues a
 * passed proposal → anyone executes it once the timelock delay has passed.
 *
 * This file deploys the three contracts and drives a proposal through its steps; the CLI
 * (`carechain governance …`) and the tests call it.
 */
import { encodeDeployData, getAddress, encodeFunctionData, keccak256, parseEventLogs, toBytes, zeroAddress, type Address, type Hex } from 'viem';
import { CarechainError } from '../shared/errors.ts';
import type { ChainConnection } from './client.ts';
import type { Deployment } from './deployment.ts';
import {
  consortiumGovernorAbi,
  consortiumGovernorBytecode,
  consortiumMembershipAbi,
  consortiumMembershipBytecode,
  consortiumTimelockAbi,
  consortiumTimelockBytecode,
} from './generated/contracts.ts';
import type { TxSender } from './journal.ts';

export interface ConsortiumSettings {
  /** N: the founding members' accounts, one seat and one vote each. */
  members: Address[];
  /** M: "for" votes a proposal needs. */
  quorum: number;
  votingDelaySeconds: number;
  votingPeriodSeconds: number;
  /** Seconds between queuing a passed proposal and running it. */
  timelockDelaySeconds: number;
}

export type ConsortiumAddresses = NonNullable<Deployment['governance']>;

/**
 * Deploys the timelock, the seats and the governor; makes the governor the timelock's only proposer
 * and canceller, lets anyone execute a proposal that passed and waited, and then the deploying
 * account renounces its temporary admin role, so afterwards only passed votes change anything.
 */
export async function deployConsortium(sender: TxSender, s: ConsortiumSettings): Promise<ConsortiumAddresses> {
  if (s.members.length === 0) throw new CarechainError('a consortium needs at least one member');
  if (!Number.isInteger(s.quorum) || s.quorum < 1 || s.quorum > s.members.length) {
    throw new CarechainError(`the quorum must be between 1 and the ${s.members.length} members, not ${s.quorum}`);
  }
  const deploy = async (label: string, data: Hex) => {
    const r = await sender.send({ label, data });
    if (!r.receipt.contractAddress) throw new CarechainError(`${label} produced no contract`);
    return getAddress(r.receipt.contractAddress);
  };
  const timelock = await deploy(
    'deploy ConsortiumTimelock',
    encodeDeployData({ abi: consortiumTimelockAbi, bytecode: consortiumTimelockBytecode, args: [BigInt(s.timelockDelaySeconds), [], [zeroAddress], sender.address] }),
  );
  const membership = await deploy('deploy ConsortiumMembership', encodeDeployData({ abi: consortiumMembershipAbi, bytecode: consortiumMembershipBytecode, args: [s.members, timelock] }));
  const governor = await deploy(
    'deploy ConsortiumGovernor',
    encodeDeployData({ abi: consortiumGovernorAbi, bytecode: consortiumGovernorBytecode, args: [membership, timelock, s.votingDelaySeconds, s.votingPeriodSeconds, BigInt(s.quorum)] }),
  );
  const role = (name: string) => keccak256(toBytes(name));
  for (const r of ['PROPOSER_ROLE', 'CANCELLER_ROLE']) {
    await sender.sendContract({ address: timelock, abi: consortiumTimelockAbi, functionName: 'grantRole', args: [role(r), governor], label: `timelock: grant ${r} to the governor` });
  }
  await sender.sendContract({ address: timelock, abi: consortiumTimelockAbi, functionName: 'renounceRole', args: [`0x${'00'.repeat(32)}`, sender.address], label: 'timelock: deployer renounces admin' });
  return { membership, timelock, governor };
}

/** One call a proposal makes (through the timelock). */
export interface ProposedCall {
  target: Address;
  data: Hex;
}

export interface Proposal {
  id: bigint;
  calls: ProposedCall[];
  description: string;
}

const ARGS = (p: Omit<Proposal, 'id'>) =>
  [p.calls.map((c) => c.target), p.calls.map(() => 0n), p.calls.map((c) => c.data), keccak256(toBytes(p.description))] as const;

/** A member proposes `calls`; the description makes the proposal unique (and says what it is for). */
export async function propose(sender: TxSender, gov: ConsortiumAddresses, calls: ProposedCall[], description: string): Promise<Proposal> {
  const [targets, values, datas] = ARGS({ calls, description });
  const r = await sender.sendContract({ address: gov.governor, abi: consortiumGovernorAbi, functionName: 'propose', args: [targets, values, datas, description], label: `governance: propose ${description}` });
  const created = parseEventLogs({ abi: consortiumGovernorAbi, eventName: 'ProposalCreated', logs: r.receipt.logs })[0];
  if (!created) throw new CarechainError('the governor recorded no proposal');
  return { id: created.args.proposalId, calls, description };
}

/** Finds a proposal by id from the governor's ProposalCreated events (so queue/execute need only the id). */
export async function findProposal(conn: ChainConnection, gov: ConsortiumAddresses, id: bigint, fromBlock: number): Promise<Proposal> {
  const logs = await conn.client.getContractEvents({ address: gov.governor, abi: consortiumGovernorAbi, eventName: 'ProposalCreated', fromBlock: BigInt(fromBlock) });
  const hit = logs.find((l) => l.args.proposalId === id);
  if (!hit) throw new CarechainError(`no proposal ${id} on this governor`);
  const a = hit.args;
  return { id, description: a.description!, calls: a.targets!.map((target, i) => ({ target, data: a.calldatas![i]! })) };
}

export const SUPPORT = { against: 0, for: 1, abstain: 2 } as const;

/** A member votes on a proposal (once). */
export async function vote(sender: TxSender, gov: ConsortiumAddresses, id: bigint, support: keyof typeof SUPPORT): Promise<void> {
  await sender.sendContract({ address: gov.governor, abi: consortiumGovernorAbi, functionName: 'castVote', args: [id, SUPPORT[support]], label: `governance: vote ${support} on ${id}` });
}

/** Queues a passed proposal in the timelock (anyone may). */
export async function queue(sender: TxSender, gov: ConsortiumAddresses, p: Proposal): Promise<void> {
  await sender.sendContract({ address: gov.governor, abi: consortiumGovernorAbi, functionName: 'queue', args: ARGS(p), label: `governance: queue ${p.id}` });
}

/** Runs a queued proposal once its delay has passed (anyone may). */
export async function execute(sender: TxSender, gov: ConsortiumAddresses, p: Proposal): Promise<void> {
  await sender.sendContract({ address: gov.governor, abi: consortiumGovernorAbi, functionName: 'execute', args: ARGS(p), label: `governance: execute ${p.id}` });
}

const STATES = ['pending', 'active', 'canceled', 'defeated', 'succeeded', 'queued', 'expired', 'executed'] as const;
export type ProposalState = (typeof STATES)[number];

export async function proposalState(conn: ChainConnection, gov: ConsortiumAddresses, id: bigint): Promise<ProposalState> {
  const s = await conn.client.readContract({ address: gov.governor, abi: consortiumGovernorAbi, functionName: 'state', args: [id] });
  return STATES[Number(s)]!;
}

/** Encodes a call for a proposal (the registries' functions, as governance would have called them). */
export function callOf<const abi extends readonly unknown[]>(target: Address, abi: abi, functionName: string, args: readonly unknown[]): ProposedCall {
  return { target: getAddress(target), data: encodeFunctionData({ abi, functionName, args } as unknown as Parameters<typeof encodeFunctionData>[0]) };
}
