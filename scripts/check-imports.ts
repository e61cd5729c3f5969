/**
 * The layering check `npm test` runs: every import between folders of src/ must point down the
 * layers (docs/architecture.md), so there can be no circle between folders. Prints each violation
 * with the file and the import, and exits 1 if there is any.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folders of src/, bottom first. A folder may import only folders before it in this list. */
export const LAYERS = [
  'shared', // domain errors, canonical JSON
  'crypto', // node:crypto envelopes, keys, blind index
  'config', // node configuration
  'storage', // the storage seam and its engines, group commit
  'merkle', // RFC 6962 hasher, tree, proofs, verification, persistent log
  'chain', // JSON-RPC client, embedded Anvil, deployment, transaction journal, submit
  'tls', // the network CA and peer calls
  'fhir', // FHIR definitions: validation, search parameters, sensitivity, outcome shape
  'indexer', // the ledger mirrored: one projector per contract
  'anchoring', // batched anchoring of Merkle logs
  'identity', // principals, users, tokens, patient identities, standing
  'http', // the HTTP layer: auth gate, error mapping, surfaces, rate limits, parsing
  'audit', // feature: the audit trail (lowest feature: every other one audits)
  'auth', // feature: logins
  'records', // feature: the FHIR record store and API
  'credentials', // feature: practitioner credentials
  'consent', // feature: patient consent
  'exchange', // feature: cross-organization exchange, break-glass
  'supply', // feature: drug and device supply chain
  'claims', // feature: insurance claims
  'research', // feature: clinical trials and research
  'network', // demo networks and production network kits
  'node', // the composition root: the only place services are constructed
  'cli', // the command line
] as const;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const rank = new Map<string, number>(LAYERS.map((l, i) => [l, i]));

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) yield p;
  }
}

const folderOf = (file: string) => relative(root, file).split(sep)[0]!;
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|^\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/gm;

export function violations(): string[] {
  const out: string[] = [];
  for (const file of files(root)) {
    const from = folderOf(file);
    if (from.endsWith('.ts')) {
      out.push(`${relative(root, file)}: a file directly in src/ belongs to no layer`);
      continue;
    }
    const r = rank.get(from);
    if (r === undefined) {
      out.push(`${relative(root, file)}: folder src/${from} is not in the layer list (scripts/check-imports.ts)`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]!;
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(root)) continue;
      const to = folderOf(target);
      if (to === from) continue;
      const t = rank.get(to);
      if (t === undefined) out.push(`${relative(root, file)}: imports ${spec} in src/${to}, which is not in the layer list`);
      else if (t > r) out.push(`${relative(root, file)}: imports ${spec}: ${from} (layer ${r}) may not import ${to} (layer ${t}), which is above it`);
    }
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const found = violations();
  for (const v of found) console.error(`import check: ${v}`);
  if (found.length) {
    console.error(`import check: ${found.length} import(s) point up the layers (see docs/architecture.md)`);
    process.exit(1);
  }
  console.log(`import check: ${LAYERS.length} layers, every import points down`);
}
