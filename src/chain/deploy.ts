import { encodeDeployData, keccak256, type Abi, type Address, type Hex } from 'viem';
import { CarechainError } from '../shared/errors.ts';
import type { ChainConnection } from './client.ts';
import type { ContractName, Deployment } from './deployment.ts';
import * as generated from './generated/contracts.ts';
import type { TxSender } from './journal.ts';

/** Contracts whose only constructor argument is the ParticipantRegistry they trust, in deploy order. */
const LINKED: Exclude<ContractName, 'ParticipantRegistry' | 'PractitionerAffiliations' | 'SerialRegistry'>[] = ['AnchorRegistry', 'ConsentRegistry', 'RecordLocator', 'BreakGlassRegistry', 'CredentialStatus', 'ClaimRegistry', 'TrialRegistry'];

function artefact(name: ContractName): { abi: Abi; bytecode: Hex } {
  const key = name[0]!.toLowerCase() + name.slice(1);
  const g = generated as unknown as Record<string, unknown>;
  return { abi: g[`${key}Abi`] as Abi, bytecode: g[`${key}Bytecode`] as Hex };
}

/**
 * Deploys the Carechain contracts with `sender` as the consortium's governance admin.
 * `adminTransferDelaySeconds` is the wait between starting and accepting an admin handover.
 */
export async function deployContracts(
  conn: ChainConnection,
  sender: TxSender,
  opts: { admin?: Address; adminTransferDelaySeconds?: number } = {},
): Promise<Deployment> {
  const registry = artefact('ParticipantRegistry');
  const participants = await sender.send({
    label: 'deploy ParticipantRegistry',
    data: encodeDeployData({ abi: registry.abi, bytecode: registry.bytecode, args: [opts.admin ?? sender.address, opts.adminTransferDelaySeconds ?? 0] }),
  });
  const participantsAddress = participants.receipt.contractAddress;
  if (!participantsAddress) throw new CarechainError('ParticipantRegistry deployment produced no contract');
  const contracts = { ParticipantRegistry: { address: participantsAddress, codeHash: await codeHash(conn, participantsAddress) } } as Deployment['contracts'];
  // Sent together (consecutive nonces), mined in a block or two.
  await Promise.all(
    LINKED.map(async (name) => {
      const { abi, bytecode } = artefact(name);
      const r = await sender.send({ label: `deploy ${name}`, data: encodeDeployData({ abi, bytecode, args: [participantsAddress] }) });
      if (!r.receipt.contractAddress) throw new CarechainError(`${name} deployment produced no contract`);
      contracts[name] = { address: r.receipt.contractAddress, codeHash: await codeHash(conn, r.receipt.contractAddress) };
    }),
  );
  // Affiliations are signed by the holders that CredentialStatus records.
  const affiliations = artefact('PractitionerAffiliations');
  const a = await sender.send({ label: 'deploy PractitionerAffiliations', data: encodeDeployData({ abi: affiliations.abi, bytecode: affiliations.bytecode, args: [participantsAddress, contracts.CredentialStatus.address] }) });
  if (!a.receipt.contractAddress) throw new CarechainError('PractitionerAffiliations deployment produced no contract');
  contracts.PractitionerAffiliations = { address: a.receipt.contractAddress, codeHash: await codeHash(conn, a.receipt.contractAddress) };
  // The SerialRegistry also trusts the CredentialStatus its trading licences live in.
  const serials = artefact('SerialRegistry');
  const s = await sender.send({
    label: 'deploy SerialRegistry',
    data: encodeDeployData({ abi: serials.abi, bytecode: serials.bytecode, args: [participantsAddress, contracts.CredentialStatus.address] }),
  });
  if (!s.receipt.contractAddress) throw new CarechainError('SerialRegistry deployment produced no contract');
  contracts.SerialRegistry = { address: s.receipt.contractAddress, codeHash: await codeHash(conn, s.receipt.contractAddress) };
  return { chainId: conn.chain.id, deployedAtBlock: Number(participants.receipt.blockNumber), build: generated.contractsBuild, contracts };
}

const codeHash = async (conn: ChainConnection, address: Address) => keccak256((await conn.client.getCode({ address }))!);
