/**
 * The genesis file of a Hyperledger Besu QBFT network whose validators are kept in block headers
 * ("block header validator selection", Besu docs "Configure QBFT consensus"): the initial
 * validators are listed in the genesis `extraData`, and later changes are voted with
 * `qbft_proposeValidatorVote`.
 *
 * EVM version. Carechain's contracts are compiled with `evmVersion: 'cancun'` (MCOPY, TLOAD/TSTORE,
 * PUSH0), so the chain must run Cancun from block 0: `cancunTime: 0` (with `shanghaiTime: 0`,
 * `londonBlock: 0`, `berlinBlock: 0` written out for readers; Besu implies the earlier milestones,
 * genesis-items docs, "Milestone blocks"). Cancun and later are timestamp milestones; Prague is not
 * enabled (it would need `blobSchedule` and the system-contract addresses). Time-based milestones
 * on QBFT work from Besu 24.5.1 (#6353, #6765); Besu 26.1.0 broke block import for them
 * (besu#9786, fixed in 26.2.0 by #9830), hence the pinned image in `compose.ts`. That QBFT
 * produces Cancun blocks was read from Besu's source (QBFT block creation leaves the parent beacon
 * block root zero; its header rules have no blob-gas rule), not run: Besu's own BFT acceptance
 * tests go up to Shanghai.
 *
 * Free gas ("Configure free gas networks"): London or later needs `zeroBaseFee: true` on every
 * node, with `--min-gas-price=0`. Then a transaction priced at 0 costs nothing and accounts need no
 * ether: Carechain's journal prices transactions at 0 when the block base fee is 0. Pre-funded
 * `alloc` entries are optional (tools that insist on a non-zero gas price would need them).
 *
 * The other variant, contract validator selection, puts the validators in a contract deployed in
 * `alloc` and names it in `qbft.validatorcontractaddress`, with `extraData` carrying no validators
 * (`genesisExtraData([])`). This kit does not generate it.
 */
import { getAddress, numberToHex, type Address, type Hex } from 'viem';
import { invalid } from '../../shared/errors.ts';
import { genesisExtraData } from './extra-data.ts';

/** Besu `BftHelpers.EXPECTED_MIX_HASH` ("…ctical byzantine fault tolerance"): required in every BFT block. */
export const BFT_MIX_HASH = '0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365';

export interface QbftGenesisOptions {
  chainId: number;
  /** The initial validators' addresses. They are written to `extraData` in ascending order. */
  validators: readonly Address[];
  /** Minimum seconds between blocks (`blockperiodseconds`). */
  blockPeriodSeconds: number;
  /** Round timeout (`requesttimeoutseconds`); the docs suggest starting at twice the block period. Default max(4, 2 × block period). */
  requestTimeoutSeconds?: number;
  /** Blocks after which pending votes are discarded (`epochlength`). Default 30000. */
  epochLength?: number;
  /** Block gas limit. Default 30,000,000 (as Anvil and Ethereum mainnet: the limits Carechain is tested under). */
  gasLimit?: bigint;
  /** Genesis time in seconds since 1970. Default: now. */
  timestamp?: number;
  /** Optional pre-funded accounts (wei). Not needed on a zero-base-fee network. */
  alloc?: Readonly<Record<Address, bigint>>;
}

export interface BesuQbftGenesis {
  config: {
    chainId: number;
    berlinBlock: 0;
    londonBlock: 0;
    shanghaiTime: 0;
    cancunTime: 0;
    zeroBaseFee: true;
    qbft: { blockperiodseconds: number; epochlength: number; requesttimeoutseconds: number };
  };
  nonce: Hex;
  timestamp: Hex;
  extraData: Hex;
  gasLimit: Hex;
  difficulty: Hex;
  mixHash: Hex;
  coinbase: Address;
  baseFeePerGas: Hex;
  alloc: Record<string, { balance: Hex }>;
  number: Hex;
  gasUsed: Hex;
  parentHash: Hex;
}

export const DEFAULT_GAS_LIMIT = 30_000_000n;
export const DEFAULT_EPOCH_LENGTH = 30_000;

export function qbftGenesis(opts: QbftGenesisOptions): BesuQbftGenesis {
  if (!Number.isSafeInteger(opts.chainId) || opts.chainId < 1) throw invalid(`chain ID must be a positive integer, got ${opts.chainId}`);
  if (opts.chainId === 1) throw invalid('chain ID 1 is Ethereum mainnet: choose a chain ID of your own for the network');
  if (opts.validators.length === 0) throw invalid('a QBFT network needs at least one validator');
  const validators = opts.validators.map((a) => getAddress(a));
  if (new Set(validators).size !== validators.length) throw invalid('the validator addresses must be distinct');
  const blockPeriod = positiveInt(opts.blockPeriodSeconds, 'block period (seconds)');
  const requestTimeout = positiveInt(opts.requestTimeoutSeconds ?? Math.max(4, 2 * blockPeriod), 'request timeout (seconds)');
  const epochLength = positiveInt(opts.epochLength ?? DEFAULT_EPOCH_LENGTH, 'epoch length');
  const gasLimit = opts.gasLimit ?? DEFAULT_GAS_LIMIT;
  // Besu parses gasLimit with Long.decode; 5000 is the protocol minimum (MIN_GAS_LIMIT).
  if (gasLimit < 5000n || gasLimit > 0x7fff_ffff_ffff_ffffn) throw invalid(`gas limit must be between 5000 and 2^63-1, got ${gasLimit}`);
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw invalid(`genesis timestamp must be a non-negative integer (seconds), got ${timestamp}`);

  const alloc: Record<string, { balance: Hex }> = {};
  for (const [address, balance] of Object.entries(opts.alloc ?? {})) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw invalid(`alloc address ${address} must be a 0x-prefixed 20-byte address`);
    if (balance < 0n) throw invalid(`alloc balance for ${address} must not be negative`);
    alloc[address.slice(2).toLowerCase()] = { balance: numberToHex(balance) };
  }

  return {
    config: {
      chainId: opts.chainId,
      berlinBlock: 0,
      londonBlock: 0,
      shanghaiTime: 0,
      cancunTime: 0,
      zeroBaseFee: true,
      qbft: { blockperiodseconds: blockPeriod, epochlength: epochLength, requesttimeoutseconds: requestTimeout },
    },
    nonce: '0x0',
    timestamp: numberToHex(timestamp),
    extraData: genesisExtraData(sortAddresses(validators)),
    gasLimit: numberToHex(gasLimit),
    difficulty: '0x1',
    mixHash: BFT_MIX_HASH,
    coinbase: '0x0000000000000000000000000000000000000000',
    baseFeePerGas: '0x0',
    alloc,
    number: '0x0',
    gasUsed: '0x0',
    parentHash: `0x${'00'.repeat(32)}`,
  };
}

/** Ascending by the address bytes (the order Besu's `BlockValidatorProvider` sorts them in). */
export function sortAddresses(addresses: readonly Address[]): Address[] {
  return [...addresses].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
}

function positiveInt(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 1) throw invalid(`${what} must be a positive integer, got ${n}`);
  return n;
}
