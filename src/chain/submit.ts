/**
 * The one way a node writes to the ledger: `submit()` checks the call (gas estimation surfaces a
 * revert with its decoded reason), journals the signed transaction durably, broadcasts it, waits for
 * its receipt and, by default, for the node's own index to include its block, so the next read of the
 * index sees the effect. Failures are domain errors: a revert is `unprocessable` (the request broke a
 * rule of the contract), anything else is `chain` (the ledger could not be reached or did not answer).
 */
import type { Abi, Address, ContractFunctionArgs, ContractFunctionName, Hex, TransactionReceipt } from 'viem';
import { DomainError, errorMessage } from '../shared/errors.ts';
import type { TxSender } from './journal.ts';

export interface ContractCall<abi extends Abi, name extends ContractFunctionName<abi, 'nonpayable' | 'payable'>> {
  address: Address;
  abi: abi;
  functionName: name;
  args: ContractFunctionArgs<abi, 'nonpayable' | 'payable', name>;
  /** What the transaction is for, in the journal and logs. */
  label: string;
}

export interface Submitted {
  hash: Hex;
  blockNumber: number;
  receipt: TransactionReceipt;
}

export type WaitForBlock = (block: number, timeoutMs: number) => Promise<void>;

export interface Ledger {
  readonly address: Address;
  submit<const abi extends Abi, name extends ContractFunctionName<abi, 'nonpayable' | 'payable'>>(
    call: ContractCall<abi, name>,
    opts?: { waitIndexed?: boolean },
  ): Promise<Submitted>;
}

/** How long `submit` waits for the node's index to reach a mined transaction's block. */
const INDEX_WAIT_MS = 15_000;

export function ledgerOf(sender: TxSender, waitForBlock: WaitForBlock): Ledger {
  return {
    address: sender.address,
    async submit(call, opts = {}) {
      let result: Awaited<ReturnType<TxSender['sendContract']>>;
      try {
        result = await sender.sendContract(call as never);
      } catch (err) {
        const message = errorMessage(err);
        if (/rejected by the chain/.test(message)) throw new DomainError('unprocessable', message, { code: 'revert', cause: err });
        throw new DomainError('chain', `${call.label}: ${message}`, { cause: err });
      }
      const blockNumber = Number(result.receipt.blockNumber);
      // The effect is on chain either way; a slow index only delays when this node sees it.
      if (opts.waitIndexed !== false) await waitForBlock(blockNumber, INDEX_WAIT_MS).catch(() => {});
      return { hash: result.hash, blockNumber, receipt: result.receipt };
    },
  };
}
