// storage-engine: sqlite-only (starts its own PostgreSQL whatever the pass; the PostgreSQL pass of npm test skips this file)
/**
 * The throwaway PostgreSQL the tests and CI use leaves nothing behind, even when the process that
 * started it is killed with SIGKILL: its watchdog stops the server and deletes the data directory.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isAlive, waitUntil } from './helpers/env.ts';

test('SIGKILL of the process that started a throwaway PostgreSQL: the server stops and its directory is removed', async () => {
  const module = fileURLToPath(new URL('../src/storage/throwaway-postgres.ts', import.meta.url));
  const script = `const { startThrowawayPostgres } = await import(${JSON.stringify(module)});
    const s = await startThrowawayPostgres({ unref: true });
    console.log(JSON.stringify({ dir: s.dir, pid: s.pid }));
    process.kill(process.pid, 'SIGKILL');`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.signal, 'SIGKILL', r.stderr);
  const { dir, pid } = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { dir: string; pid: number };
  assert.ok(pid > 0);
  await waitUntil('the server to stop', () => !isAlive(pid), 20_000);
  await waitUntil('its data directory to be removed', () => !existsSync(dir), 20_000);
});
