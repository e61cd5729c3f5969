#!/usr/bin/env node
// Runs forge's binary from the npm package directly and exits with its exit code. (The package's
// own `forge` wrapper does not pass the child's exit code on: a failed `forge test` exited 0.)
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const arch = process.arch === 'x64' ? 'amd64' : process.arch;
const pkg = `@foundry-rs/forge-${process.platform}-${arch}`;
let binary;
try {
  binary = join(dirname(require.resolve(`${pkg}/package.json`)), 'bin', process.platform === 'win32' ? 'forge.exe' : 'forge');
} catch {
  console.error(`forge: no binary for ${process.platform}/${process.arch} (${pkg} is not installed)`);
  process.exit(2);
}
const run = spawnSync(binary, process.argv.slice(2), { stdio: 'inherit' });
if (run.error) {
  console.error(`forge: ${run.error.message}`);
  process.exit(2);
}
process.exit(run.status ?? 1);
