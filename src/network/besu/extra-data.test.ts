import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { getAddress, toRlp, type Address, type Hex } from 'viem';
import { isDomainError } from '../../shared/errors.ts';
import { decodeQbftExtraData, encodeQbftExtraData, genesisExtraData, type QbftExtraData } from './extra-data.ts';
import { besuVector, javaStringAfter, markdownBlockAfter } from './test-vectors.ts';

const codecTest = besuVector('QbftExtraDataCodecTest.java');
const rlpSubcommandTest = besuVector('RLPSubCommandTest.java');
const docs = besuVector('besu-docs-qbft.md');

/** Besu `Address.fromHexString("1")`. */
const addr = (n: number) => getAddress(`0x${n.toString(16).padStart(40, '0')}`);
/** Besu `createSignature(r, s, recId).encodedBytes()`: r ‖ s (32 bytes each) ‖ recovery id. */
const seal = (r: bigint, s: bigint, v: number) => `0x${r.toString(16).padStart(64, '0')}${s.toString(16).padStart(64, '0')}${v.toString(16).padStart(2, '0')}` as Hex;
/** QbftExtraDataCodecTestUtils.createNonEmptyVanityData: bytes 1..32. */
const nonEmptyVanity = `0x${Array.from({ length: 32 }, (_, i) => (i + 1).toString(16).padStart(2, '0')).join('')}` as Hex;
const zeroVanity = `0x${'00'.repeat(32)}` as Hex;

const rejects = (extraData: Hex, pattern: RegExp) =>
  assert.throws(() => decodeQbftExtraData(extraData), (e: unknown) => isDomainError(e, 'invalid') && pattern.test((e as Error).message));

describe('QBFT extraData against Besu QbftExtraDataCodecTest (26.2.0)', () => {
  // getDecodedExtraDataForRawHexEncodingString() in the Java test.
  const decoded: QbftExtraData = {
    vanity: nonEmptyVanity,
    validators: [addr(1), addr(2)],
    vote: { address: addr(1), kind: 'add' },
    round: 0x00fedcba,
    seals: [seal(1n, 10n, 0), seal(10n, 1n, 0)],
  };
  const raw = javaStringAfter(codecTest, 'RAW_HEX_ENCODING_STRING =') as Hex;

  it('the vector was read from the Java source', () => {
    assert.match(raw, /^0xf8f0a0/);
    assert.equal(raw.length, 2 + 2 * 0xf2);
  });
  it('encodingMatchesKnownRawHexString: byte-exact', () => {
    assert.equal(encodeQbftExtraData(decoded), raw);
  });
  it('decodingOfKnownRawHexStringMatchesKnowExtraDataObject', () => {
    assert.deepEqual(decodeQbftExtraData(raw), decoded);
  });
  it('correctlyCodedRoundConstitutesValidContent: round 0xDCBA as 2 bytes', () => {
    const bytes = toRlp([zeroVanity, [], [addr(1), '0xff'], '0xdcba', []]);
    const d = decodeQbftExtraData(bytes);
    assert.equal(d.round, 0xdcba);
    assert.deepEqual(d.vote, { address: addr(1), kind: 'add' });
  });
  it('incorrectlyEncodedRoundThrowsRlpException: a round with a leading zero byte is refused', () => {
    rejects(toRlp([zeroVanity, [], [addr(1), '0xff'], '0x00dcba', []]), /leading zero/);
  });
  it('nullVoteAndListConstituteValidContent / emptyVoteAndListIsEncodedCorrectly', () => {
    const d: QbftExtraData = { vanity: zeroVanity, validators: [], round: 0x00fedcba, seals: [] };
    const enc = encodeQbftExtraData(d);
    assert.equal(enc, toRlp([zeroVanity, [], [], '0xfedcba', []]));
    assert.deepEqual(decodeQbftExtraData(enc), d);
  });
  it('emptyListConstituteValidContent: a drop vote is written as RLP null', () => {
    const d: QbftExtraData = { vanity: zeroVanity, validators: [], vote: { address: addr(1), kind: 'drop' }, round: 0x00fedcba, seals: [] };
    const enc = encodeQbftExtraData(d);
    assert.equal(enc, toRlp([zeroVanity, [], [addr(1).toLowerCase() as Hex, '0x'], '0xfedcba', []]));
    assert.deepEqual(decodeQbftExtraData(enc), d);
  });
  it('a drop vote written as the byte 0x00 (DROP_BYTE_VALUE) also decodes as drop', () => {
    assert.equal(decodeQbftExtraData(toRlp([zeroVanity, [], [addr(1), '0x00'], '0x', []])).vote?.kind, 'drop');
  });
  it('incorrectVoteTypeThrowsException: vote byte 0xAA', () => {
    rejects(toRlp([zeroVanity, [addr(1), addr(2)], [addr(1), '0xaa'], '0xfedcba', [seal(1n, 10n, 0)]]), /vote byte/);
  });
  it('emptyExtraDataThrowsException', () => {
    rejects('0x', /empty/);
  });
  it('items after the seals are ignored, as Besu leaveListLenient does', () => {
    const d = decodeQbftExtraData(toRlp([zeroVanity, [addr(1)], [], '0x', [], '0x01']));
    assert.deepEqual(d.validators, [addr(1)]);
  });
});

describe('QBFT extraData against Besu RLPSubCommandTest (besu rlp encode/decode --type=QBFT_EXTRA_DATA)', () => {
  it('canEncodeToQbftExtraData: byte-exact', () => {
    const validators = JSON.parse(javaStringAfter(rlpSubcommandTest, 'canEncodeToQbftExtraData', 'fileWriter.write(')) as string[];
    const expected = javaStringAfter(rlpSubcommandTest, 'canEncodeToQbftExtraData', 'expectedRlpString =');
    assert.equal(validators.length, 2);
    assert.equal(genesisExtraData(validators.map((v) => getAddress(`0x${v}`))), expected);
  });
  it('decodeQBFTWithoutPathMustWriteToStandardOutput', () => {
    const input = javaStringAfter(rlpSubcommandTest, 'decodeQBFTWithoutPathMustWriteToStandardOutput', 'inputData =') as Hex;
    const expected = javaStringAfter(rlpSubcommandTest, 'decodeQBFTWithoutPathMustWriteToStandardOutput', 'expectedValidatorString =');
    const d = decodeQbftExtraData(input);
    assert.equal(`[${d.validators.map((v) => v.toLowerCase()).join(', ')}]`, expected);
    assert.deepEqual({ vote: d.vote, round: d.round, seals: d.seals, vanity: d.vanity }, { vote: undefined, round: 0, seals: [], vanity: zeroVanity });
  });
  it('refuses the IBFT 2.0 layout (vote as RLP null, 4-byte round) from decodeWithOutputFileMustWriteInThisFile', () => {
    const ibft = javaStringAfter(rlpSubcommandTest, 'decodeWithOutputFileMustWriteInThisFile', 'inputData =') as Hex;
    assert.match(ibft, /808400000000c0$/);
    rejects(ibft, /IBFT 2\.0/);
  });
});

describe("QBFT extraData against Besu's documentation (Configure QBFT consensus)", () => {
  it('the four validators in toEncode.json encode to the documented RLP string', () => {
    const addresses = JSON.parse(markdownBlockAfter(docs, 'Where the `toEncode.json` file contains')) as Address[];
    const expected = markdownBlockAfter(docs, 'Copy the RLP encoded data to the `extraData` property').trim();
    assert.equal(addresses.length, 4);
    assert.equal(genesisExtraData(addresses), expected);
  });
  it('the block-header genesis example decodes to four validators, no vote, round 0, no seals', () => {
    const genesis = JSON.parse(markdownBlockAfter(docs, 'Block header validator selection" default>')) as { extraData: Hex };
    const d = decodeQbftExtraData(genesis.extraData);
    assert.equal(d.validators.length, 4);
    assert.equal(encodeQbftExtraData(d), genesis.extraData);
    assert.deepEqual([d.vote, d.round, d.seals.length], [undefined, 0, 0]);
  });
  it('the contract-validator genesis example is the extra data with no validators', () => {
    const genesis = JSON.parse(markdownBlockAfter(docs, 'label="Contract validator selection">')) as { extraData: Hex };
    assert.equal(genesisExtraData([]), genesis.extraData);
  });
});

describe('QBFT extraData encoding', () => {
  it('round-trips arbitrary extra data', () => {
    const hexBytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => `0x${Buffer.from(b).toString('hex')}` as Hex);
    const address = hexBytes(20).map((h) => getAddress(h));
    const data = fc.record({
      vanity: hexBytes(32),
      validators: fc.array(address, { maxLength: 8 }),
      vote: fc.option(fc.record({ address, kind: fc.constantFrom('add' as const, 'drop' as const) }), { nil: undefined }),
      round: fc.integer({ min: 0, max: 0x7fffffff }),
      seals: fc.array(hexBytes(65), { maxLength: 4 }),
    });
    fc.assert(
      fc.property(data, (d) => {
        const { vote, ...rest } = d;
        const value: QbftExtraData = vote ? { ...rest, vote: { ...vote } } : { ...rest };
        assert.deepEqual(decodeQbftExtraData(encodeQbftExtraData(value)), value);
      }),
      { numRuns: 300 },
    );
  });
  it('encodes round 0 as empty bytes and 256 as two bytes', () => {
    assert.equal(genesisExtraData([]).slice(-6), 'c080c0');
    assert.ok(encodeQbftExtraData({ vanity: zeroVanity, validators: [], round: 256, seals: [] }).endsWith('c0820100c0'));
  });
  for (const [what, data, pattern] of [
    ['a short vanity', { vanity: '0x00', validators: [], round: 0, seals: [] }, /vanity must be 32 bytes, got 1/],
    ['a non-hex vanity', { vanity: `0x${'zz'.repeat(32)}`, validators: [], round: 0, seals: [] }, /vanity must be 0x-prefixed hex/],
    ['a bad validator', { vanity: zeroVanity, validators: ['0x1234'], round: 0, seals: [] }, /validator 1 must be a 20-byte/],
    ['a negative round', { vanity: zeroVanity, validators: [], round: -1, seals: [] }, /round must be an integer/],
    ['a fractional round', { vanity: zeroVanity, validators: [], round: 1.5, seals: [] }, /round must be an integer/],
    ['a 64-byte seal', { vanity: zeroVanity, validators: [], round: 0, seals: [`0x${'11'.repeat(64)}`] }, /seal 1 must be 65 bytes/],
  ] as const) {
    it(`refuses ${what}`, () => {
      assert.throws(() => encodeQbftExtraData(data as unknown as QbftExtraData), (e: unknown) => isDomainError(e, 'invalid') && pattern.test((e as Error).message));
    });
  }
  for (const [what, bytes, pattern] of [
    ['not RLP', '0xf8', /not valid RLP/],
    ['a non-list', '0x80', /RLP list of 5 items/],
    ['4 items', toRlp([zeroVanity, [], [], '0x']), /RLP list of 5 items/],
    ['a 31-byte vanity', toRlp([`0x${'00'.repeat(31)}`, [], [], '0x', []]), /vanity must be 32 bytes/],
    ['a 19-byte validator', toRlp([zeroVanity, [`0x${'11'.repeat(19)}`], [], '0x', []]), /validator 1 must be a 20-byte address/],
    ['a 5-byte round', toRlp([zeroVanity, [], [], '0x0100000000', []]), /does not fit a 32-bit integer/],
    ['a round above 2^31-1', toRlp([zeroVanity, [], [], '0x80000000', []]), /larger than/],
    ['a 64-byte seal', toRlp([zeroVanity, [], [], '0x', [`0x${'11'.repeat(64)}`]]), /commit seal 1 must be 65 bytes/],
    ['odd-length hex', '0xc', /even-length/],
  ] as const) {
    it(`refuses to decode ${what}`, () => rejects(bytes as Hex, pattern));
  }
});
