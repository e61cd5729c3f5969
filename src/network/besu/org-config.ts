/**
 * An organization's Carechain node configuration for a Besu network: the JSON file read by
 * `carechain node start --config <file>` (schema: `nodeConfigSchema` in src/config/node-config.ts,
 * which refuses unknown settings). It points the node at the JSON-RPC port of the validator on the
 * same machine; the organization's key file, the deployment file and TLS material are made by the
 * usual commands (`carechain org init`, `carechain chain deploy`, `carechain tls issue`).
 */
import { posix } from 'node:path';
import { invalid } from '../../shared/errors.ts';
import type { NodeConfig } from '../../config/node-config.ts';
import type { ValidatorLayout } from './layout.ts';

/** The settings this kit writes; everything else keeps the node's defaults. */
export type OrgNodeConfig = Pick<NodeConfig, 'org' | 'home' | 'dataDir' | 'host' | 'port' | 'rpcUrl' | 'deploymentFile' | 'keyFile' | 'tls'>;

export interface OrgNodeConfigOptions {
  slug: string;
  validator: ValidatorLayout;
  /** The node's Carechain home on its machine (absolute, or relative to where the node is started). Default `.carechain`. */
  home?: string;
  /** The node's HTTP(S) port. */
  port: number;
  host?: string;
  tls?: boolean;
}

export function orgNodeConfig(opts: OrgNodeConfigOptions): OrgNodeConfig {
  if (!/^[a-z0-9][a-z0-9-]{1,39}$/.test(opts.slug)) throw invalid(`organization slug "${opts.slug}" must be 2-40 lowercase letters, digits or dashes`);
  const home = opts.home ?? '.carechain';
  const dataDir = posix.join(home, 'orgs', opts.slug);
  return {
    org: opts.slug,
    home,
    dataDir,
    host: opts.host ?? '127.0.0.1',
    port: opts.port,
    rpcUrl: opts.validator.rpcUrl,
    deploymentFile: posix.join(home, 'deployment.json'),
    keyFile: posix.join(dataDir, 'keys.json'),
    tls: opts.tls ?? true,
  };
}

export function orgNodeConfigJson(config: OrgNodeConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}
