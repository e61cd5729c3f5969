import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDomainError } from '../../shared/errors.ts';
import { BESU_IMAGE, dockerCompose } from './compose.ts';
import { planLayout } from './layout.ts';

const layout = planLayout({ target: 'compose', validators: 4 });
const yml = dockerCompose(layout, { subnet: '172.16.239.0/24' });

/** The lines of one service block. */
const service = (name: string) => {
  const lines = yml.split('\n');
  const start = lines.indexOf(`  ${name}:`);
  assert.ok(start >= 0, `service ${name}`);
  const end = lines.findIndex((l, i) => i > start && /^ {2}\S/.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
};

describe('docker-compose.yml', () => {
  it('pins the Besu image for every validator', () => {
    assert.equal(BESU_IMAGE, 'hyperledger/besu:26.2.0');
    assert.equal(yml.match(/image: hyperledger\/besu:26\.2\.0$/gm)?.length, 4);
  });
  it('one service per validator with its own directory, the genesis read-only, RPC on localhost only, a fixed address', () => {
    const s = service('validator-3');
    assert.match(s, /command: \["--config-file=\/besu\/config\.toml"\]/);
    assert.match(s, /- \.\/validator-3:\/besu$/m);
    assert.match(s, /- \.\/genesis\.json:\/genesis\.json:ro$/m);
    assert.match(s, /- "127\.0\.0\.1:8547:8545"$/m);
    assert.match(s, /ipv4_address: 172\.16\.239\.13$/m);
    assert.doesNotMatch(s, /30303/, 'P2P is not published');
    assert.doesNotMatch(s, /validator-[124]/, "no other validator's key is mounted");
  });
  it('declares the bridge network with the subnet', () => {
    assert.match(yml, /^networks:\n {2}qbft:\n {4}driver: bridge\n {4}ipam:\n {6}config:\n {8}- subnet: 172\.16\.239\.0\/24$/m);
  });
  it('uses two-space indentation and no tabs', () => {
    assert.doesNotMatch(yml, /\t/);
    for (const line of yml.split('\n')) assert.equal((/^( *)/.exec(line)![1]!.length) % 2, 0, line);
  });
  for (const image of ['hyperledger/besu:latest', 'hyperledger/besu', 'Hyperledger/Besu:1']) {
    it(`refuses the unpinned or invalid image ${image}`, () => {
      assert.throws(() => dockerCompose(layout, { subnet: '172.16.239.0/24', image }), (e: unknown) => isDomainError(e, 'invalid') && /pinned/.test((e as Error).message));
    });
  }
  it('refuses a systemd layout', () => {
    assert.throws(() => dockerCompose(planLayout({ target: 'systemd', validators: 1 }), { subnet: '172.16.239.0/24' }), (e: unknown) => isDomainError(e, 'invalid'));
  });
});
