/**
 * The node's writes to the ClaimRegistry, every one through `submit()` (src/chain/submit.ts): checked
 * by gas estimation (a wrong party or a wrong state comes back as an `unprocessable` DomainError
 * naming the contract's error), journalled, and awaited until this node's index has the block.
 */
import type { Hex } from 'viem';
import type { Deployment } from '../chain/deployment.ts';
import { claimRegistryAbi } from '../chain/generated/contracts.ts';
import type { Ledger, Submitted } from '../chain/submit.ts';

export type ClaimMove = 'voidClaim' | 'appeal' | 'pend' | 'approve' | 'deny' | 'pay' | 'recordDispute';

export class ClaimLedger {
  constructor(private readonly deps: { ledger: Ledger; deployment: Deployment }) {}

  private get address() {
    return this.deps.deployment.contracts.ClaimRegistry.address;
  }

  submit(claimId: Hex, insurer: Hex, claimHash: Hex, patientCommitment: Hex): Promise<Submitted> {
    return this.deps.ledger.submit({ address: this.address, abi: claimRegistryAbi, functionName: 'submit', args: [claimId, insurer, claimHash, patientCommitment], label: `claim ${claimId} submitted` });
  }

  move(move: ClaimMove, claimId: Hex, docHash: Hex): Promise<Submitted> {
    return this.deps.ledger.submit({ address: this.address, abi: claimRegistryAbi, functionName: move, args: [claimId, docHash], label: `claim ${claimId} ${move}` });
  }
}
