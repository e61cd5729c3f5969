/**
 * Runs the write-time sensitivity classifier over every resource of a directory of FHIR Bundles
 * (e.g. the 103 Synthea sample patients) and prints, per sensitive class: resources, patients
 * (bundles), resources by type, and the codes that put resources in the class. A one-off report
 * for reviewing the value sets, not a test: it reads whatever directory it is given.
 *
 *   npx tsx scripts/sensitivity-synthea-counts.ts <dir-of-bundles> [--json]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle } from '../src/fhir/types.ts';
import { SENSITIVE_CLASSES, type SensitiveClass } from '../src/fhir/sensitivity/classes.ts';
import { classify, matchedCodings } from '../src/fhir/sensitivity/classify.ts';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: tsx scripts/sensitivity-synthea-counts.ts <dir-of-bundles> [--json]');
  process.exit(2);
}

interface ClassCount {
  resources: number;
  bundles: Set<string>;
  byType: Map<string, number>;
  codes: Map<string, { display: string; count: number; types: Set<string> }>;
}
const counts = new Map<SensitiveClass, ClassCount>(SENSITIVE_CLASSES.map((c) => [c, { resources: 0, bundles: new Set(), byType: new Map(), codes: new Map() }]));
let total = 0;
let sensitive = 0;
let bundles = 0;
const displays = new Map<string, string>();

for (const f of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const bundle = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Bundle;
  bundles++;
  for (const e of bundle.entry ?? []) {
    const r = e.resource;
    if (!r) continue;
    total++;
    // displays as the data carries them, for the report
    JSON.stringify(r, (k, v: unknown) => {
      if (v && typeof v === 'object' && 'system' in v && 'code' in v && 'display' in v) {
        const c = v as { system: string; code: string; display: string };
        displays.set(`${c.system}|${c.code}`, c.display);
      }
      return v;
    });
    const { classes } = classify(r);
    if (classes.length) sensitive++;
    const matched = matchedCodings(r);
    for (const c of classes) {
      const cc = counts.get(c)!;
      cc.resources++;
      cc.bundles.add(f);
      cc.byType.set(r.resourceType, (cc.byType.get(r.resourceType) ?? 0) + 1);
      for (const m of matched) {
        if (!m.classes.includes(c)) continue;
        const key = `${m.system}|${m.code}`;
        const entry = cc.codes.get(key) ?? { display: '', count: 0, types: new Set<string>() };
        entry.count++;
        entry.types.add(r.resourceType);
        cc.codes.set(key, entry);
      }
    }
  }
}

const report = {
  bundles,
  resources: total,
  sensitiveResources: sensitive,
  classes: Object.fromEntries(
    [...counts].map(([c, cc]) => [
      c,
      {
        resources: cc.resources,
        patients: cc.bundles.size,
        byType: Object.fromEntries([...cc.byType].sort((a, b) => b[1] - a[1])),
        codes: [...cc.codes]
          .sort((a, b) => b[1].count - a[1].count)
          .map(([k, v]) => ({ coding: k, display: displays.get(k) ?? '', occurrences: v.count, in: [...v.types].sort().join(',') })),
      },
    ]),
  ),
};

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(report, null, 2));
} else {
  console.log(`${bundles} bundles, ${total} resources, ${sensitive} sensitive (${((100 * sensitive) / total).toFixed(1)} %)`);
  for (const [c, v] of Object.entries(report.classes)) {
    console.log(`\n${c}: ${v.resources} resources in ${v.patients} patients; ${Object.entries(v.byType).map(([t, n]) => `${t} ${n}`).join(', ')}`);
    for (const x of v.codes) console.log(`  ${String(x.occurrences).padStart(5)}  ${x.coding}  ${x.display}  [${x.in}]`);
  }
}
