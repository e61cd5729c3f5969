import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getAddress, type Address } from 'viem';
import { isDomainError } from '../../shared/errors.ts';
import { decodeQbftExtraData } from './extra-data.ts';
import { BFT_MIX_HASH, qbftGenesis, sortAddresses, type QbftGenesisOptions } from './genesis.ts';
import { parseBesuKeyFile } from './keys.ts';
import { besuVector, markdownBlockAfter } from './test-vectors.ts';

const validators = [1, 2, 3, 4].map((n) => parseBesuKeyFile(besuVector(`keys/miner${n}key`)).address);
const base: QbftGenesisOptions = { chainId: 2025, validators, blockPeriodSeconds: 2, timestamp: 1_700_000_000 };
const genesis = qbftGenesis(base);
const docsGenesis = JSON.parse(markdownBlockAfter(besuVector('besu-docs-qbft.md'), 'Block header validator selection" default>')) as Record<string, unknown> & {
  config: Record<string, unknown> & { qbft: Record<string, unknown> };
};
const lowerKeys = (o: object) => Object.keys(o).map((k) => k.toLowerCase());

describe("QBFT genesis against Besu's documented example (block header validator selection)", () => {
  it('has every top-level item of the example', () => {
    assert.deepEqual(lowerKeys(docsGenesis).filter((k) => !lowerKeys(genesis).includes(k)), []);
  });
  for (const field of ['nonce', 'difficulty', 'mixHash', 'coinbase', 'number', 'gasUsed', 'parentHash'] as const) {
    it(`has the example's fixed ${field}`, () => assert.equal(genesis[field], docsGenesis[field]));
  }
  it('mixHash is the BFT constant the docs require', () => assert.equal(BFT_MIX_HASH, docsGenesis.mixHash));
  it('has the same qbft items, as integers', () => {
    assert.deepEqual(lowerKeys(genesis.config.qbft).sort(), lowerKeys(docsGenesis.config.qbft).sort());
    for (const v of Object.values(genesis.config.qbft)) assert.ok(Number.isInteger(v));
  });
  it('has the chain ID and a Berlin milestone at block 0, like the example', () => {
    assert.equal(docsGenesis.config.chainid, 1337);
    assert.equal(genesis.config.chainId, 2025);
    assert.equal(genesis.config.berlinBlock, docsGenesis.config.berlinBlock);
  });
});

describe("QBFT genesis against Besu's genesis parser (config module, 26.2.0)", () => {
  const genesisConfig = besuVector('GenesisConfig.java');
  const genesisOptions = besuVector('JsonGenesisConfigOptions.java');
  const bftOptions = besuVector('JsonBftConfigOptions.java');
  it('every config item is one Besu reads (keys are case-insensitive in Besu)', () => {
    const { qbft, ...config } = genesis.config;
    for (const key of lowerKeys(config)) assert.ok(genesisOptions.includes(`"${key}"`) || key === 'qbft', `config.${key} is read by JsonGenesisConfigOptions`);
    assert.ok(genesisOptions.includes('"qbft"') || genesisOptions.includes('QBFT_CONFIG_KEY'), 'qbft section');
    for (const key of lowerKeys(qbft)) assert.ok(bftOptions.includes(`"${key}"`), `qbft.${key} is read by JsonBftConfigOptions`);
  });
  it('the header items not in the docs example are ones Besu reads', () => {
    const extra = lowerKeys(genesis).filter((k) => !lowerKeys(docsGenesis).includes(k));
    assert.deepEqual(extra, ['basefeepergas']);
    assert.ok(genesisConfig.includes('"basefeepergas"'));
  });
  it('no two keys differ only in case', () => {
    for (const o of [genesis, genesis.config, genesis.config.qbft]) assert.equal(new Set(lowerKeys(o)).size, Object.keys(o).length);
  });
  it('numbers are hex that Java Long.decode reads', () => {
    for (const f of ['nonce', 'timestamp', 'gasLimit', 'baseFeePerGas', 'difficulty'] as const) assert.match(genesis[f], /^0x[0-9a-f]+$/, f);
    assert.equal(BigInt(genesis.timestamp), 1_700_000_000n);
    assert.equal(BigInt(genesis.gasLimit), 30_000_000n);
  });
});

describe('QBFT genesis contents', () => {
  it('runs Cancun from genesis with a zero base fee (contracts are compiled for evmVersion cancun)', () => {
    assert.deepEqual(
      { london: genesis.config.londonBlock, shanghai: genesis.config.shanghaiTime, cancun: genesis.config.cancunTime, zeroBaseFee: genesis.config.zeroBaseFee, baseFee: genesis.baseFeePerGas },
      { london: 0, shanghai: 0, cancun: 0, zeroBaseFee: true, baseFee: '0x0' },
    );
    assert.equal('pragueTime' in genesis.config, false);
  });
  it('lists the validators in ascending order in extraData, with no vote, round 0 and no seals', () => {
    const shuffled = [validators[2]!, validators[0]!, validators[3]!, validators[1]!];
    const d = decodeQbftExtraData(qbftGenesis({ ...base, validators: shuffled }).extraData);
    assert.deepEqual(d.validators, sortAddresses(validators));
    assert.deepEqual(d.validators.map((a) => a.toLowerCase()), validators.map((a) => a.toLowerCase()).sort());
    assert.deepEqual([d.vote, d.round, d.seals], [undefined, 0, []]);
  });
  it('derives the request timeout from the block period unless given', () => {
    assert.equal(qbftGenesis({ ...base, blockPeriodSeconds: 1 }).config.qbft.requesttimeoutseconds, 4);
    assert.equal(qbftGenesis({ ...base, blockPeriodSeconds: 5 }).config.qbft.requesttimeoutseconds, 10);
    assert.equal(qbftGenesis({ ...base, requestTimeoutSeconds: 7 }).config.qbft.requesttimeoutseconds, 7);
  });
  it('writes optional pre-funded accounts as Besu alloc entries', () => {
    const a = getAddress('0x627306090abaB3A6e1400e9345bC60c78a8BEf57');
    assert.deepEqual(qbftGenesis({ ...base, alloc: { [a]: 10n ** 18n } }).alloc, { '627306090abab3a6e1400e9345bc60c78a8bef57': { balance: '0xde0b6b3a7640000' } });
    assert.deepEqual(genesis.alloc, {});
  });
  for (const [what, opts, pattern] of [
    ['chain ID 0', { chainId: 0 }, /positive integer/],
    ['chain ID 1', { chainId: 1 }, /mainnet/],
    ['no validators', { validators: [] }, /at least one validator/],
    ['a duplicate validator', { validators: [validators[0]!, validators[0]!] }, /distinct/],
    ['a zero block period', { blockPeriodSeconds: 0 }, /block period/],
    ['a fractional block period', { blockPeriodSeconds: 1.5 }, /block period/],
    ['a tiny gas limit', { gasLimit: 10n }, /gas limit/],
    ['a negative balance', { alloc: { [validators[0]!]: -1n } as Record<Address, bigint> }, /negative/],
  ] as const) {
    it(`refuses ${what}`, () => {
      assert.throws(() => qbftGenesis({ ...base, ...(opts as Partial<QbftGenesisOptions>) }), (e: unknown) => isDomainError(e, 'invalid') && pattern.test((e as Error).message));
    });
  }
});
