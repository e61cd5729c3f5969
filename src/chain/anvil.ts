/**
 * The embedded ledger: Foundry's Anvil from the npm package `@foundry-rs/anvil`, run directly,
 * bound to 127.0.0.1, with its state persisted in the data directory. Anvil is a development
 * chain; production networks point CARECHAIN_RPC_URL at Besu (QBFT) or another EVM node instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { CarechainError } from '../shared/errors.ts';

const require = createRequire(import.meta.url);

export function anvilBinary(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  let file: string;
  try {
    file = join(dirname(require.resolve(`${pkg}/package.json`)), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
  } catch {
    throw new CarechainError(`no Anvil binary for ${process.platform}/${process.arch}: install ${pkg} or set CARECHAIN_RPC_URL`);
  }
  if (!existsSync(file)) throw new CarechainError(`Anvil binary missing at ${file}: run npm install`);
  return file;
}

export interface AnvilOptions {
  /** File Anvil loads its state from and dumps it to every second. */
  stateFile: string;
  port: number;
  chainId?: number;
  blockTimeSeconds?: number;
}

export interface RunningAnvil {
  rpcUrl: string;
  port: number;
  pid: number;
  process: ChildProcess;
  /** Stops Anvil (SIGTERM, so it dumps its state) and waits for it and its watchdog to exit. */
  stop(): Promise<void>;
}

/** Is `port` free on 127.0.0.1? */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A port the OS reports free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts Anvil and resolves once it answers JSON-RPC.
 *
 * Anvil runs under a small `sh` watchdog that holds the read end of a pipe from this process: if this
 * process dies, even by SIGKILL, the pipe closes and the watchdog kills Anvil, so no orphan is left.
 */
export async function startAnvil(opts: AnvilOptions): Promise<RunningAnvil> {
  if (!(await isPortFree(opts.port))) {
    throw new CarechainError(`port ${opts.port} on 127.0.0.1 is already in use: is another chain running? (choose --port)`);
  }
  mkdirSync(dirname(opts.stateFile), { recursive: true });
  const args = [
    '--host', '127.0.0.1',
    '--port', String(opts.port),
    '--chain-id', String(opts.chainId ?? 31337),
    '--block-time', String(opts.blockTimeSeconds ?? 1),
    '--state', opts.stateFile,
    '--state-interval', '1',
    // Keep a few recent states: with none kept, an eth_call for "latest" that races a new block fails
    // with BlockOutOfRangeError (seen under load).
    '--prune-history', '64',
    '--silent',
  ];
  // `read` returns when our end of stdin closes (stop() or our own death); then Anvil gets SIGTERM,
  // which makes it dump its state before exiting.
  const watchdog =
    'exec 3<&0; "$@" </dev/null & pid=$!; echo "$pid"; ' +
    '(read -r _ <&3; kill -TERM $pid 2>/dev/null) & wait $pid';
  const child = spawn('sh', ['-c', watchdog, 'anvil-watchdog', anvilBinary(), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let anvilPid = 0;
  child.stdout!.once('data', (d: Buffer) => (anvilPid = Number.parseInt(d.toString(), 10)));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));

  const rpcUrl = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited) throw new CarechainError(`Anvil exited at start: ${stderr.trim().split('\n').pop() ?? 'no output'}`);
    if (await rpcAnswers(rpcUrl)) break;
    if (Date.now() > deadline) {
      child.stdin!.end();
      throw new CarechainError(`Anvil did not answer on ${rpcUrl} within 15 s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    rpcUrl,
    port: opts.port,
    get pid() {
      return anvilPid;
    },
    process: child,
    async stop() {
      if (exited) return;
      child.stdin!.end();
      const timer = setTimeout(() => {
        if (anvilPid) process.kill(anvilPid, 'SIGKILL');
      }, 10_000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}

async function rpcAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    return res.ok;
  } catch {
    return false;
  }
}
