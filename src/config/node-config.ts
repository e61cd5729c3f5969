/**
 * Node configuration from, in order of precedence, command-line flags, CARECHAIN_* environment
 * variables, a JSON config file (--config / CARECHAIN_CONFIG), and defaults. Validated with zod;
 * an invalid value is reported with where it came from.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, errorMessage } from '../shared/errors.ts';

/** Bundle caps (see docs/design-notes.md: a 10,000-entry transaction held the node for seconds). */
export const DEFAULT_MAX_BUNDLE_ENTRIES = 2_000;
export const DEFAULT_MAX_BUNDLE_BYTES = 16 * 1024 * 1024;
/** Resources in one page of Patient/$everything (`_count` is cut to it). */
export const DEFAULT_MAX_EVERYTHING_COUNT = 1_000;

export const nodeConfigSchema = z.object({
  org: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'must be a slug: 2-40 lowercase letters, digits or dashes'),
  home: z.string().min(1),
  dataDir: z.string().min(1),
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  rpcUrl: z.url({ protocol: /^(https?|wss?)$/ }).optional(),
  deploymentFile: z.string().min(1),
  keyFile: z.string().min(1),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  indexerPollMs: z.coerce.number().int().min(10).max(60_000),
  /** Blocks the indexer trails the head by (a chain without instant finality). */
  confirmations: z.coerce.number().int().min(0).max(1_000),
  /** Anchor the record log when this many versions are new, or when this much time has passed. */
  anchorBatchSize: z.coerce.number().int().min(1).max(10_000_000),
  anchorIntervalMs: z.coerce.number().int().min(100).max(86_400_000),
  /** Per caller, per route: Bundles, $everything, audit export, cross-organization fetches. */
  expensivePerMinute: z.coerce.number().int().min(1).max(10_000_000),
  /** A request must arrive whole (headers and body) within this; idle keep-alive sockets close sooner. */
  requestTimeoutMs: z.coerce.number().int().min(1_000).max(3_600_000),
  /** Open connections at most; more are refused at accept. */
  maxConnections: z.coerce.number().int().min(10).max(1_000_000),
  /** A transaction or batch Bundle may hold at most this many entries, and this many bytes (413 beyond, nothing stored). */
  maxBundleEntries: z.coerce.number().int().min(1).max(1_000_000),
  maxBundleBytes: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024),
  /** A page of Patient/$everything holds at most this many resources. */
  maxEverythingCount: z.coerce.number().int().min(1).max(100_000),
  /** Serve HTTPS with the node's certificate and call peers over TLS trusting only the network CA. */
  /**
   * Where the node keeps its data: absent for the embedded SQLite file (`<dataDir>/node.db`), or a
   * PostgreSQL URL (`postgres://user:password@host:5432/db`). `{org}` and `{node}` in the URL are
   * replaced by the organization's slug and by the slug plus a hash of the data directory (so nodes of
   * a demo network, or of separate tests, can share one server). See `databaseUrlOf`.
   */
  database: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL (leave it unset for the embedded SQLite database)')
    .optional(),
  tls: z.preprocess((v) => (typeof v === 'string' ? ({ true: true, '1': true, false: false, '0': false } as Record<string, boolean>)[v.toLowerCase()] ?? v : v), z.boolean({ error: 'must be true or false' })),
});
export type NodeConfig = z.infer<typeof nodeConfigSchema>;

type Key = keyof NodeConfig;
const ENV: Record<Key, string> = {
  org: 'CARECHAIN_ORG',
  home: 'CARECHAIN_HOME',
  dataDir: 'CARECHAIN_DATA_DIR',
  host: 'CARECHAIN_HOST',
  port: 'CARECHAIN_PORT',
  rpcUrl: 'CARECHAIN_RPC_URL',
  deploymentFile: 'CARECHAIN_DEPLOYMENT',
  keyFile: 'CARECHAIN_KEY_FILE',
  logLevel: 'CARECHAIN_LOG_LEVEL',
  indexerPollMs: 'CARECHAIN_INDEXER_POLL_MS',
  confirmations: 'CARECHAIN_CONFIRMATIONS',
  anchorBatchSize: 'CARECHAIN_ANCHOR_BATCH_SIZE',
  anchorIntervalMs: 'CARECHAIN_ANCHOR_INTERVAL_MS',
  expensivePerMinute: 'CARECHAIN_EXPENSIVE_PER_MINUTE',
  requestTimeoutMs: 'CARECHAIN_REQUEST_TIMEOUT_MS',
  maxConnections: 'CARECHAIN_MAX_CONNECTIONS',
  maxBundleEntries: 'CARECHAIN_MAX_BUNDLE_ENTRIES',
  maxBundleBytes: 'CARECHAIN_MAX_BUNDLE_BYTES',
  maxEverythingCount: 'CARECHAIN_MAX_EVERYTHING_COUNT',
  tls: 'CARECHAIN_TLS',
  database: 'CARECHAIN_DATABASE',
};
const FLAG: Record<Key, string> = {
  org: '--org',
  home: '--home',
  dataDir: '--data-dir',
  host: '--host',
  port: '--port',
  rpcUrl: '--rpc-url',
  deploymentFile: '--deployment',
  keyFile: '--key-file',
  logLevel: '--log-level',
  indexerPollMs: '--indexer-poll-ms',
  confirmations: '--confirmations',
  anchorBatchSize: '--anchor-batch-size',
  anchorIntervalMs: '--anchor-interval-ms',
  expensivePerMinute: '--expensive-per-minute',
  requestTimeoutMs: '--request-timeout-ms',
  maxConnections: '--max-connections',
  maxBundleEntries: '--max-bundle-entries',
  maxBundleBytes: '--max-bundle-bytes',
  maxEverythingCount: '--max-everything-count',
  tls: '--tls',
  database: '--database',
};

/** The chain endpoint file the embedded chain writes, read when no RPC URL is configured. */
export function embeddedChainDir(home: string): string {
  return join(home, 'chain');
}

export function loadNodeConfig(
  flags: Partial<Record<Key | 'config', string | number | boolean | undefined>>,
  env: NodeJS.ProcessEnv = process.env,
): NodeConfig {
  const configFile = (flags.config as string | undefined) ?? env.CARECHAIN_CONFIG;
  let file: Record<string, unknown> = {};
  if (configFile) {
    if (!existsSync(configFile)) throw new ConfigError(`config file ${configFile} does not exist`);
    try {
      file = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`config file ${configFile} is not valid JSON: ${errorMessage(err)}`);
    }
    const unknown = Object.keys(file).filter((k) => !(k in ENV));
    if (unknown.length) throw new ConfigError(`config file ${configFile}: unknown setting "${unknown[0]}"`);
  }

  const source: Partial<Record<Key, string>> = {};
  const pick = (key: Key): unknown => {
    if (flags[key] !== undefined) return (source[key] = FLAG[key]), flags[key];
    if (env[ENV[key]] !== undefined && env[ENV[key]] !== '') return (source[key] = ENV[key]), env[ENV[key]];
    if (file[key] !== undefined) return (source[key] = configFile), file[key];
    return undefined;
  };

  const org = pick('org');
  if (org === undefined) throw new ConfigError('no organization given: pass --org <slug> or set CARECHAIN_ORG');
  const home = resolve(String(pick('home') ?? '.carechain'));
  const dataDir = resolve(String(pick('dataDir') ?? join(home, 'orgs', String(org))));
  const raw = {
    org,
    home,
    dataDir,
    host: pick('host') ?? '127.0.0.1',
    port: pick('port') ?? 4000,
    rpcUrl: pick('rpcUrl'),
    deploymentFile: resolve(String(pick('deploymentFile') ?? join(embeddedChainDir(home), 'deployment.json'))),
    keyFile: resolve(String(pick('keyFile') ?? join(dataDir, 'keys.json'))),
    logLevel: pick('logLevel') ?? 'info',
    indexerPollMs: pick('indexerPollMs') ?? 250,
    confirmations: pick('confirmations') ?? 0,
    anchorBatchSize: pick('anchorBatchSize') ?? 10_000,
    anchorIntervalMs: pick('anchorIntervalMs') ?? 5_000,
    expensivePerMinute: pick('expensivePerMinute') ?? 1_200,
    requestTimeoutMs: pick('requestTimeoutMs') ?? 30_000,
    maxConnections: pick('maxConnections') ?? 1_000,
    maxBundleEntries: pick('maxBundleEntries') ?? DEFAULT_MAX_BUNDLE_ENTRIES,
    maxBundleBytes: pick('maxBundleBytes') ?? DEFAULT_MAX_BUNDLE_BYTES,
    maxEverythingCount: pick('maxEverythingCount') ?? DEFAULT_MAX_EVERYTHING_COUNT,
    tls: pick('tls') ?? false,
    database: pick('database'),
  };
  const parsed = nodeConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path[0] as Key;
    const from = source[key] ? ` (from ${source[key]})` : '';
    throw new ConfigError(`invalid configuration: ${key}: ${issue.message}${from}`);
  }
  return parsed.data;
}

/**
 * The node's PostgreSQL URL with `{org}` and `{node}` filled in (undefined for SQLite). Database names
 * take letters, digits and underscores, so the slug's dashes become underscores.
 */
export function databaseUrlOf(config: Pick<NodeConfig, 'database' | 'org' | 'dataDir'>): string | undefined {
  if (!config.database) return undefined;
  const org = config.org.replace(/-/g, '_');
  const node = `${org}_${createHash('sha256').update(resolve(config.dataDir)).digest('hex').slice(0, 10)}`;
  return config.database.replace(/\{org\}/g, org).replace(/\{node\}/g, node);
}
