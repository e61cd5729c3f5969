import { encodeDeployData, keccak256, type Address } from 'viem';
import { CarechainError } from '../errors.ts';
import type { ChainConnection } from './client.ts';
import type { Deployment } from './deployment.ts';
import {
  anchorRegistryAbi,
  anchorRegistryBytecode,
  consentRegistryAbi,
  consentRegistryBytecode,
  credentialStatusAbi,
  credentialStatusBytecode,
  participantRegistryAbi,
  participantRegistryBytecode,
} from './generated/contracts.ts';
import type { TxSender } from './journal.ts';

/**
 * Deploys the Carechain contracts with `sender` as the consortium's governance admin.
 * `adminTransferDelaySeconds` is the wait between starting and accepting an admin handover.
 */
export async function deployContracts(
  conn: ChainConnection,
  sender: TxSender,
  opts: { admin?: Address; adminTransferDelaySeconds?: number } = {},
): Promise<Deployment> {
  const participants = await sender.send({
    label: 'deploy ParticipantRegistry',
    data: encodeDeployData({
      abi: participantRegistryAbi,
      bytecode: participantRegistryBytecode,
      args: [opts.admin ?? sender.address, opts.adminTransferDelaySeconds ?? 0],
    }),
  });
  const participantsAddress = participants.receipt.contractAddress;
  if (!participantsAddress) throw new CarechainError('ParticipantRegistry deployment produced no contract');
  const anchors = await sender.send({
    label: 'deploy AnchorRegistry',
    data: encodeDeployData({ abi: anchorRegistryAbi, bytecode: anchorRegistryBytecode, args: [participantsAddress] }),
  });
  const anchorsAddress = anchors.receipt.contractAddress;
  if (!anchorsAddress) throw new CarechainError('AnchorRegistry deployment produced no contract');
  const consent = await deployLinked(sender, 'ConsentRegistry', participantsAddress);
  const credentials = await deployLinked(sender, 'CredentialStatus', participantsAddress);
  return {
    chainId: conn.chain.id,
    deployedAtBlock: Number(participants.receipt.blockNumber),
    contracts: {
      ParticipantRegistry: { address: participantsAddress, codeHash: await codeHash(conn, participantsAddress) },
      AnchorRegistry: { address: anchorsAddress, codeHash: await codeHash(conn, anchorsAddress) },
      ConsentRegistry: { address: consent, codeHash: await codeHash(conn, consent) },
      CredentialStatus: { address: credentials, codeHash: await codeHash(conn, credentials) },
    },
  };
}

const codeHash = async (conn: ChainConnection, address: Address) => keccak256((await conn.client.getCode({ address }))!);

/** Deploys a contract whose only constructor argument is the ParticipantRegistry it trusts. */
async function deployLinked(sender: TxSender, name: 'ConsentRegistry' | 'CredentialStatus', participants: Address): Promise<Address> {
  const { abi, bytecode } = name === 'ConsentRegistry'
    ? { abi: consentRegistryAbi, bytecode: consentRegistryBytecode }
    : { abi: credentialStatusAbi, bytecode: credentialStatusBytecode };
  const r = await sender.send({ label: `deploy ${name}`, data: encodeDeployData({ abi, bytecode, args: [participants] } as never) });
  if (!r.receipt.contractAddress) throw new CarechainError(`${name} deployment produced no contract`);
  return r.receipt.contractAddress;
}

/**
 * Brings a deployment written by an older version up to date by deploying the contracts it lacks
 * (linked to its ParticipantRegistry). Returns the completed deployment, or the input if complete.
 */
export async function deployMissing(conn: ChainConnection, sender: TxSender, raw: Record<string, any>): Promise<Record<string, any>> {
  const participants = raw?.contracts?.ParticipantRegistry?.address as Address | undefined;
  if (!participants) return raw;
  const added: Record<string, { address: Address; codeHash: string }> = {};
  for (const name of ['ConsentRegistry', 'CredentialStatus'] as const) {
    if (raw.contracts[name]) continue;
    const address = await deployLinked(sender, name, participants);
    added[name] = { address, codeHash: await codeHash(conn, address) };
  }
  return Object.keys(added).length ? { ...raw, contracts: { ...raw.contracts, ...added } } : raw;
}
