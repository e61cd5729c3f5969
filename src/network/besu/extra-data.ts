/**
 * QBFT `extraData`: the block-header field in which a Hyperledger Besu QBFT chain records its
 * validators, a validator vote, the consensus round and the validators' commit seals.
 *
 * The layout is Besu's `QbftExtraDataCodec` (consensus/qbft, checked at tag 26.2.0):
 *
 *     RLP([ vanity (32 bytes),
 *           [ validator address (20 bytes), … ],
 *           vote:  [] | [ address, 0xff (add) | empty or 0x00 (drop) ],
 *           round: RLP scalar (Besu `writeIntScalar`: minimal big-endian, 0 encodes as empty bytes),
 *           [ seal (65 bytes: r ‖ s ‖ recovery id), … ] ])
 *
 * The round is NOT a fixed 4-byte integer: that is IBFT 2.0 (`IbftExtraDataCodec`, `writeInt`).
 * Besu reads the QBFT round with `readIntScalar`, which rejects leading zero bytes, so
 * `0x8400000000` is an IBFT 2.0 round and is refused here (QbftExtraDataCodecTest
 * `incorrectlyEncodedRoundThrowsRlpException`). The genesis block of a network whose validators are
 * kept in block headers carries the validator list with no vote, round 0 and no seals; with
 * contract validator selection it carries no validators at all (Besu docs, "Configure QBFT
 * consensus", Extra data).
 *
 * RLP encoding and canonical-form checks are viem's `toRlp` / `fromRlp`.
 */
import { fromRlp, getAddress, isHex, toRlp, type Address, type Hex } from 'viem';
import { invalid } from '../../shared/errors.ts';

/** A vote carried in a block header: add `address` to, or drop it from, the validator set. */
export interface QbftVote {
  address: Address;
  kind: 'add' | 'drop';
}

export interface QbftExtraData {
  /** 32 bytes; zero in Besu-generated genesis files. */
  vanity: Hex;
  /** In the order they are encoded (Besu sorts them when it reads a block, so order does not matter). */
  validators: Address[];
  vote?: QbftVote;
  /** The consensus round the block was agreed in; 0 in the genesis block. */
  round: number;
  /** Commit seals, 65 bytes each (r ‖ s ‖ recovery id 0/1); none in the genesis block. */
  seals: Hex[];
}

const VANITY_BYTES = 32;
const ADDRESS_BYTES = 20;
const SEAL_BYTES = 65;
/** Besu `Vote.ADD_BYTE_VALUE`; a drop vote is written as RLP null (empty bytes). */
const ADD_VOTE = '0xff';
const DROP_VOTE_BYTE = '0x00';
/** The round is a Java `int` in Besu; rounds are never negative. */
const MAX_ROUND = 0x7fff_ffff;

type RlpItem = Hex | RlpItem[];

/** Encodes QBFT extra data exactly as Besu's `QbftExtraDataCodec.encode` does. */
export function encodeQbftExtraData(data: QbftExtraData): Hex {
  const vanity = fixedBytes(data.vanity, VANITY_BYTES, 'QBFT extraData vanity');
  const validators = data.validators.map((a, i) => addressBytes(a, `validator ${i + 1}`));
  const vote: RlpItem = data.vote ? [addressBytes(data.vote.address, 'vote address'), data.vote.kind === 'add' ? ADD_VOTE : '0x'] : [];
  if (!Number.isInteger(data.round) || data.round < 0 || data.round > MAX_ROUND) {
    throw invalid(`QBFT round must be an integer from 0 to ${MAX_ROUND}, got ${data.round}`);
  }
  const seals = data.seals.map((s, i) => fixedBytes(s, SEAL_BYTES, `QBFT commit seal ${i + 1}`));
  return toRlp([vanity, validators, vote, scalar(data.round), seals]);
}

/** The genesis `extraData` for a network whose validators are kept in block headers. */
export function genesisExtraData(validators: readonly Address[]): Hex {
  return encodeQbftExtraData({ vanity: `0x${'00'.repeat(VANITY_BYTES)}`, validators: [...validators], round: 0, seals: [] });
}

/**
 * Decodes QBFT extra data as Besu's `QbftExtraDataCodec.decodeRaw` does, and as strictly: a round
 * with a leading zero byte, a vote byte other than 0xff / 0x00 / empty, an address that is not
 * 20 bytes or a seal that is not 65 bytes is refused. Like Besu (`leaveListLenient`), items after
 * the seals are ignored.
 */
export function decodeQbftExtraData(extraData: Hex): QbftExtraData {
  if (!isHex(extraData, { strict: true }) || extraData.length % 2 !== 0) throw invalid(`QBFT extraData must be an even-length 0x-prefixed hex string`);
  if (extraData === '0x') throw invalid('QBFT extraData is empty: a QBFT block header needs its extra data');
  let root: RlpItem;
  try {
    root = fromRlp(extraData, 'hex') as RlpItem;
  } catch (err) {
    throw invalid(`QBFT extraData is not valid RLP: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!Array.isArray(root) || root.length < 5) throw invalid('QBFT extraData must be an RLP list of 5 items: vanity, validators, vote, round, seals');
  const [vanity, validators, vote, round, seals] = root as [RlpItem, RlpItem, RlpItem, RlpItem, RlpItem];

  if (Array.isArray(vanity) || byteLength(vanity) !== VANITY_BYTES) throw invalid(`QBFT extraData vanity must be ${VANITY_BYTES} bytes`);
  if (!Array.isArray(validators)) throw invalid('QBFT extraData validators must be a list');
  if (!Array.isArray(seals)) throw invalid('QBFT extraData seals must be a list');

  const decoded: QbftExtraData = {
    vanity,
    validators: validators.map((v, i) => readAddress(v, `validator ${i + 1}`)),
    round: readRound(round),
    seals: seals.map((s, i) => {
      if (Array.isArray(s) || byteLength(s) !== SEAL_BYTES) throw invalid(`QBFT extraData commit seal ${i + 1} must be ${SEAL_BYTES} bytes`);
      return s;
    }),
  };
  const parsedVote = readVote(vote);
  return parsedVote ? { ...decoded, vote: parsedVote } : decoded;
}

function readVote(item: RlpItem): QbftVote | undefined {
  if (!Array.isArray(item)) throw invalid('QBFT extraData vote must be a list (empty for no vote); a single byte there is the IBFT 2.0 layout');
  if (item.length === 0) return undefined;
  if (item.length !== 2) throw invalid('QBFT extraData vote must be [address, vote byte]');
  const [recipient, kind] = item as [RlpItem, RlpItem];
  const address = readAddress(recipient, 'vote address');
  if (Array.isArray(kind)) throw invalid('QBFT extraData vote byte must be bytes, not a list');
  if (kind === ADD_VOTE) return { address, kind: 'add' };
  if (kind === '0x' || kind === DROP_VOTE_BYTE) return { address, kind: 'drop' };
  throw invalid(`QBFT extraData vote byte must be 0xff (add) or empty (drop), got ${kind}`);
}

function readRound(item: RlpItem): number {
  if (Array.isArray(item)) throw invalid('QBFT extraData round must be a scalar, not a list');
  if (item === '0x') return 0;
  if (item.startsWith('0x00')) throw invalid(`QBFT extraData round ${item} has a leading zero byte: QBFT encodes the round as a minimal scalar (a 4-byte round is IBFT 2.0)`);
  if (byteLength(item) > 4) throw invalid(`QBFT extraData round ${item} does not fit a 32-bit integer`);
  const round = Number.parseInt(item.slice(2), 16);
  if (round > MAX_ROUND) throw invalid(`QBFT extraData round ${item} is larger than ${MAX_ROUND}`);
  return round;
}

function readAddress(item: RlpItem, what: string): Address {
  if (Array.isArray(item) || byteLength(item) !== ADDRESS_BYTES) throw invalid(`QBFT extraData ${what} must be a ${ADDRESS_BYTES}-byte address`);
  return getAddress(item);
}

function addressBytes(address: string, what: string): Hex {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw invalid(`${what} must be a 20-byte 0x-prefixed address, got ${address}`);
  return address.toLowerCase() as Hex;
}

/** Minimal big-endian bytes of a non-negative integer, as Besu's `writeIntScalar` writes them. */
function scalar(n: number): Hex {
  if (n === 0) return '0x';
  const hex = n.toString(16);
  return `0x${hex.length % 2 ? '0' : ''}${hex}`;
}

function byteLength(hex: Hex): number {
  return (hex.length - 2) / 2;
}

function fixedBytes(value: string, n: number, what: string): Hex {
  if (!isHex(value, { strict: true }) || value.length % 2 !== 0) throw invalid(`${what} must be 0x-prefixed hex bytes, got "${value}"`);
  if (byteLength(value) !== n) throw invalid(`${what} must be ${n} bytes, got ${byteLength(value)}`);
  return value.toLowerCase() as Hex;
}
