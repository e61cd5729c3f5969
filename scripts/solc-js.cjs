#!/usr/bin/env node
// A `solc` command for forge backed by npm's solc-js, so forge builds offline without downloading a
// native compiler: `--version` and `--standard-json` (input on stdin, imports read from disk).
const { existsSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const solc = require('solc');

const args = process.argv.slice(2);
if (args.includes('--version')) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
  process.exit(0);
}
if (!args.includes('--standard-json')) {
  process.stderr.write('solc-js wrapper: only --version and --standard-json are supported\n');
  process.exit(2);
}
const basePath = (() => {
  const i = args.indexOf('--base-path');
  return i >= 0 ? args[i + 1] : process.cwd();
})();
const includePaths = args.flatMap((a, i) => (a === '--include-path' ? [args[i + 1]] : []));
const findImport = (path) => {
  for (const base of [basePath, ...includePaths, process.cwd()]) {
    const p = resolve(base, path);
    if (existsSync(p)) return { contents: readFileSync(p, 'utf8') };
  }
  return { error: `not found: ${path}` };
};
const input = readFileSync(0, 'utf8');
process.stdout.write(solc.compile(input, { import: findImport }));
