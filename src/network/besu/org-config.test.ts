import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadNodeConfig } from '../../config/node-config.ts';
import { isDomainError } from '../../shared/errors.ts';
import { planLayout } from './layout.ts';
import { orgNodeConfig, orgNodeConfigJson } from './org-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'besu-org-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const validator = planLayout({ target: 'compose', validators: 2 })[1]!;

describe('Carechain node configuration for a Besu network', () => {
  it("is accepted by the node's own config loader (carechain node start --config) and points at the validator", () => {
    const file = join(dir, 'hospital-a.json');
    writeFileSync(file, orgNodeConfigJson(orgNodeConfig({ slug: 'hospital-a', validator, port: 4002, home: '/srv/carechain' })));
    const config = loadNodeConfig({ config: file }, {});
    assert.equal(config.org, 'hospital-a');
    assert.equal(config.rpcUrl, 'http://127.0.0.1:8546');
    assert.equal(config.port, 4002);
    assert.equal(config.tls, true);
    assert.equal(config.deploymentFile, '/srv/carechain/deployment.json');
    assert.equal(config.keyFile, '/srv/carechain/orgs/hospital-a/keys.json');
    assert.equal(config.dataDir, '/srv/carechain/orgs/hospital-a');
  });
  it('uses the CLI default home when none is given (paths resolve from where the node starts)', () => {
    const file = join(dir, 'lab.json');
    writeFileSync(file, orgNodeConfigJson(orgNodeConfig({ slug: 'lab-1', validator, port: 4003, tls: false })));
    const config = loadNodeConfig({ config: file }, {});
    assert.equal(config.home, resolve('.carechain'));
    assert.equal(config.keyFile, resolve('.carechain/orgs/lab-1/keys.json'));
    assert.equal(config.tls, false);
  });
  it('refuses a slug the node would refuse', () => {
    assert.throws(() => orgNodeConfig({ slug: 'Hospital A', validator, port: 4001 }), (e: unknown) => isDomainError(e, 'invalid') && /slug/.test((e as Error).message));
  });
});
