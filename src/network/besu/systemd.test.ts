import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDomainError } from '../../shared/errors.ts';
import { planLayout } from './layout.ts';
import { systemdUnit, unitName } from './systemd.ts';

const v = planLayout({ target: 'systemd', validators: 2, hosts: ['10.0.0.1', '10.0.0.2'] })[1]!;

/** `Key=value` lines per `[Section]`. */
function sections(unit: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let current: Record<string, string[]> | undefined;
  for (const line of unit.split('\n')) {
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) out[header[1]!] = current = {};
    const kv = /^(\w+)=(.*)$/.exec(line);
    if (kv && current) (current[kv[1]!] ??= []).push(kv[2]!);
  }
  return out;
}

describe('systemd unit', () => {
  const unit = sections(systemdUnit(v));
  it('is named after the validator', () => assert.equal(unitName(v), 'carechain-besu-validator-2.service'));
  it('runs Besu with the validator config as the besu user', () => {
    assert.deepEqual(unit.Service!.ExecStart, ['/opt/besu/bin/besu --config-file=/var/lib/carechain-besu/validator-2/config.toml']);
    assert.deepEqual([unit.Service!.User, unit.Service!.Group], [['besu'], ['besu']]);
  });
  it('may write only its data path', () => {
    assert.deepEqual(unit.Service!.ProtectSystem, ['strict']);
    assert.deepEqual(unit.Service!.ReadWritePaths, ['/var/lib/carechain-besu/validator-2/data']);
    assert.deepEqual(unit.Service!.NoNewPrivileges, ['true']);
  });
  it('starts after the network and restarts on failure', () => {
    assert.deepEqual(unit.Unit!.After, ['network-online.target']);
    assert.deepEqual(unit.Service!.Restart, ['on-failure']);
    assert.deepEqual(unit.Install!.WantedBy, ['multi-user.target']);
  });
  it('passes JVM options through BESU_OPTS', () => {
    assert.deepEqual(sections(systemdUnit(v, { javaOpts: '-Xmx4g' })).Service!.Environment, ['"BESU_OPTS=-Xmx4g"']);
  });
  for (const [what, opts, pattern] of [
    ['a relative binary', { besuBinary: 'besu' }, /absolute path/],
    ['a bad user', { user: 'Root User' }, /Unix user/],
    ['quotes in javaOpts', { javaOpts: '-Dx="y"' }, /quotes/],
  ] as const) {
    it(`refuses ${what}`, () => assert.throws(() => systemdUnit(v, opts), (e: unknown) => isDomainError(e, 'invalid') && pattern.test((e as Error).message)));
  }
});
