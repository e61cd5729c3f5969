/**
 * `initBesuNetwork`: writes everything a consortium needs to start a Hyperledger Besu QBFT network
 * for Carechain into one directory — validator node keys, the genesis, each validator's Besu
 * configuration, static nodes and allow-lists, a Docker Compose file or systemd units, and one
 * Carechain node configuration per organization — and returns a summary (also kept, without
 * secrets, in `network.json`).
 *
 * Safe to run twice: with the same settings a second run changes nothing and returns the existing
 * summary; with other settings it refuses unless `force` is given. `force` replaces only what an
 * earlier run wrote, and never a directory holding anything else (such as a Besu database: a
 * network that has run keeps its keys and genesis). Files are generated in a staging directory next
 * to `outDir` and moved into place at the end, so an interrupted run leaves nothing half-written.
 * Validator `key` files are mode 0600 in 0700 directories.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { getAddress, type Address, type Hex } from 'viem';
import { canonicalJson } from '../../shared/canonical-json.ts';
import { conflict, invalid } from '../../shared/errors.ts';
import { BESU_IMAGE, dockerCompose } from './compose.ts';
import { besuConfigToml, permissionsToml, staticNodesJson } from './config.ts';
import { qbftGenesis, DEFAULT_EPOCH_LENGTH, DEFAULT_GAS_LIMIT } from './genesis.ts';
import { besuKeyFile, besuPublicKeyFile, enodeUrl, generateNodeKey, type NodeKey } from './keys.ts';
import { DEFAULT_INSTALL_DIR, DEFAULT_SUBNET, planLayout, type BesuTarget, type ValidatorLayout } from './layout.ts';
import { orgNodeConfig, orgNodeConfigJson } from './org-config.ts';
import { systemdUnit, unitName } from './systemd.ts';

export interface BesuOrganization {
  slug: string;
  /** The validator (1-based) whose JSON-RPC this organization's node uses. Default: round robin. */
  validator?: number;
  /** The organization's signer address (`carechain org init` prints it); needed with the accounts allow-list. */
  signer?: Address;
  /** The Carechain node's port. Default nodeBasePort + position in the list. */
  port?: number;
}

export interface InitBesuNetworkOptions {
  outDir: string;
  /** Number of validators; QBFT tolerates f faulty validators out of 3f + 1, so 4 is the smallest fault-tolerant network. */
  validators: number;
  chainId: number;
  /** Default 2. */
  blockPeriodSeconds?: number;
  requestTimeoutSeconds?: number;
  epochLength?: number;
  gasLimit?: bigint;
  /** Genesis timestamp (seconds). Default: now. */
  timestamp?: number;
  /** Optional pre-funded accounts (not needed with zero base fee). */
  alloc?: Readonly<Record<Address, bigint>>;
  /** Default compose. */
  target?: BesuTarget;
  hosts?: readonly string[];
  installDir?: string;
  subnet?: string;
  p2pPort?: number;
  rpcPort?: number;
  /** Pinned Besu image for compose. */
  image?: string;
  besuBinary?: string;
  organizations?: readonly BesuOrganization[];
  /** Turn on Besu's accounts allow-list: then only `governance` and the organizations' signers may transact. */
  accountsAllowlist?: boolean;
  /** The governance account that deploys the contracts (`carechain chain deploy`). */
  governance?: Address;
  /** Carechain home of each organization's node. Default `.carechain`. */
  carechainHome?: string;
  /** First Carechain node port. Default 4001. */
  nodeBasePort?: number;
  /** Carechain nodes serve HTTPS with the network CA. Default true. */
  tls?: boolean;
  force?: boolean;
  /** For tests: supply node keys instead of generating them. */
  nodeKeys?: readonly NodeKey[];
}

export interface BesuNetworkSummary {
  outDir: string;
  /** False when an identical network was already there and nothing was written. */
  created: boolean;
  target: BesuTarget;
  chainId: number;
  genesisFile: string;
  extraData: Hex;
  besuImage?: string;
  validators: { name: string; address: Address; enode: string; rpcUrl: string; configFile: string; keyFile: string; unitFile?: string }[];
  organizations: { slug: string; validator: string; rpcUrl: string; configFile: string; port: number }[];
  accountsAllowlist?: Address[];
  /** Every file written, relative to outDir. */
  files: string[];
}

interface Manifest {
  kind: 'carechain-besu-network';
  version: 1;
  generatedAt: string;
  parameters: unknown;
  summary: Omit<BesuNetworkSummary, 'outDir' | 'created'>;
}

const MANIFEST = 'network.json';

export function initBesuNetwork(opts: InitBesuNetworkOptions): BesuNetworkSummary {
  const outDir = resolve(opts.outDir);
  const parameters = normalizedParameters(opts);

  if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw invalid(`${outDir} exists and is not a directory`);
  const existing = existsSync(outDir) ? readdirSync(outDir) : [];
  let previous: Manifest | undefined;
  if (existing.length > 0) {
    if (!existing.includes(MANIFEST)) throw conflict(`${outDir} is not empty and was not written by carechain network init: choose a new or empty directory`, 'not-ours');
    previous = readManifest(outDir);
    if (!opts.force) {
      if (canonicalJson(previous.parameters) === canonicalJson(parameters)) return { outDir, created: false, ...previous.summary };
      throw conflict(
        `${outDir} already holds a network generated with other settings (${differences(previous.parameters, parameters)}); rerun with --force (force: true) to generate a new one: new keys and genesis, a new chain`,
        'exists',
      );
    }
    assertOnlyOurFiles(outDir, previous.summary.files);
  }

  const staging = join(dirname(outDir), `.${basename(outDir)}.init-${randomBytes(6).toString('hex')}`);
  mkdirSync(dirname(outDir), { recursive: true });
  try {
    const summary = generate(staging, opts, parameters);
    if (existsSync(outDir)) {
      const old = join(dirname(outDir), `.${basename(outDir)}.old-${randomBytes(6).toString('hex')}`);
      if (previous) renameSync(outDir, old);
      else rmdirSync(outDir); // empty
      renameSync(staging, outDir);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(staging, outDir);
    }
    return { outDir, created: true, ...summary };
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

function generate(dir: string, opts: InitBesuNetworkOptions, parameters: ReturnType<typeof normalizedParameters>): Manifest['summary'] {
  const target = parameters.target;
  const layout = planLayout({ target, validators: opts.validators, hosts: opts.hosts, installDir: opts.installDir, subnet: opts.subnet, p2pPort: opts.p2pPort, rpcPort: opts.rpcPort });
  if (opts.nodeKeys && opts.nodeKeys.length !== layout.length) throw invalid(`${layout.length} validators but ${opts.nodeKeys.length} node keys given`);
  const keys = opts.nodeKeys ? [...opts.nodeKeys] : layout.map(() => generateNodeKey());
  const enodes = layout.map((v, i) => enodeUrl(keys[i]!.nodeId, v.p2pHost, v.p2pPort));

  const organizations = parameters.organizations.map((o, i) => ({ ...o, validator: o.validator ?? (i % layout.length) + 1, port: o.port ?? parameters.nodeBasePort + i }));
  for (const o of organizations) {
    if (!Number.isInteger(o.validator) || o.validator < 1 || o.validator > layout.length) throw invalid(`organization ${o.slug}: validator must be from 1 to ${layout.length}, got ${o.validator}`);
  }
  if (new Set(organizations.map((o) => o.slug)).size !== organizations.length) throw invalid('organization slugs must be distinct');
  const accounts = parameters.accountsAllowlist ? allowlistedAccounts(parameters.governance, organizations) : undefined;

  const genesis = qbftGenesis({
    chainId: opts.chainId,
    validators: keys.map((k) => k.address),
    blockPeriodSeconds: parameters.blockPeriodSeconds,
    requestTimeoutSeconds: opts.requestTimeoutSeconds,
    epochLength: opts.epochLength,
    gasLimit: opts.gasLimit,
    timestamp: opts.timestamp,
    alloc: opts.alloc,
  });

  const files: string[] = [];
  const write = (path: string, content: string, mode = 0o644) => {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
    writeFileSync(full, content, { mode, flag: 'wx' });
    chmodSync(full, mode); // the umask may have narrowed (or, for 0600, never widens) the mode
    files.push(path);
  };

  write('genesis.json', `${JSON.stringify(genesis, null, 2)}\n`);
  const staticNodes = staticNodesJson(enodes);
  const permissions = permissionsToml({ enodes, accounts });
  write('static-nodes.json', staticNodes);
  write('permissions_config.toml', permissions);

  const validators: Manifest['summary']['validators'] = [];
  for (const [i, v] of layout.entries()) {
    const key = keys[i]!;
    // The validator directory stays readable (Besu, as its own user, reads config.toml there); only
    // the data directory, with the key, is private to its owner (Besu's Docker entry script chowns it).
    mkdirSync(join(dir, v.name), { mode: 0o755 });
    chmodSync(join(dir, v.name), 0o755);
    mkdirSync(join(dir, v.name, 'data'), { mode: 0o700 });
    chmodSync(join(dir, v.name, 'data'), 0o700);
    write(`${v.name}/data/key`, besuKeyFile(key), 0o600);
    write(`${v.name}/data/key.pub`, besuPublicKeyFile(key));
    write(`${v.name}/data/static-nodes.json`, staticNodes);
    write(`${v.name}/data/permissions_config.toml`, permissions);
    write(`${v.name}/config.toml`, besuConfigToml(v, { accountsAllowlist: accounts !== undefined }));
    let unitFile: string | undefined;
    if (target === 'systemd') {
      unitFile = `systemd/${unitName(v)}`;
      write(unitFile, systemdUnit(v, { besuBinary: opts.besuBinary }));
    }
    validators.push({ name: v.name, address: key.address, enode: enodes[i]!, rpcUrl: v.rpcUrl, configFile: `${v.name}/config.toml`, keyFile: `${v.name}/data/key`, ...(unitFile ? { unitFile } : {}) });
  }
  if (target === 'compose') write('docker-compose.yml', dockerCompose(layout, { image: parameters.image ?? BESU_IMAGE, subnet: parameters.subnet ?? DEFAULT_SUBNET }));

  const orgSummaries = organizations.map((o) => {
    const v = layout[o.validator - 1] as ValidatorLayout;
    const configFile = `orgs/${o.slug}.json`;
    write(configFile, orgNodeConfigJson(orgNodeConfig({ slug: o.slug, validator: v, home: parameters.carechainHome, port: o.port, tls: parameters.tls })));
    return { slug: o.slug, validator: v.name, rpcUrl: v.rpcUrl, configFile, port: o.port };
  });

  const summary: Manifest['summary'] = {
    target,
    chainId: opts.chainId,
    genesisFile: 'genesis.json',
    extraData: genesis.extraData,
    ...(parameters.image ? { besuImage: parameters.image } : {}),
    validators,
    organizations: orgSummaries,
    ...(accounts ? { accountsAllowlist: accounts } : {}),
    files: [...files, MANIFEST].sort(),
  };
  const manifest: Manifest = { kind: 'carechain-besu-network', version: 1, generatedAt: new Date().toISOString(), parameters, summary };
  write(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
  return summary;
}

/** The settings that define a generated network; a re-run with the same ones is a no-op. */
function normalizedParameters(opts: InitBesuNetworkOptions) {
  const target = opts.target ?? 'compose';
  return {
    validators: opts.validators,
    chainId: opts.chainId,
    target,
    blockPeriodSeconds: opts.blockPeriodSeconds ?? 2,
    requestTimeoutSeconds: opts.requestTimeoutSeconds ?? null,
    epochLength: opts.epochLength ?? DEFAULT_EPOCH_LENGTH,
    gasLimit: String(opts.gasLimit ?? DEFAULT_GAS_LIMIT),
    timestamp: opts.timestamp ?? null,
    alloc: Object.fromEntries(Object.entries(opts.alloc ?? {}).map(([a, b]) => [a.toLowerCase(), String(b)])),
    hosts: opts.hosts ? [...opts.hosts] : null,
    installDir: target === 'systemd' ? (opts.installDir ?? DEFAULT_INSTALL_DIR) : null,
    subnet: target === 'compose' ? (opts.subnet ?? DEFAULT_SUBNET) : null,
    p2pPort: opts.p2pPort ?? 30303,
    rpcPort: opts.rpcPort ?? 8545,
    image: target === 'compose' ? (opts.image ?? BESU_IMAGE) : null,
    besuBinary: opts.besuBinary ?? null,
    organizations: (opts.organizations ?? []).map((o) => ({ slug: o.slug, validator: o.validator, port: o.port, signer: o.signer?.toLowerCase() as Address | undefined })),
    accountsAllowlist: opts.accountsAllowlist ?? false,
    governance: opts.governance ? (opts.governance.toLowerCase() as Address) : null,
    carechainHome: opts.carechainHome ?? '.carechain',
    nodeBasePort: opts.nodeBasePort ?? 4001,
    tls: opts.tls ?? true,
  };
}

function allowlistedAccounts(governance: Address | null, organizations: readonly { slug: string; signer?: Address }[]): Address[] {
  if (!governance) throw invalid('the accounts allow-list is on but no governance address is given: the contracts could not be deployed');
  const missing = organizations.filter((o) => !o.signer).map((o) => o.slug);
  if (missing.length) throw invalid(`the accounts allow-list is on but these organizations have no signer address: ${missing.join(', ')} (carechain org init prints it)`);
  const all = [governance, ...organizations.map((o) => o.signer!)].map((a) => {
    if (!/^0x[0-9a-fA-F]{40}$/.test(a)) throw invalid(`allow-listed account ${a} must be a 0x-prefixed 20-byte address`);
    return getAddress(a);
  });
  return [...new Set(all)];
}

function readManifest(outDir: string): Manifest {
  try {
    const m = JSON.parse(readFileSync(join(outDir, MANIFEST), 'utf8')) as Manifest;
    if (m.kind !== 'carechain-besu-network' || m.version !== 1 || !Array.isArray(m.summary?.files)) throw new Error('not a network manifest');
    return m;
  } catch (err) {
    throw conflict(`${join(outDir, MANIFEST)} is not a network manifest written by carechain network init (${(err as Error).message}); choose another directory`, 'not-ours');
  }
}

/** `force` may replace what an earlier run wrote, nothing else. */
function assertOnlyOurFiles(outDir: string, files: readonly string[]): void {
  const ours = new Set(files);
  const foreign: string[] = [];
  const walk = (rel: string) => {
    let entries: string[];
    try {
      entries = readdirSync(join(outDir, rel));
    } catch (err) {
      throw conflict(`cannot inspect ${join(outDir, rel)} (${(err as NodeJS.ErrnoException).code}): a Besu container may own it after a run; remove the network yourself if you mean to discard it`, 'unreadable');
    }
    for (const name of entries) {
      const path = rel ? `${rel}/${name}` : name;
      if (statSync(join(outDir, path)).isDirectory()) walk(path);
      else if (!ours.has(path)) foreign.push(path);
    }
  };
  walk('');
  if (foreign.length === 0) return;
  const database = foreign.find((f) => /^validator-\d+\/data\//.test(f));
  if (database) {
    throw conflict(
      `${join(outDir, database.split('/').slice(0, 2).join(sep))} holds a Besu database: this network has run, and regenerating it would discard its chain. Remove the directory yourself if that is what you want`,
      'has-run',
    );
  }
  throw conflict(`${outDir} holds files carechain network init did not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}); move them away or choose another directory`, 'foreign-files');
}

function differences(a: unknown, b: unknown): string {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => canonicalJson(x[k]) !== canonicalJson(y[k]));
  return keys.map((k) => `${k}: ${canonicalJson(x[k])} -> ${canonicalJson(y[k])}`).join('; ') || 'same settings';
}
