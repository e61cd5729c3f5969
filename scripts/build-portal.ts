/**
 * Builds the web portal (portal/src → portal/dist) with esbuild: one ES module bundle, its CSS and
 * index.html. Fast (well under a second), so `npm install`, `npm start` and `npm test` all run it and
 * nothing built is committed. The portal shares the consent code with the node (EIP-712 types, salted
 * commitments); `node:crypto` is replaced by a shim over WebCrypto for the one function it uses there.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'portal');

export async function buildPortal(opts: { quiet?: boolean } = {}): Promise<{ dir: string; bytes: number }> {
  const out = join(root, 'dist');
  mkdirSync(out, { recursive: true });
  const started = performance.now();
  await build({
    entryPoints: [join(root, 'src', 'main.tsx')],
    outfile: join(out, 'app.js'),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    alias: { 'node:crypto': join(root, 'src', 'shims', 'node-crypto.ts') },
    legalComments: 'none',
    logLevel: 'warning',
  });
  copyFileSync(join(root, 'index.html'), join(out, 'index.html'));
  copyFileSync(join(root, 'src', 'style.css'), join(out, 'style.css'));
  const bytes = statSync(join(out, 'app.js')).size;
  if (!opts.quiet) console.log(`portal built: ${join('portal', 'dist')} (app.js ${(bytes / 1024).toFixed(0)} KiB) in ${Math.round(performance.now() - started)} ms`);
  return { dir: out, bytes };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildPortal();
