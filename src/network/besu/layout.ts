/**
 * Where each validator of a generated network listens and where its files are, as Besu sees them.
 *
 * Two targets:
 * - `compose`: every validator in a container of one Docker Compose project (a network to try on
 *   one machine, or a single-host test network). Validators talk over a private bridge network with
 *   fixed addresses (enode URLs and the nodes allow-list need IP addresses), P2P on 30303 inside the
 *   network only, JSON-RPC on 8545 inside the container, published on 127.0.0.1 of the host only.
 * - `systemd`: one Besu service per validator on its own machine (the consortium case: each member
 *   runs its validator and its Carechain node side by side). `hosts[i]` is validator i's IP address
 *   as the other validators reach it; JSON-RPC binds 127.0.0.1 for the local Carechain node only.
 *   Validators that share a host get consecutive ports.
 */
import { isIP } from 'node:net';
import { posix } from 'node:path';
import { invalid } from '../../shared/errors.ts';
import { assertPort } from './keys.ts';

export type BesuTarget = 'compose' | 'systemd';

export interface LayoutOptions {
  target: BesuTarget;
  validators: number;
  /** systemd: each validator's IP address (default 127.0.0.1 for all: every validator on this machine). */
  hosts?: readonly string[];
  /** systemd: where the network directory is installed on each machine. Default /var/lib/carechain-besu. */
  installDir?: string;
  /** compose: the bridge network, an IPv4 /24 such as 172.16.239.0/24 (the default). */
  subnet?: string;
  /** First P2P port (systemd). Default 30303. */
  p2pPort?: number;
  /** First JSON-RPC port: the published port (compose) or the listening port (systemd). Default 8545. */
  rpcPort?: number;
}

export interface ValidatorLayout {
  /** 1-based. */
  index: number;
  name: string;
  /** The IP address in this validator's enode URL. */
  p2pHost: string;
  p2pPort: number;
  /** The address Besu's JSON-RPC binds inside its container or on its host. */
  rpcHost: string;
  rpcPort: number;
  /** The JSON-RPC URL for a Carechain node on the same machine. */
  rpcUrl: string;
  /** compose: the host port the JSON-RPC port is published on (127.0.0.1 only). */
  publishedRpcPort?: number;
  /** Paths as Besu sees them (inside the container for compose). */
  besuPaths: { configFile: string; dataPath: string; keyFile: string; genesisFile: string; staticNodesFile: string; permissionsFile: string };
}

export const DEFAULT_SUBNET = '172.16.239.0/24';
export const DEFAULT_INSTALL_DIR = '/var/lib/carechain-besu';
export const MAX_VALIDATORS = 200;
/** Inside each compose container. */
const CONTAINER_ROOT = '/besu';
const CONTAINER_GENESIS = '/genesis.json';

export function validatorName(index: number): string {
  return `validator-${index}`;
}

export function planLayout(opts: LayoutOptions): ValidatorLayout[] {
  if (!Number.isInteger(opts.validators) || opts.validators < 1 || opts.validators > MAX_VALIDATORS) {
    throw invalid(`the number of validators must be an integer from 1 to ${MAX_VALIDATORS}, got ${opts.validators}`);
  }
  const p2pBase = opts.p2pPort ?? 30303;
  const rpcBase = opts.rpcPort ?? 8545;
  assertPort(p2pBase, 'P2P port');
  assertPort(rpcBase, 'JSON-RPC port');
  if (opts.target === 'compose') return composeLayout(opts, rpcBase);
  if (opts.target === 'systemd') return systemdLayout(opts, p2pBase, rpcBase);
  throw invalid(`target must be compose or systemd, got ${String(opts.target)}`);
}

function composeLayout(opts: LayoutOptions, rpcBase: number): ValidatorLayout[] {
  if (opts.hosts) throw invalid('hosts are for the systemd target; compose validators get addresses on their bridge network');
  const prefix = subnetPrefix(opts.subnet ?? DEFAULT_SUBNET);
  if (rpcBase + opts.validators - 1 > 65535) throw invalid(`JSON-RPC ports from ${rpcBase} do not fit ${opts.validators} validators`);
  return Array.from({ length: opts.validators }, (_, i) => {
    const index = i + 1;
    const published = rpcBase + i;
    return {
      index,
      name: validatorName(index),
      p2pHost: `${prefix}.${10 + index}`,
      p2pPort: 30303,
      rpcHost: '0.0.0.0',
      rpcPort: 8545,
      rpcUrl: `http://127.0.0.1:${published}`,
      publishedRpcPort: published,
      besuPaths: paths(CONTAINER_ROOT, CONTAINER_GENESIS),
    };
  });
}

function systemdLayout(opts: LayoutOptions, p2pBase: number, rpcBase: number): ValidatorLayout[] {
  const hosts = opts.hosts ?? Array.from({ length: opts.validators }, () => '127.0.0.1');
  if (hosts.length !== opts.validators) throw invalid(`give one host per validator: ${opts.validators} validators, ${hosts.length} hosts`);
  for (const h of hosts) if (isIP(h) === 0) throw invalid(`validator host "${h}" must be an IP address (enode URLs and the nodes allow-list need IP addresses)`);
  const installDir = opts.installDir ?? DEFAULT_INSTALL_DIR;
  if (!posix.isAbsolute(installDir)) throw invalid(`installDir must be an absolute path, got ${installDir}`);
  const seen = new Map<string, number>();
  return hosts.map((host, i) => {
    const index = i + 1;
    const offset = seen.get(host) ?? 0;
    seen.set(host, offset + 1);
    const p2pPort = p2pBase + offset;
    const rpcPort = rpcBase + offset;
    assertPort(p2pPort, `P2P port of ${validatorName(index)}`);
    assertPort(rpcPort, `JSON-RPC port of ${validatorName(index)}`);
    return {
      index,
      name: validatorName(index),
      p2pHost: host,
      p2pPort,
      rpcHost: '127.0.0.1',
      rpcPort,
      rpcUrl: `http://127.0.0.1:${rpcPort}`,
      besuPaths: paths(posix.join(installDir, validatorName(index)), posix.join(installDir, 'genesis.json')),
    };
  });
}

function paths(root: string, genesisFile: string): ValidatorLayout['besuPaths'] {
  const dataPath = posix.join(root, 'data');
  return {
    configFile: posix.join(root, 'config.toml'),
    dataPath,
    // Besu's default locations inside the data path (docs: node keys, static nodes, local permissioning).
    keyFile: posix.join(dataPath, 'key'),
    staticNodesFile: posix.join(dataPath, 'static-nodes.json'),
    permissionsFile: posix.join(dataPath, 'permissions_config.toml'),
    genesisFile,
  };
}

function subnetPrefix(subnet: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.0\/24$/.exec(subnet);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) throw invalid(`subnet must be an IPv4 /24 such as ${DEFAULT_SUBNET}, got ${subnet}`);
  return m.slice(1).join('.');
}
