/**
 * Loads the sensitivity value sets (`valuesets/*.json`, one file per class; sources and selection
 * in `valuesets/README.md`) and indexes them for the classifier: per code system a Map from the
 * normalised code to a hit (class mask + label mask), and for hierarchical systems (ICD-10-CM,
 * ICD-10-PCS) a second Map of prefixes. A lookup is one or two Map probes per prefix length, so
 * classifying a Coding costs well under a microsecond. The files are validated when loaded: a
 * malformed file is a bug in the shipped data and fails the import loudly.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DomainError } from '../../shared/errors.ts';
import { CLASS_BIT, type SensitiveClass } from './classes.ts';
import { CODE_SYSTEMS, codeSystemOf, normalizeCode, type CodeSystemInfo } from './code-systems.ts';
import { CLASS_EMITTED_LABELS, EMITTED_LABELS, LABEL_BIT } from './security-labels.ts';

export type CodeClass = Exclude<SensitiveClass, 'restricted'>;
const CODE_CLASSES = ['hiv', 'substance-use', 'mental-health', 'reproductive', 'genetics'] as const satisfies readonly CodeClass[];

const entryFields = {
  system: z.string().min(1),
  display: z.string().min(1),
  class: z.enum(CODE_CLASSES),
  labels: z.array(z.enum(EMITTED_LABELS)).min(1),
  source: z.string().min(1),
};
const codeEntrySchema = z.object({ ...entryFields, code: z.string().min(1) }).strict();
const prefixEntrySchema = z.object({ ...entryFields, prefix: z.string().min(2) }).strict();
const sourceSchema = z.object({ name: z.string().min(1), via: z.string().min(1), licence: z.string().min(1) }).catchall(z.string());
export const valueSetFileSchema = z
  .object({
    class: z.enum(CODE_CLASSES),
    title: z.string().min(1),
    description: z.string().min(1),
    sources: z.record(z.string(), sourceSchema),
    prefixes: z.array(prefixEntrySchema),
    codes: z.array(codeEntrySchema),
  })
  .strict();
export type ValueSetFile = z.infer<typeof valueSetFileSchema>;
export type CodeEntry = z.infer<typeof codeEntrySchema>;
export type PrefixEntry = z.infer<typeof prefixEntrySchema>;

/** The value-set file of each class, relative to this module. */
export const VALUE_SET_FILES: Readonly<Record<CodeClass, string>> = Object.freeze({
  hiv: 'valuesets/hiv.json',
  'substance-use': 'valuesets/substance-use.json',
  'mental-health': 'valuesets/mental-health.json',
  reproductive: 'valuesets/reproductive.json',
  genetics: 'valuesets/genetics.json',
});

/** A match: the classes and the labels a code implies (bit masks, see `CLASS_BIT`, `LABEL_BIT`). */
export interface Hit {
  readonly classes: number;
  readonly labels: number;
}

interface SystemIndex {
  readonly info: CodeSystemInfo;
  readonly exact: Map<string, Hit>;
  readonly prefixes: Map<string, Hit>;
  minPrefix: number;
  maxPrefix: number;
}

export interface CodeIndex {
  /** The hit for a Coding, or undefined when the code is in no value set. */
  lookup(system: string, code: string): Hit | undefined;
  /** Number of exact codes and prefixes indexed (for reports). */
  readonly size: { codes: number; prefixes: number };
}

/** Parses and cross-checks one value-set file; throws a DomainError naming the file and the entry. */
export function parseValueSetFile(json: unknown, file: string): ValueSetFile {
  const parsed = valueSetFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DomainError('internal', `value set ${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  const vs = parsed.data;
  const allowed = new Set<string>(CLASS_EMITTED_LABELS[vs.class]);
  const check = (e: CodeEntry | PrefixEntry, where: string) => {
    const fail = (why: string) => new DomainError('internal', `value set ${file}: ${where} (${e.system}): ${why}`);
    if (e.class !== vs.class) throw fail(`class ${e.class} in the ${vs.class} file`);
    const info = codeSystemOf(e.system);
    if (!info || info.canonical !== e.system) throw fail(`system is not one of the canonical code systems (${CODE_SYSTEMS.map((s) => s.canonical).join(', ')})`);
    if ('prefix' in e && !info.prefixes) throw fail(`prefixes are only allowed for hierarchical systems`);
    for (const l of e.labels) if (!allowed.has(l)) throw fail(`label ${l} is not a ${vs.class} label (${[...allowed].join(', ')})`);
    for (const s of e.source.split(' ')) if (!(s in vs.sources)) throw fail(`source ${s} is not described in "sources"`);
  };
  vs.codes.forEach((e, i) => check(e, `codes[${i}] ${e.code}`));
  vs.prefixes.forEach((e, i) => check(e, `prefixes[${i}] ${e.prefix}`));
  return vs;
}

/** Reads and validates every value-set file shipped with this module. */
export function loadValueSets(): ValueSetFile[] {
  return Object.values(VALUE_SET_FILES).map((file) => {
    const url = new URL(`./${file}`, import.meta.url);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(url, 'utf8'));
    } catch (cause) {
      throw new DomainError('internal', `value set ${file} cannot be read as JSON: ${(cause as Error).message}`, { cause });
    }
    return parseValueSetFile(json, file);
  });
}

function labelMask(labels: readonly (typeof EMITTED_LABELS)[number][]): number {
  let mask = 0;
  for (const l of labels) mask |= LABEL_BIT[l];
  return mask;
}

function merge(map: Map<string, Hit>, key: string, hit: Hit): void {
  const prev = map.get(key);
  map.set(key, prev ? { classes: prev.classes | hit.classes, labels: prev.labels | hit.labels } : hit);
}

/** Builds the lookup index of a set of value-set files. */
export function buildIndex(files: readonly ValueSetFile[]): CodeIndex {
  const bySystem = new Map<CodeSystemInfo, SystemIndex>();
  const indexOf = (info: CodeSystemInfo): SystemIndex => {
    let idx = bySystem.get(info);
    if (!idx) {
      idx = { info, exact: new Map(), prefixes: new Map(), minPrefix: Infinity, maxPrefix: 0 };
      bySystem.set(info, idx);
    }
    return idx;
  };
  let codes = 0;
  let prefixes = 0;
  for (const vs of files) {
    for (const e of vs.codes) {
      const info = codeSystemOf(e.system)!;
      merge(indexOf(info).exact, normalizeCode(e.code, info.normalization), { classes: CLASS_BIT[e.class], labels: labelMask(e.labels) });
      codes++;
    }
    for (const e of vs.prefixes) {
      const info = codeSystemOf(e.system)!;
      const idx = indexOf(info);
      const key = normalizeCode(e.prefix, info.normalization);
      merge(idx.prefixes, key, { classes: CLASS_BIT[e.class], labels: labelMask(e.labels) });
      idx.minPrefix = Math.min(idx.minPrefix, key.length);
      idx.maxPrefix = Math.max(idx.maxPrefix, key.length);
      prefixes++;
    }
  }
  // Every URI of a system (canonical and aliases) points at the same index.
  const byUri = new Map<string, SystemIndex>();
  for (const idx of bySystem.values()) for (const uri of [idx.info.canonical, ...idx.info.aliases]) byUri.set(uri, idx);

  return {
    size: { codes, prefixes },
    lookup(system: string, code: string): Hit | undefined {
      const idx = byUri.get(system);
      if (idx === undefined) return undefined;
      const key = idx.info.normalization === 'none' ? code : normalizeCode(code, idx.info.normalization);
      const exact = idx.exact.get(key);
      if (idx.maxPrefix === 0) return exact;
      let classes = exact?.classes ?? 0;
      let labels = exact?.labels ?? 0;
      const max = Math.min(idx.maxPrefix, key.length);
      for (let n = idx.minPrefix; n <= max; n++) {
        const hit = idx.prefixes.get(n === key.length ? key : key.slice(0, n));
        if (hit !== undefined) {
          classes |= hit.classes;
          labels |= hit.labels;
        }
      }
      return classes === 0 ? undefined : { classes, labels };
    },
  };
}

/** The index of the shipped value sets, built once at module load. */
export const CODE_INDEX: CodeIndex = buildIndex(loadValueSets());
