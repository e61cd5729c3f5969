import { encodeDeployData, keccak256, type Address } from 'viem';
import { CarechainError } from '../errors.ts';
import type { ChainConnection } from './client.ts';
import type { Deployment } from './deployment.ts';
import {
  anchorRegistryAbi,
  anchorRegistryBytecode,
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
  const codeHash = async (address: Address) => keccak256((await conn.client.getCode({ address }))!);
  return {
    chainId: conn.chain.id,
    deployedAtBlock: Number(participants.receipt.blockNumber),
    contracts: {
      ParticipantRegistry: { address: participantsAddress, codeHash: await codeHash(participantsAddress) },
      AnchorRegistry: { address: anchorsAddress, codeHash: await codeHash(anchorsAddress) },
    },
  };
}
