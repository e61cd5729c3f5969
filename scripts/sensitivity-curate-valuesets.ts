/**
 * Curation tool (run by hand, not at build or test time): regenerates
 * src/fhir/sensitivity/valuesets/*.json from third-party sources checked out locally, plus the
 * ICD-10-CM / ICD-10-PCS / HCPCS prefixes and codes written here by hand. The selection rules
 * (filters, exclusions, labels) live in this file so that a reviewer can read and re-run them;
 * valuesets/README.md describes them in prose. Inputs (checkouts at the commits named in the README):
 *
 *   --c2s    bhits/vss                 vss-db-sample/vss_db_sample.sql    (SAMHSA Consent2Share, Apache-2.0)
 *   --canvas canvas-medical/canvas-plugins  canvas_sdk/value_set/        (VSAC eCQM expansions, MIT)
 *   --ecr    HL7/case-reporting         input/fsh/valuesets/              (CSTE eCR ARV examples, CC0)
 *   --out    output directory (default src/fhir/sensitivity/valuesets)
 *
 *   npx tsx scripts/sensitivity-curate-valuesets.ts --c2s … --canvas … --ecr …
 *
 * The SHIFT Task Force, HL7 Genomics Reporting and Synthea codes are few and are written inline.
 */
import fs from 'node:fs';
import { join } from 'node:path';

const arg = (name: string, fallback?: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : fallback;
  if (!v) throw new Error(`missing --${name} (see the header of this script)`);
  return v;
};
const OUT = arg('out', 'src/fhir/sensitivity/valuesets');
const SYS = {
  SNOMEDCT: 'http://snomed.info/sct',
  ICD10CM: 'http://hl7.org/fhir/sid/icd-10-cm',
  LOINC: 'http://loinc.org',
  RXNORM: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  HCPCS: 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets',
  HCPCSLEVELII: 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets',
  ICD10PCS: 'http://www.cms.gov/Medicare/Coding/ICD10',
  GENOMICS_TBD: 'http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs',
} as const;
type SysKey = keyof typeof SYS;

// ---------------------------------------------------------------- C2S (VSS sample SQL dump)
interface C2sRow { code: string; display: string; system: SysKey | 'ICD9CM' | 'CPT'; vs: string; oid: string; vsacName: string; cat: string }
function readC2s(path: string): C2sRow[] {
  const sql = fs.readFileSync(path, 'utf8');
  const lines = sql.split('\n');
  const vs = new Map<number, { code: string; cat: number; vsacName: string; oid: string }>();
  const reVs = /^\s*\((\d+), '([^']+)', '([^']*)', '[^']*', (\d+), '([^']*)', '([^']*)'\)/;
  for (const l of lines) {
    const m = reVs.exec(l);
    if (m) vs.set(Number(m[1]), { code: m[2]!, cat: Number(m[4]), vsacName: m[5]!, oid: m[6]! });
  }
  const cc = new Map<number, { code: string; name: string; csv: number }>();
  const reCc = /^\s*\((\d+),'((?:[^'\\]|\\.|'')*)','((?:[^'\\]|\\.|'')*)','(?:[^'\\]|\\.|'')*',(\d+)\)/;
  for (const l of lines) {
    const m = reCc.exec(l);
    if (m) cc.set(Number(m[1]), { code: m[2]!, name: m[3]!.replace(/\\'/g, "'").replace(/''/g, "'"), csv: Number(m[4]) });
  }
  const links = [...sql.slice(sql.indexOf('INSERT INTO `coded_concept_value_set`')).matchAll(/\((\d+),(\d+)\)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
  const sys: Record<number, C2sRow['system']> = { 1: 'SNOMEDCT', 2: 'ICD9CM', 3: 'RXNORM', 4: 'ICD10CM', 5: 'LOINC', 6: 'HCPCS', 7: 'CPT' };
  const cat: Record<number, string> = { 1: 'ETH', 2: 'HIV', 3: 'PSY', 4: 'SEX' };
  const rows: C2sRow[] = [];
  for (const [c, v] of links) {
    const x = cc.get(c);
    const s = vs.get(v);
    if (x && s) rows.push({ code: x.code, display: x.name, system: sys[x.csv]!, vs: s.code, oid: s.oid, vsacName: s.vsacName, cat: cat[s.cat]! });
  }
  return rows;
}

// ---------------------------------------------------------------- VSAC expansions in canvas-plugins (Python classes)
interface VsacRow { file: string; name: string; oid: string; exp: string; system: string; code: string; display: string }
function readCanvas(dir: string): VsacRow[] {
  const files = [...fs.readdirSync(join(dir, 'v2026')).filter((f) => f.endsWith('.py')).map((f) => `v2026/${f}`), 'v2022/condition.py'];
  const out: VsacRow[] = [];
  for (const file of files) {
    let src: string;
    try {
      src = fs.readFileSync(join(dir, file), 'utf8');
    } catch {
      continue; // v2026/condition.py is absent from some snapshots; v2022/condition.py is used instead
    }
    for (const c of src.split(/\nclass /).slice(1)) {
      const name = /VALUE_SET_NAME = "([^"]*)"/.exec(c)?.[1];
      const oid = /OID = "([^"]*)"/.exec(c)?.[1];
      const exp = /EXPANSION_VERSION = "([^"]*)"/.exec(c)?.[1] ?? '';
      if (!name || !oid) continue;
      for (const m of c.matchAll(/\n {4}([A-Z0-9_]+) = \{\n([\s\S]*?)\n {4}\}/g))
        for (const l of m[2]!.matchAll(/"([^"]+)",\s*#\s*(.*)/g)) out.push({ file, name, oid, exp, system: m[1]!, code: l[1]!, display: l[2]!.trim() });
    }
  }
  return out;
}

const c2s = readC2s(arg('c2s'));
const canvas = readCanvas(arg('canvas'));
const ECR = arg('ecr');

const C2S_VIA = 'bhits/vss@ae873ddb53ccc32289672642ae981418a95ae44e vss-db-sample/vss_db_sample.sql';
const C2S_LIC = 'Apache-2.0 (Consent2Share, Copyright (c) 2016 SAMHSA)';
const CANVAS_VIA = (file: string) => `canvas-medical/canvas-plugins@344f0bcb924b2be7ffafb5ac7edf19d475704259 canvas_sdk/value_set/${file}`;
const CANVAS_LIC = 'MIT (canvas-plugins); codes are VSAC value set content (public, US NLM)';

function icdDot(code: string): string {
  return code.length > 3 && !code.includes('.') ? code.slice(0, 3) + '.' + code.slice(3) : code;
}

type Source = Record<string, string>;
interface Entry { system: string; code: string; display: string; class: string; labels: string[]; source: string }
interface Prefix { system: string; prefix: string; display: string; class: string; labels: string[]; source: string }

class Builder {
  sources: Record<string, Source> = {};
  codes = new Map<string, Entry>();
  prefixes = new Map<string, Prefix>();
  constructor(readonly cls: string, readonly title: string, readonly description: string) {}
  source(id: string, meta: Source): void {
    this.sources[id] = meta;
  }
  code(system: string, code: string, display: string, labels: readonly string[], source: string): void {
    if (!this.sources[source]) throw new Error(`${this.cls}: unknown source ${source}`);
    if (system === SYS.ICD10CM) code = icdDot(code);
    const k = system + '|' + code;
    const prev = this.codes.get(k);
    if (prev) {
      for (const l of labels) if (!prev.labels.includes(l)) prev.labels.push(l);
      if (!prev.source.split(' ').includes(source)) prev.source += ' ' + source;
      return;
    }
    this.codes.set(k, { system, code, display: display.trim(), class: this.cls, labels: [...labels], source });
  }
  prefix(system: string, prefix: string, display: string, labels: readonly string[], source: string): void {
    if (!this.sources[source]) throw new Error(`${this.cls}: unknown source ${source}`);
    if (system === SYS.ICD10CM) prefix = icdDot(prefix);
    const k = system + '|' + prefix;
    if (this.prefixes.has(k)) throw new Error(`${this.cls}: duplicate prefix ${k}`);
    this.prefixes.set(k, { system, prefix, display, class: this.cls, labels: [...labels], source });
  }
  /** The prefix of this file that covers an ICD code, if any (exact ICD codes so covered are not written). */
  covered(system: string, code: string): Prefix | undefined {
    const n = code.replace(/\./g, '');
    for (const p of this.prefixes.values()) if (p.system === system && n.startsWith(p.prefix.replace(/\./g, ''))) return p;
    return undefined;
  }
  write(file: string): void {
    const codes = [...this.codes.values()].filter((e) => !(e.system === SYS.ICD10CM && this.covered(e.system, e.code)));
    codes.sort((a, b) => (a.system < b.system ? -1 : a.system > b.system ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    const prefixes = [...this.prefixes.values()].sort((a, b) => (a.system < b.system ? -1 : a.system > b.system ? 1 : a.prefix < b.prefix ? -1 : 1));
    for (const e of codes) e.labels.sort();
    const used = new Set([...codes, ...prefixes].flatMap((e) => e.source.split(' ')));
    const sources = Object.fromEntries(Object.entries(this.sources).filter(([id]) => used.has(id)));
    const head = { class: this.cls, title: this.title, description: this.description, sources };
    let s = JSON.stringify(head, null, 2).replace(/\n}$/, ',\n');
    s += '  "prefixes": [\n' + prefixes.map((e) => '    ' + JSON.stringify(e)).join(',\n') + '\n  ],\n';
    s += '  "codes": [\n' + codes.map((e) => '    ' + JSON.stringify(e)).join(',\n') + '\n  ]\n}\n';
    fs.writeFileSync(join(OUT, file), s);
    console.log(`${file}: ${prefixes.length} prefixes, ${codes.length} codes`);
  }
}

const vsac = (name: string, system?: string): VsacRow[] => {
  const r = canvas.filter((x) => x.name === name && (!system || x.system === system));
  if (!r.length) throw new Error('no VSAC set ' + name + ' ' + (system ?? ''));
  return r;
};
const vsacMeta = (name: string, extra: Source = {}): Source => {
  const r = canvas.find((x) => x.name === name)!;
  return { name: `VSAC ${r.name}`, oid: r.oid, expansion: r.exp, via: CANVAS_VIA(r.file), licence: CANVAS_LIC, ...extra };
};
const c2sSet = (vs: string): C2sRow[] => c2s.filter((r) => r.vs === vs);
const c2sMeta = (vsList: string[], extra: Source = {}): Source => {
  const first = c2s.find((r) => r.vs === vsList[0])!;
  return {
    name: `SAMHSA Consent2Share value set "${first.vsacName}"`,
    oid: vsList.map((v) => c2s.find((r) => r.vs === v)!.oid).join(' '),
    via: C2S_VIA,
    licence: C2S_LIC,
    expansion: 'C2S VSS sample data, 2017-10 (SNOMED CT 2017-03, ICD-10-CM 2018, LOINC 2.61, RxNorm 2017-09)',
    ...extra,
  };
};
const SYNTHEA: Source = {
  name: 'Codes observed in the Synthea R4 sample bundles used by this project (102 patients, SMART Health IT generated-sample-data, tag synthea-5-2019)',
  via: '/work/shared/synthea (not in the repo; 3 bundles are copied to test/fixtures/synthea)',
  licence: "Apache-2.0, Copyright 2018 Boston Children's Hospital",
  selection: 'chosen by hand per class; displays as Synthea emits them',
};
const SHIFT = (what: string): Source => ({
  name: `SHIFT Task Force SLS ValueSets: ${what}`,
  via: 'SHIFT-Task-Force/SLS-ValueSets@ede520879f1ca516f53f85705dbeb626eb582842',
  licence: 'CC-BY-4.0 (attribution: SHIFT Task Force, John Moehrke)',
});
const CMS_ICD: Source = {
  name: 'CMS ICD-10-CM tabular list (categories and subcategories)',
  via: 'https://www.cms.gov/medicare/coding-billing/icd-10-codes; prefixes and titles written by hand from the tabular list',
  licence: 'public domain (US government work)',
};
const CMS_PCS: Source = {
  name: 'CMS ICD-10-PCS sections / root operations',
  via: 'https://www.cms.gov/medicare/coding-billing/icd-10-codes; prefixes written by hand',
  licence: 'public domain (US government work)',
};
const CMS_HCPCS: Source = {
  name: 'CMS HCPCS Level II codes (not from a VSAC value set)',
  via: 'https://www.cms.gov/medicare/coding-billing/healthcare-common-procedure-system; codes and shortened descriptors written by hand',
  licence: 'public domain (US government work)',
};

const isLoincPart = (c: string) => c.startsWith('LP');

// ---------------------------------------------------------------- hiv
{
  const b = new Builder('hiv', 'HIV and sexually transmitted infections',
    'HIV/AIDS (label HIV) and other sexually transmitted infections (label STD): diagnoses, status, screening encounters, laboratory tests, antiretroviral medications. HPV testing is deliberately left out (routine cervical screening).');
  b.source('cms-icd10cm', CMS_ICD);
  b.source('vsac-hiv', vsacMeta('HIV'));
  b.source('vsac-hiv-lab-tests', vsacMeta('HIV Lab Tests'));
  b.source('vsac-hiv-viral-load', vsacMeta('HIV Viral Load Tests'));
  b.source('c2s-hiv', c2sMeta(['C2S-HIV/AIDS-Information-Sensitivity-LOINC', 'C2S-HIV/AIDS-Information-Sensitivity-SNOMEDCT', 'C2S-HIV/AIDS-Information-Sensitivity-HCPCS'], {
    selection: 'LOINC observation codes (LOINC parts LP* dropped), SNOMED CT, HCPCS Level II only (CPT codes dropped: AMA licence; RxNorm acyclovir dropped: not HIV-specific)',
  }));
  b.source('vsac-sti-lab-tests', vsacMeta('Lab Tests for Sexually Transmitted Infections', { selection: 'syphilis/treponema/reagin, gonorrhoea, chlamydia, trichomonas, HSV, H. ducreyi tests only (HPV and the fetal-measurement codes present in the expansion dropped)' }));
  b.source('vsac-chlamydia-screening', vsacMeta('Chlamydia Screening'));
  b.source('vsac-gonorrhea-screening', vsacMeta('Gonorrhea Screening'));
  b.source('vsac-syphilis-tests', vsacMeta('Syphilis Tests'));
  b.source('vsac-sexual-activity-dx', vsacMeta('Diagnoses Used to Indicate Sexual Activity', { selection: 'SNOMED CT codes naming a sexually transmitted infection or HIV' }));
  b.source('ecr-arv', {
    name: 'CSTE RCTC HIV antiretroviral value sets (examples in the HL7 eCR IG): INSTIs 2.16.840.1.113762.1.4.1146.1600, boosters .1601, post-attachment inhibitors .1602, attachment inhibitors .1603',
    via: 'HL7/case-reporting@66c0bcb6798e4417721ad6b8d854a96c5df0ff24 input/fsh/valuesets/valueset-hiv-arv-*-example.fsh',
    licence: 'CC0-1.0 (HL7 FHIR IG content)',
    selection: 'all codes of the four example sets (RxNorm 2022-01); NRTI, NNRTI and protease-inhibitor products are NOT covered yet',
  });
  b.source('synthea', SYNTHEA);

  const HIV = ['HIV'], STD = ['STD'];
  for (const [p, d, l] of <[string, string, string[]][]>[
    ['B20', 'Human immunodeficiency virus [HIV] disease', HIV],
    ['B97.35', 'HIV 2 as the cause of diseases classified elsewhere', HIV],
    ['Z21', 'Asymptomatic HIV infection status', HIV],
    ['O98.7', 'HIV disease complicating pregnancy, childbirth and the puerperium', HIV],
    ['R75', 'Inconclusive laboratory evidence of HIV', HIV],
    ['Z11.4', 'Encounter for screening for HIV', HIV],
    ['Z20.6', 'Contact with and (suspected) exposure to HIV', HIV],
    ['Z71.7', 'HIV counseling', HIV],
    ['Z83.0', 'Family history of HIV disease', HIV],
    ['Z29.81', 'Encounter for HIV pre-exposure prophylaxis', HIV],
    ['B21', 'HIV disease resulting in malignant neoplasms (ICD-10 WHO only; not in ICD-10-CM)', HIV],
    ['B22', 'HIV disease resulting in other specified diseases (ICD-10 WHO only)', HIV],
    ['B23', 'HIV disease resulting in other conditions (ICD-10 WHO only)', HIV],
    ['B24', 'Unspecified HIV disease (ICD-10 WHO only)', HIV],
    ['A50', 'Congenital syphilis', STD],
    ['A51', 'Early syphilis', STD],
    ['A52', 'Late syphilis', STD],
    ['A53', 'Other and unspecified syphilis', STD],
    ['A54', 'Gonococcal infection', STD],
    ['A55', 'Chlamydial lymphogranuloma (venereum)', STD],
    ['A56', 'Other sexually transmitted chlamydial diseases', STD],
    ['A57', 'Chancroid', STD],
    ['A58', 'Granuloma inguinale', STD],
    ['A59', 'Trichomoniasis', STD],
    ['A60', 'Anogenital herpesviral [herpes simplex] infections', STD],
    ['A63', 'Other predominantly sexually transmitted diseases, not elsewhere classified', STD],
    ['A64', 'Unspecified sexually transmitted disease', STD],
    ['O98.1', 'Syphilis complicating pregnancy, childbirth and the puerperium', STD],
    ['O98.2', 'Gonorrhea complicating pregnancy, childbirth and the puerperium', STD],
    ['O98.3', 'Other infections with a predominantly sexual mode of transmission complicating pregnancy, childbirth and the puerperium', STD],
    ['Z11.3', 'Encounter for screening for infections with a predominantly sexual mode of transmission', STD],
    ['Z20.2', 'Contact with and (suspected) exposure to infections with a predominantly sexual mode of transmission', STD],
  ]) b.prefix(SYS.ICD10CM, p, d, l, 'cms-icd10cm');

  for (const x of vsac('HIV', 'SNOMEDCT')) b.code(SYS.SNOMEDCT, x.code, x.display, HIV, 'vsac-hiv');
  for (const x of vsac('HIV', 'ICD10CM')) b.code(SYS.ICD10CM, x.code, x.display, HIV, 'vsac-hiv');
  for (const x of vsac('HIV Lab Tests', 'LOINC')) b.code(SYS.LOINC, x.code, x.display, HIV, 'vsac-hiv-lab-tests');
  for (const x of vsac('HIV Viral Load Tests', 'LOINC')) b.code(SYS.LOINC, x.code, x.display, HIV, 'vsac-hiv-viral-load');
  for (const vs of ['C2S-HIV/AIDS-Information-Sensitivity-LOINC', 'C2S-HIV/AIDS-Information-Sensitivity-SNOMEDCT', 'C2S-HIV/AIDS-Information-Sensitivity-HCPCS']) {
    for (const r of c2sSet(vs)) {
      if (r.system === 'LOINC' && isLoincPart(r.code)) continue;
      if (r.system === 'HCPCS' && !/^[A-V]\d{4}$/.test(r.code)) continue; // CPT (numeric or Category II "dddxF") dropped
      b.code(SYS[r.system as SysKey], r.code, r.display, HIV, 'c2s-hiv');
    }
  }
  const stiKeep = /syphil|treponema|reagin|neisseria gonorrhoeae|gonorr|chlamydia trachomatis|chlamydia|trichomonas|herpes simplex|HSV|haemophilus ducreyi/i;
  for (const x of vsac('Lab Tests for Sexually Transmitted Infections', 'LOINC')) if (stiKeep.test(x.display) && !/papilloma/i.test(x.display)) b.code(SYS.LOINC, x.code, x.display, STD, 'vsac-sti-lab-tests');
  for (const x of vsac('Chlamydia Screening', 'LOINC')) b.code(SYS.LOINC, x.code, x.display, STD, 'vsac-chlamydia-screening');
  for (const x of vsac('Gonorrhea Screening', 'LOINC')) b.code(SYS.LOINC, x.code, x.display, STD, 'vsac-gonorrhea-screening');
  for (const x of vsac('Syphilis Tests', 'LOINC')) b.code(SYS.LOINC, x.code, x.display, STD, 'vsac-syphilis-tests');
  const stiDx = /syphil|gonorr|gonococc|chlamyd|trichomon|chancroid|lymphogranuloma|granuloma inguinale|venereal|sexually transmitted|herpe(s|tic).*(genital|anogenital|vulv|vagin|cervi|penis|penile|anal|rect)|(genital|anogenital).*herpe/i;
  const hivDx = /human immunodeficiency virus|\bHIV\b|acquired immun/i;
  for (const x of vsac('Diagnoses Used to Indicate Sexual Activity', 'SNOMEDCT')) {
    if (hivDx.test(x.display)) b.code(SYS.SNOMEDCT, x.code, x.display, HIV, 'vsac-sexual-activity-dx');
    else if (stiDx.test(x.display)) b.code(SYS.SNOMEDCT, x.code, x.display, STD, 'vsac-sexual-activity-dx');
  }
  for (const f of ['integrase-insti', 'booster', 'post-attach', 'attachment']) {
    const src = fs.readFileSync(join(ECR, `valueset-hiv-arv-${f}-example.fsh`), 'utf8');
    for (const m of src.matchAll(/\$rxnorm#(\d+) "([^"]+)"/g)) b.code(SYS.RXNORM, m[1]!, m[2]!, HIV, 'ecr-arv');
  }
  b.code(SYS.SNOMEDCT, '31676001', 'Human immunodeficiency virus antigen test', HIV, 'synthea');
  b.code(SYS.LOINC, '55277-8', 'HIV status', HIV, 'synthea');
  b.code(SYS.SNOMEDCT, '269828009', 'Syphilis infection test', STD, 'synthea');
  b.code(SYS.SNOMEDCT, '165829005', 'Gonorrhea infection test', STD, 'synthea');
  b.code(SYS.SNOMEDCT, '310861008', 'Chlamydia antigen test', STD, 'synthea');
  b.write('hiv.json');
}

// ---------------------------------------------------------------- substance-use
{
  const b = new Builder('substance-use', 'Substance use disorder (42 CFR Part 2)',
    'Alcohol and drug use disorders, their treatment (detoxification, counselling, medication for opioid or alcohol use disorder), overdose/poisoning by drugs of abuse and toxicology tests. Tobacco, nicotine and caffeine are excluded (42 CFR 2.11 excludes them from "substance use disorder"). Opioid analgesics prescribed for pain are NOT classified. Labels: ETH on every entry, plus ETHUD (alcohol) or OPIOIDUD (opioids) where the entry is specific.');
  b.source('cms-icd10cm', CMS_ICD);
  b.source('cms-icd10pcs', CMS_PCS);
  b.source('cms-hcpcs', CMS_HCPCS);
  const sudSets: Record<string, string[]> = {
    'C2S-Alcohol-Use-Disorders-SNOMEDCT': ['ETH', 'ETHUD'], 'C2S-Amphetamine-Use-Disorders-SNOMEDCT': ['ETH'], 'C2S-Cannabis-Use-Disorders-SNOMEDCT': ['ETH'],
    'C2S-Cocaine-Use-Disorder-SNOMEDCT': ['ETH'], 'C2S-Hallucinogens-SNOMEDCT': ['ETH'], 'C2S-Inhalants-SNOMEDCT': ['ETH'], 'C2S-Opioids-SNOMEDCT': ['ETH', 'OPIOIDUD'],
    'C2S-Other-Psychoactive-Substance-Use-Disorder-SNOMEDCT': ['ETH'], 'C2S-Sedative-Hypnotic,-or-anxiolytic-related-disorders-SNOMEDCT': ['ETH'],
    'C2S-Alcohol-Use-Disorders-LOINC': ['ETH', 'ETHUD'], 'C2S-Amphetamine-Use-Disorders-LOINC': ['ETH'], 'C2S-Cannabis-Use-Disorders-LOINC': ['ETH'],
    'C2S-Hallucinogens-LOINC': ['ETH'], 'C2S-Opioids-LOINC': ['ETH', 'OPIOIDUD'],
  };
  b.source('c2s-sud', c2sMeta(Object.keys(sudSets), {
    name: 'SAMHSA C2S substance use value sets (alcohol, amphetamine, cannabis, cocaine, hallucinogens, inhalants, opioids, other psychoactive, sedative/hypnotic/anxiolytic): SNOMED CT and LOINC',
    selection: 'SNOMED CT codes except caffeine/tobacco/nicotine ones and 29 generic or unrelated concepts found in the expansion (e.g. liver damage, beta-blocker poisoning, organic anxiety disorder, gynecomastia, non-alcoholic cirrhosis); LOINC observation codes (LOINC parts LP* dropped)',
  }));
  b.source('c2s-sud-rx-hcpcs', c2sMeta(['C2S-Opioids-RXNORM', 'C2S-Alcohol-Use-Disorders-RXNORM', 'C2S-Substance-Use-Information-Sensitivity-RXNORM', 'C2S-Amphetamine-Use-Disorders-HCPCS', 'C2S-Substance-Use-Information-Sensitivity-HCPCS', 'C2S-Substance-Use-Information-Sensitivity-LOINC'], {
    name: 'SAMHSA C2S RxNorm / HCPCS / LOINC substance-use codes',
    selection: 'buprenorphine, methadone, naltrexone (IN), ReVia, Vivitrol, Antabuse, Campral (BN); HCPCS H0008-H0014 detoxification, S9475; LOINC 16212-3. Dropped as C2S errors: bupropion, Budeprion (antidepressant), methylenedianiline tests (industrial chemical)',
  }));
  b.source('vsac-aod-dependence', vsacMeta('Alcohol and Drug Dependence', { selection: 'all except caffeine dependence' }));
  b.source('vsac-alcohol-withdrawal', vsacMeta('Alcohol Withdrawal'));
  b.source('vsac-sud-treatment', vsacMeta('Substance Use Disorder Treatment', { selection: 'all except H0033 (oral medication administration, direct observation: not SUD-specific)' }));
  b.source('vsac-sud-med-admin', vsacMeta('Substance Use Disorder Long Acting Medication Administration', {
    name: 'VSAC Substance Use Disorder Long / Short Acting Medication Administration',
    oid: '2.16.840.1.113883.3.464.1003.1156 2.16.840.1.113883.3.464.1003.1157',
    selection: 'all except H0033',
  }));
  b.source('vsac-moud', vsacMeta('Medications for Opioid Use Disorder (MOUD)', { selection: 'all except transdermal buprenorphine (Butrans: chronic pain only, not an OUD product)' }));
  b.source('vsac-sud-meds', vsacMeta('Substance Use Disorder Short Acting Medication', {
    name: 'VSAC Substance Use Disorder Short / Long Acting Medication',
    oid: '2.16.840.1.113883.3.464.1003.1150 2.16.840.1.113883.3.464.1003.1149',
  }));
  b.source('vsac-mat', vsacMeta('Opioid Medication Assisted Treatment (MAT)'));
  b.source('vsac-alcohol-counseling', vsacMeta('Referral or Counseling for Alcohol Consumption'));
  b.source('shift-synthea', { ...SHIFT('SyntheaOpioidAddictionVS (codes of the Synthea opioid_addiction module)'), selection: '1149222004 Overdose, 6525002 Dependent drug abuse only (the rest of that set is generic encounters and analgesics)' });
  b.source('synthea', SYNTHEA);

  const E = ['ETH'], A = ['ETH', 'ETHUD'], O = ['ETH', 'OPIOIDUD'];
  const prefixes: [string, string, string[]][] = [
    ['F10', 'Alcohol related disorders', A], ['F11', 'Opioid related disorders', O], ['F12', 'Cannabis related disorders', E],
    ['F13', 'Sedative, hypnotic, or anxiolytic related disorders', E], ['F14', 'Cocaine related disorders', E],
    ['F15', 'Other stimulant related disorders', E], ['F16', 'Hallucinogen related disorders', E], ['F18', 'Inhalant related disorders', E],
    ['F19', 'Other psychoactive substance related disorders', E],
    ['O99.31', 'Alcohol use complicating pregnancy, childbirth, and the puerperium', A],
    ['O99.32', 'Drug use complicating pregnancy, childbirth, and the puerperium', E],
    ['K70', 'Alcoholic liver disease', A], ['K29.2', 'Alcoholic gastritis', A], ['K85.2', 'Alcohol induced acute pancreatitis', A],
    ['K86.0', 'Alcohol-induced chronic pancreatitis', A], ['G31.2', 'Degeneration of nervous system due to alcohol', A],
    ['G62.1', 'Alcoholic polyneuropathy', A], ['G72.1', 'Alcoholic myopathy', A], ['I42.6', 'Alcoholic cardiomyopathy', A],
    ['E24.4', "Alcohol-induced pseudo-Cushing's syndrome", A], ['T51.0', 'Toxic effect of ethanol', A],
    ['R78.0', 'Finding of alcohol in blood', A], ['R78.1', 'Finding of opiate drug in blood', O], ['R78.2', 'Finding of cocaine in blood', E],
    ['R78.3', 'Finding of hallucinogen in blood', E], ['R78.4', 'Finding of other drugs of addiction in blood', E],
    ['Z71.4', 'Alcohol abuse counseling and surveillance', A], ['Z71.5', 'Drug abuse counseling and surveillance', E],
    ['Z02.83', 'Encounter for blood-alcohol and blood-drug test', E],
    ['P04.3', 'Newborn affected by maternal use of alcohol', A], ['P04.4', 'Newborn affected by maternal use of drugs of addiction', E],
    ['P96.1', 'Neonatal withdrawal symptoms from maternal use of drugs of addiction', E], ['Q86.0', 'Fetal alcohol syndrome (dysmorphic)', A],
  ];
  for (const [p, d, l] of prefixes) b.prefix(SYS.ICD10CM, p, d, l, 'cms-icd10cm');
  const intents: [string, string][] = [['1', 'accidental (unintentional)'], ['2', 'intentional self-harm'], ['3', 'assault'], ['4', 'undetermined']];
  const t40: [string, string, string[]][] = [
    ['T40.0X', 'opium', O], ['T40.1X', 'heroin', O], ['T40.2X', 'other opioids', O], ['T40.3X', 'methadone', O],
    ['T40.4X', 'other synthetic narcotics', O], ['T40.41', 'fentanyl or fentanyl analogs', O], ['T40.42', 'tramadol', O],
    ['T40.49', 'other synthetic narcotics', O], ['T40.5X', 'cocaine', E], ['T40.60', 'unspecified narcotics', E], ['T40.69', 'other narcotics', E],
    ['T40.7X', 'cannabis (derivatives)', E], ['T40.71', 'cannabis', E], ['T40.72', 'synthetic cannabinoids', E],
    ['T40.8X', 'lysergide [LSD]', E], ['T40.90', 'unspecified psychodysleptics [hallucinogens]', E], ['T40.99', 'other psychodysleptics [hallucinogens]', E],
  ];
  for (const [p, drug, l] of t40) for (const [i, intent] of intents) b.prefix(SYS.ICD10CM, p + i, `Poisoning by ${drug}, ${intent}`, l, 'cms-icd10cm');
  b.prefix(SYS.ICD10PCS, 'HZ', 'Substance Abuse Treatment section (detoxification, counseling, psychotherapy, pharmacotherapy)', E, 'cms-icd10pcs');

  const sudLabels = (display: string, base: string[]): string[] => {
    if (/alcohol|ethanol|alcoholi|drunk|wernicke|korsakoff/i.test(display)) return [...new Set([...base, 'ETH', 'ETHUD'])];
    if (/opioid|opiate|opium|heroin|morphine|methadone|oxycodone|fentanyl|codeine|buprenorphine|hydrocodone|narcotic/i.test(display)) return [...new Set([...base, 'ETH', 'OPIOIDUD'])];
    return [...new Set([...base, 'ETH'])];
  };
  // C2S expansions include generic ancestors / unrelated concepts; these are not substance-use specific
  const c2sGeneric = new Set(['197321007', '230431001', '235876009', '235955000', '240101000', '243978007', '28670008', '291268005', '291269002',
    '291272009', '291275006', '308129003', '36261000', '37370005', '403618004', '425413006', '56051008', '230441003', '191667009', '17496003',
    '425919003', '78689005', '3298001', '36217008', '45912004', '5510009', '4754008', '271794005', '235895002']);
  for (const [vs, l] of Object.entries(sudSets)) {
    for (const r of c2sSet(vs)) {
      if (/caffeine|tobacco|nicotine|cigar|smok/i.test(r.display) || c2sGeneric.has(r.code)) continue;
      if (r.system === 'LOINC' && isLoincPart(r.code)) continue;
      b.code(SYS[r.system as SysKey], r.code, r.display, l, 'c2s-sud');
    }
  }
  for (const [code, display, l] of <[string, string, string[]][]>[
    ['1819', 'Buprenorphine', O], ['6813', 'Methadone', O], ['7243', 'Naltrexone', E], ['152092', 'ReVia', E], ['636556', 'Vivitrol', E],
    ['151358', 'Antabuse', A], ['602959', 'Campral', A],
  ]) b.code(SYS.RXNORM, code, display, l, 'c2s-sud-rx-hcpcs');
  for (const r of [...c2sSet('C2S-Amphetamine-Use-Disorders-HCPCS'), ...c2sSet('C2S-Substance-Use-Information-Sensitivity-HCPCS')]) b.code(SYS.HCPCS, r.code, r.display, E, 'c2s-sud-rx-hcpcs');
  b.code(SYS.LOINC, '16212-3', 'Ethylamphetamine [Presence] in Urine by Confirmatory method', E, 'c2s-sud-rx-hcpcs');

  for (const x of vsac('Alcohol and Drug Dependence', 'SNOMEDCT')) if (!/caffeine|tobacco|nicotine/i.test(x.display)) b.code(SYS.SNOMEDCT, x.code, x.display, sudLabels(x.display, E), 'vsac-aod-dependence');
  for (const x of vsac('Alcohol and Drug Dependence', 'ICD10CM')) b.code(SYS.ICD10CM, x.code, x.display, sudLabels(x.display, E), 'vsac-aod-dependence');
  for (const x of vsac('Alcohol Withdrawal')) b.code(SYS[x.system as SysKey], x.code, x.display, A, 'vsac-alcohol-withdrawal');
  for (const x of vsac('Substance Use Disorder Treatment')) if (x.code !== 'H0033') b.code(SYS[x.system as SysKey], x.code, x.display, sudLabels(x.display, E), 'vsac-sud-treatment');
  for (const n of ['Substance Use Disorder Long Acting Medication Administration', 'Substance Use Disorder Short Acting Medication Administration'])
    for (const x of vsac(n)) if (x.code !== 'H0033') b.code(SYS[x.system as SysKey], x.code, x.display, sudLabels(x.display, E), 'vsac-sud-med-admin');
  for (const x of vsac('Medications for Opioid Use Disorder (MOUD)')) {
    if (/transdermal/i.test(x.display)) continue;
    b.code(SYS.RXNORM, x.code, x.display, /naltrexone/i.test(x.display) ? E : O, 'vsac-moud');
  }
  for (const n of ['Substance Use Disorder Short Acting Medication', 'Substance Use Disorder Long Acting Medication'])
    for (const x of vsac(n)) b.code(SYS.RXNORM, x.code, x.display, /naltrexone/i.test(x.display) ? E : /disulfiram|acamprosate/i.test(x.display) ? A : O, 'vsac-sud-meds');
  for (const x of vsac('Opioid Medication Assisted Treatment (MAT)')) b.code(SYS.SNOMEDCT, x.code, x.display, O, 'vsac-mat');
  for (const x of vsac('Referral or Counseling for Alcohol Consumption')) b.code(SYS.SNOMEDCT, x.code, x.display, A, 'vsac-alcohol-counseling');
  b.code(SYS.SNOMEDCT, '1149222004', 'Overdose (disorder)', E, 'shift-synthea');
  b.code(SYS.SNOMEDCT, '6525002', 'Dependent drug abuse (disorder)', E, 'shift-synthea');
  for (const [code, display, l] of <[string, string, string[]][]>[
    ['5602001', 'Opioid abuse (disorder)', O], ['55680006', 'Drug overdose', E], ['7200002', 'Alcoholism', A],
    ['56876005', 'Drug rehabilitation and detoxification', E], ['266707007', 'Drug addiction therapy', E], ['60112009', 'Drug addiction counseling', E],
    ['61480009', 'Drug detoxification', E], ['313071005', 'Counseling for substance abuse (procedure)', E],
    ['408935001', 'Substance abuse prevention education (procedure)', E], ['408936000', 'Substance abuse prevention management (procedure)', E],
    ['24165007', 'Alcoholism counseling', A],
  ]) b.code(SYS.SNOMEDCT, code, display, l, 'synthea');
  b.write('substance-use.json');
}

// ---------------------------------------------------------------- mental-health
{
  const b = new Builder('mental-health', 'Mental and behavioural health',
    'Psychiatric and behavioural disorders (ICD-10-CM chapter 5 except F01-F05 dementia/delirium and F10-F19 substance use), suicidal ideation and intentional self-harm, psychiatric evaluation and psychotherapy, depression screening instruments and their results, antidepressants, antipsychotics, lithium and ADHD stimulants. Benzodiazepines, hypnotics and anticonvulsant mood stabilisers are NOT classified (mostly prescribed for seizures, sleep or procedures; Synthea prescribes them for seizures). Dementia is not classified here. Label PSY.');
  b.source('cms-icd10cm', CMS_ICD);
  b.source('cms-icd10pcs', CMS_PCS);
  b.source('cms-hcpcs', CMS_HCPCS);
  b.source('c2s-mh', c2sMeta(['C2S-Mental-Health-Disorders-SNOMEDCT', 'C2S-Mental-Health-Disorders-LOINC', 'C2S-Mental-Health-Disorders-RXNORM'], {
    name: 'SAMHSA C2S Mental Health Disorders (SNOMED CT, LOINC, RxNorm)',
    selection: 'SNOMED CT disorders and psychiatric findings only (genital/urological findings, examination findings, speech/language findings and other non-psychiatric concepts in the expansion dropped); LOINC observation codes (LP* parts dropped); RxNorm except benzodiazepines, Z-drug hypnotics, valproate/lamotrigine, benztropine, Librax, and doxorubicin (a C2S error)',
  }));
  b.source('vsac-mh-dx', vsacMeta('Mental Health Diagnosis without Substance Use Disorders', {
    selection: 'SNOMED CT codes except dementia/delirium/amnesia/cognitive ones; ICD-10-CM intentional self-harm codes (T36-T65 with 6th character 2, kept as 6-character prefixes), the rest of its ICD-10-CM content is covered by the prefixes',
  }));
  b.source('vsac-mh-dx-2021', {
    name: 'VSAC eCQM diagnosis value sets 2021: Major Depression, Depression Diagnosis, Bipolar Diagnosis, Bipolar Disorder, Other Bipolar Disorder, Schizophrenia, Schizophrenia or Psychotic Disorder, Generalized Anxiety Disorder, Pervasive Developmental Disorder',
    oid: '2.16.840.1.113883.3.464.1003.105.12.1007 2.16.840.1.113883.3.600.145 2.16.840.1.113883.3.600.450 2.16.840.1.113883.3.67.1.101.1.128 2.16.840.1.113883.3.464.1003.105.12.1204 2.16.840.1.113883.3.464.1003.105.12.1205 2.16.840.1.113883.3.464.1003.105.12.1104 2.16.840.1.113883.3.464.1003.105.12.1210 2.16.840.1.113883.3.464.1003.105.12.1152',
    expansion: 'eCQM Update 2021-05-06', via: CANVAS_VIA('v2022/condition.py'), licence: CANVAS_LIC, selection: 'SNOMED CT codes',
  });
  b.source('vsac-psych-procedures', {
    name: 'VSAC Psych Visit Diagnostic Evaluation, Psych Visit Psychotherapy, Psych Visit for Family Psychotherapy, Psychoanalysis, Group Psychotherapy, Follow Up / Referral for Adult / Adolescent Depression, Behavioral or Neuropsych Assessment, Encounter to Screen for Depression',
    oid: '2.16.840.1.113883.3.526.3.1492 2.16.840.1.113883.3.526.3.1496 2.16.840.1.113883.3.526.3.1018 2.16.840.1.113883.3.526.3.1141 2.16.840.1.113883.3.526.3.1187 2.16.840.1.113883.3.526.3.1568 2.16.840.1.113883.3.526.3.1569 2.16.840.1.113883.3.526.3.1570 2.16.840.1.113883.3.526.3.1571 2.16.840.1.113883.3.526.3.1023 2.16.840.1.113883.3.600.1916',
    expansion: 'eCQM Update 2025-05-08', via: CANVAS_VIA('v2026/encounter.py') + ', v2026/intervention.py', licence: CANVAS_LIC,
    selection: 'SNOMED CT codes whose display names psychiatry, psychotherapy, mental health, depression, crisis intervention, dialectical or cognitive-behavioural therapy (generic items such as exercise therapy, telephone consultation, coping/emotional support, referral to primary care are dropped; CPT dropped: AMA licence); from Encounter to Screen for Depression also HCPCS G0444',
  });
  b.source('vsac-phq9', vsacMeta('PHQ 9 and PHQ 9M Tools'));
  b.source('vsac-antidepressants', vsacMeta('Antidepressant Medication', {
    name: 'VSAC Antidepressant Medication, Adult Depression Medications, Adolescent Depression Medications',
    oid: '2.16.840.1.113883.3.464.1003.196.12.1213 2.16.840.1.113883.3.526.3.1566 2.16.840.1.113883.3.526.3.1567',
    selection: 'all except bupropion marketed for smoking cessation, oral selegiline (Parkinson disease) and lamotrigine (anticonvulsant)',
  }));
  b.source('vsac-antipsychotics', vsacMeta('Potentially Harmful Antipsychotics for Older Adults', { selection: 'antipsychotic products only (the set is a list of antipsychotics; amitriptyline/fluoxetine combinations kept)' }));
  b.source('shift', { ...SHIFT('ShiftSlsBHCodes and SyntheaSelfHarmVS'), selection: 'PHQ-9 codes (LOINC 44249-1, SNOMED 720433000), fluoxetine 20 MG capsule, suicide/self-harm codes of the Synthea self_harm module' });
  b.source('synthea', SYNTHEA);

  const P = ['PSY'];
  const cats: [string, string][] = [
    ['F06', 'Other mental disorders due to known physiological condition'], ['F07', 'Personality and behavioral disorders due to known physiological condition'],
    ['F09', 'Unspecified mental disorder due to known physiological condition'],
    ['F20', 'Schizophrenia'], ['F21', 'Schizotypal disorder'], ['F22', 'Delusional disorders'], ['F23', 'Brief psychotic disorder'],
    ['F24', 'Shared psychotic disorder'], ['F25', 'Schizoaffective disorders'], ['F28', 'Other psychotic disorder not due to a substance or known physiological condition'],
    ['F29', 'Unspecified psychosis not due to a substance or known physiological condition'],
    ['F30', 'Manic episode'], ['F31', 'Bipolar disorder'], ['F32', 'Depressive episode'], ['F33', 'Major depressive disorder, recurrent'],
    ['F34', 'Persistent mood [affective] disorders'], ['F39', 'Unspecified mood [affective] disorder'],
    ['F40', 'Phobic anxiety disorders'], ['F41', 'Other anxiety disorders'], ['F42', 'Obsessive-compulsive disorder'],
    ['F43', 'Reaction to severe stress, and adjustment disorders'], ['F44', 'Dissociative and conversion disorders'],
    ['F45', 'Somatoform disorders'], ['F48', 'Other nonpsychotic mental disorders'],
    ['F50', 'Eating disorders'], ['F51', 'Sleep disorders not due to a substance or known physiological condition'],
    ['F52', 'Sexual dysfunction not due to a substance or known physiological condition'], ['F53', 'Mental and behavioral disorders associated with the puerperium'],
    ['F54', 'Psychological and behavioral factors associated with disorders or diseases classified elsewhere'],
    ['F55', 'Abuse of non-psychoactive substances'], ['F59', 'Unspecified behavioral syndromes associated with physiological disturbances and physical factors'],
    ['F60', 'Specific personality disorders'], ['F63', 'Impulse disorders'], ['F64', 'Gender identity disorders'], ['F65', 'Paraphilias'],
    ['F66', 'Other sexual disorders'], ['F68', 'Other disorders of adult personality and behavior'], ['F69', 'Unspecified disorder of adult personality and behavior'],
    ['F70', 'Mild intellectual disabilities'], ['F71', 'Moderate intellectual disabilities'], ['F72', 'Severe intellectual disabilities'],
    ['F73', 'Profound intellectual disabilities'], ['F78', 'Other intellectual disabilities'], ['F79', 'Unspecified intellectual disabilities'],
    ['F80', 'Specific developmental disorders of speech and language'], ['F81', 'Specific developmental disorders of scholastic skills'],
    ['F82', 'Specific developmental disorder of motor function'], ['F84', 'Pervasive developmental disorders'],
    ['F88', 'Other disorders of psychological development'], ['F89', 'Unspecified disorder of psychological development'],
    ['F90', 'Attention-deficit hyperactivity disorders'], ['F91', 'Conduct disorders'],
    ['F93', 'Emotional disorders with onset specific to childhood'], ['F94', 'Disorders of social functioning with onset specific to childhood and adolescence'],
    ['F95', 'Tic disorder'], ['F98', 'Other behavioral and emotional disorders with onset usually occurring in childhood and adolescence'],
    ['F99', 'Mental disorder, not otherwise specified'],
    ['R44', 'Other symptoms and signs involving general sensations and perceptions (hallucinations)'],
    ['R45.85', 'Homicidal and suicidal ideations'], ['T14.91', 'Suicide attempt'],
    ['X71', 'Intentional self-harm by drowning and submersion'], ['X72', 'Intentional self-harm by handgun discharge'],
    ['X73', 'Intentional self-harm by rifle, shotgun and larger firearm discharge'], ['X74', 'Intentional self-harm by other and unspecified firearm and gun discharge'],
    ['X75', 'Intentional self-harm by explosive material'], ['X76', 'Intentional self-harm by smoke, fire and flames'],
    ['X77', 'Intentional self-harm by steam, hot vapors and hot objects'], ['X78', 'Intentional self-harm by sharp object'],
    ['X79', 'Intentional self-harm by blunt object'], ['X80', 'Intentional self-harm by jumping from a high place'],
    ['X81', 'Intentional self-harm by jumping or lying in front of moving object'], ['X82', 'Intentional self-harm by crashing of motor vehicle'],
    ['X83', 'Intentional self-harm by other specified means'],
    ['Z13.3', 'Encounter for screening examination for mental health and behavioral disorders'],
    ['Z04.6', 'Encounter for general psychiatric examination, requested by authority'],
    ['Z86.5', 'Personal history of mental and behavioral disorders'], ['Z91.5', 'Personal history of self-harm'],
    ['Z69', 'Encounter for mental health services for victim and perpetrator of abuse'],
  ];
  for (const [p, d] of cats) b.prefix(SYS.ICD10CM, p, d, P, 'cms-icd10cm');
  // intentional self-harm poisonings, T36-T65 with 6th character 2: 6-character prefixes taken from the VSAC expansion
  const selfHarm = new Map<string, string>();
  for (const x of vsac('Mental Health Diagnosis without Substance Use Disorders', 'ICD10CM')) {
    if (!/^T/.test(x.code) || !/intentional self-harm/i.test(x.display)) continue;
    const p = x.code.length === 7 ? x.code.slice(0, 6) : x.code;
    if (!selfHarm.has(p)) selfHarm.set(p, x.display.replace(/, (initial encounter|subsequent encounter|sequela)$/, ''));
  }
  for (const [p, d] of selfHarm) {
    if (b.covered(SYS.ICD10CM, p)) continue;
    b.prefix(SYS.ICD10CM, p, d, P, 'vsac-mh-dx');
  }
  b.prefix(SYS.ICD10PCS, 'GZ', 'Mental Health section (psychological tests, crisis intervention, psychotherapy, ECT, ...)', P, 'cms-icd10pcs');

  const dem = /dementia|alzheimer|delirium|amnes|cognitive|neurocognitive/i;
  const notPsych = /scrot|testi[sc]|testic|epididym|vas deferens|tunica vaginalis|genital|vagin|vulv|uter|ovar|cervix|penile|penis|on examination|hirschsprung|purpura|cheilitis|hypoglycemia|climacteric|swelling|pain in|pain of|pain on|tenderness|lesion|mass of|cyst|atrophy|stricture|edema|incontinence|menia \(|aphasia|dysphasia|lump|frozen pelvis|camptocormia|indication for modification|axis v|kohlschutter|infective origin/i;
  const psychFinding = /fear|phobi|delusion|hallucin|suicid|believes|thought broadcast|depersonali|mood|anxi|depress|obsess|compuls|paranoi|grief|griev|stress|coping|temper|explosive|aggress|rage|cruelty|self-|transsexual|cross-dressing|transvest|sexual orientation|rape trauma|post-trauma|nightmare|mania|manic|psych|personality|ritual|stereotyp/i;
  for (const r of c2sSet('C2S-Mental-Health-Disorders-SNOMEDCT')) {
    if (notPsych.test(r.display)) continue;
    if (!/\\(disorder\\)$/.test(r.display) && !psychFinding.test(r.display)) continue;
    b.code(SYS.SNOMEDCT, r.code, r.display, P, 'c2s-mh');
  }
  for (const r of c2sSet('C2S-Mental-Health-Disorders-LOINC')) if (!isLoincPart(r.code)) b.code(SYS.LOINC, r.code, r.display, P, 'c2s-mh');
  const rxDrop = /temazepam|bromazepam|clonazepam|klonopin|diazepam|valium|alprazolam|xanax|lorazepam|ativan|oxazepam|estazolam|halazepam|prazepam|halcion|restoril|tranxene|zolpidem|ambien|lunesta|valpro|divalproex|depakote|depakene|lamotrigine|lamictal|cogentin|librax|doxorubicin/i;
  for (const r of c2sSet('C2S-Mental-Health-Disorders-RXNORM')) if (!rxDrop.test(r.display)) b.code(SYS.RXNORM, r.code, r.display, P, 'c2s-mh');
  for (const x of vsac('Mental Health Diagnosis without Substance Use Disorders', 'SNOMEDCT')) if (!dem.test(x.display)) b.code(SYS.SNOMEDCT, x.code, x.display, P, 'vsac-mh-dx');
  for (const n of ['Major Depression', 'Depression Diagnosis', 'Bipolar Diagnosis', 'Bipolar Disorder', 'Other Bipolar Disorder', 'Schizophrenia', 'Schizophrenia or Psychotic Disorder', 'Generalized Anxiety Disorder', 'Pervasive Developmental Disorder'])
    for (const x of vsac(n, 'SNOMEDCT')) if (!dem.test(x.display)) b.code(SYS.SNOMEDCT, x.code, x.display, P, 'vsac-mh-dx-2021');
  for (const n of ['Psych Visit Diagnostic Evaluation', 'Psych Visit Psychotherapy', 'Psych Visit for Family Psychotherapy', 'Psychoanalysis', 'Group Psychotherapy',
    'Follow Up for Adult Depression', 'Follow Up for Adolescent Depression', 'Referral for Adult Depression', 'Referral for Adolescent Depression', 'Behavioral or Neuropsych Assessment'])
    for (const x of vsac(n, 'SNOMEDCT')) if (/psych|mental|depress|crisis|dialectical|cognitive and behavioral|neuropsych/i.test(x.display)) b.code(SYS.SNOMEDCT, x.code, x.display, P, 'vsac-psych-procedures');
  for (const x of vsac('Encounter to Screen for Depression')) {
    if (x.system === 'SNOMEDCT' && /psychiatr|psychotherap|depression/i.test(x.display)) b.code(SYS.SNOMEDCT, x.code, x.display, P, 'vsac-psych-procedures');
    if (x.system === 'HCPCSLEVELII' && x.code === 'G0444') b.code(SYS.HCPCS, x.code, x.display, P, 'vsac-psych-procedures');
  }
  for (const x of vsac('PHQ 9 and PHQ 9M Tools')) b.code(SYS.LOINC, x.code, x.display, P, 'vsac-phq9');
  for (const n of ['Antidepressant Medication', 'Adult Depression Medications', 'Adolescent Depression Medications'])
    for (const x of vsac(n)) {
      if (/smoking cessation/i.test(x.display) || rxDrop.test(x.display)) continue;
      if (/selegiline/i.test(x.display) && !/transdermal/i.test(x.display)) continue;
      b.code(SYS.RXNORM, x.code, x.display, P, 'vsac-antidepressants');
    }
  for (const x of vsac('Potentially Harmful Antipsychotics for Older Adults')) b.code(SYS.RXNORM, x.code, x.display, P, 'vsac-antipsychotics');
  b.code(SYS.LOINC, '44249-1', 'PHQ-9 quick depression assessment panel', P, 'shift');
  b.code(SYS.SNOMEDCT, '720433000', 'Patient Health Questionnaire Nine Item score (observable entity)', P, 'shift');
  b.code(SYS.RXNORM, '315952', 'Fluoxetine 20 MG Oral Capsule', P, 'shift');
  for (const [code, display] of <[string, string][]>[
    ['86849004', 'Suicidal poisoning (disorder)'], ['287185009', 'Attempted suicide by cutting or stabbing'], ['287182007', 'Attempted suicide by suffocation'],
    ['90407005', 'Evaluation of psychiatric state of patient (procedure)'], ['183401008', 'Anti-suicide psychotherapy (regime/therapy)'],
    ['287193009', 'Suicide using firearm (event)'], ['287191006', 'Suicide by suffocation'], ['44301001', 'Suicide (event)'],
  ]) b.code(SYS.SNOMEDCT, code, display, P, 'shift');
  for (const [system, code, display] of <[string, string, string][]>[
    [SYS.SNOMEDCT, '370143000', 'Major depression disorder'], [SYS.SNOMEDCT, '36923009', 'Major depression, single episode'],
    [SYS.SNOMEDCT, '47505003', 'Posttraumatic stress disorder'], [SYS.SNOMEDCT, '192127007', 'Child attention deficit disorder'],
    [SYS.SNOMEDCT, '171207006', 'Depression screening'], [SYS.SNOMEDCT, '79094001', 'Initial psychiatric interview with mental status and evaluation'],
    [SYS.SNOMEDCT, '718347000', 'Mental health care plan'], [SYS.SNOMEDCT, '736254008', 'Psychiatry care plan'],
    [SYS.SNOMEDCT, '737434004', 'Major depressive disorder clinical management plan'], [SYS.SNOMEDCT, '88848003', 'Psychiatric Follow-up'],
    [SYS.SNOMEDCT, '405783006', 'Psychological assessment'], [SYS.SNOMEDCT, '425680009', 'Cognitive behavioral therapy by multidisciplinary team'],
    [SYS.SNOMEDCT, '304822001', 'Psychodynamic Interpersonal Therapy'], [SYS.SNOMEDCT, '225337009', 'Suicide Risk Assessment'],
    [SYS.SNOMEDCT, '386522008', 'Overactivity/inattention behavior management'],
    [SYS.RXNORM, '328670', 'Sertraline 100MG'], [SYS.RXNORM, '406022', 'Fluoxetine 25MG'], [SYS.RXNORM, '1091392', 'Methylphenidate Hydrochloride 20 MG Oral Tablet'],
  ]) b.code(system, code, display, P, 'synthea');
  b.write('mental-health.json');
}

// ---------------------------------------------------------------- reproductive
{
  const b = new Builder('reproductive', 'Sexuality and reproductive health; sexual assault, abuse and domestic violence',
    'Pregnancy termination and pregnancy loss (ICD-10-CM O00-O08), contraception and sterilisation, fertility and infertility treatment, sexual orientation and sex counselling (label SEX); sexual assault, abuse, neglect and domestic violence (label SDV). Ordinary pregnancy, prenatal care and childbirth are NOT classified (policy choice: see README).');
  b.source('cms-icd10cm', CMS_ICD);
  b.source('cms-icd10pcs', CMS_PCS);
  b.source('cms-hcpcs', CMS_HCPCS);
  b.source('vsac-contraceptives', vsacMeta('Contraceptive Medications'));
  b.source('vsac-sexual-activity', {
    name: 'VSAC Diagnoses Used to Indicate Sexual Activity, Procedures Used to Indicate Sexual Activity, Complications of Pregnancy, Childbirth and the Puerperium',
    oid: '2.16.840.1.113883.3.464.1003.111.12.1018 2.16.840.1.113883.3.464.1003.111.12.1017 2.16.840.1.113883.3.464.1003.111.12.1012',
    expansion: 'eCQM Update 2021-05-06 (diagnoses), 2025-05-08 (procedures)', via: CANVAS_VIA('v2022/condition.py') + ', v2026/procedure.py', licence: CANVAS_LIC,
    selection: 'SNOMED CT codes whose display names contraception, sterilisation, abortion/termination, ectopic or molar pregnancy, miscarriage, infertility or assisted reproduction, sexual abuse/assault',
  });
  b.source('c2s-sex', c2sMeta(['C2S-Sexuality-and-reproductive-health-information-sensitivity-RXNORM'], { selection: 'the combined oral contraceptive only (sildenafil and testosterone dropped: not in scope)' }));
  b.source('shift', { ...SHIFT('ShiftSlsSEXCodes, ShiftSlsAbortionCodes and SyntheaPregnancyVS'), selection: 'sexual orientation, elective abortion, abortion medications, number of abortions, miscarriage/ectopic pregnancy codes of the Synthea pregnancy module' });
  b.source('synthea', SYNTHEA);

  const S = ['SEX'], V = ['SDV'];
  for (const [p, d, l] of <[string, string, string[]][]>[
    ['O00', 'Ectopic pregnancy', S], ['O01', 'Hydatidiform mole', S], ['O02', 'Other abnormal products of conception', S],
    ['O03', 'Spontaneous abortion', S], ['O04', 'Complications following (induced) termination of pregnancy', S],
    ['O07', 'Failed attempted termination of pregnancy', S], ['O08', 'Complications following ectopic and molar pregnancy', S],
    ['Z33.2', 'Encounter for elective termination of pregnancy', S], ['Z30', 'Encounter for contraceptive management', S],
    ['Z31', 'Encounter for procreative management', S], ['Z97.5', 'Presence of (intrauterine) contraceptive device', S],
    ['Z79.3', 'Long term (current) use of hormonal contraceptives', S], ['Z98.51', 'Tubal ligation status', S], ['Z98.52', 'Vasectomy status', S],
    ['O09.81', 'Supervision of pregnancy resulting from assisted reproductive technology', S],
    ['N97', 'Female infertility', S], ['N46', 'Male infertility', S],
    ['Z72.5', 'High risk sexual behavior', S], ['Z70', 'Counseling related to sexual attitude, behavior and orientation', S],
    ['F64', 'Gender identity disorders', S], ['Z87.890', 'Personal history of sex reassignment', S],
    ['T74', 'Adult and child abuse, neglect and other maltreatment, confirmed', V],
    ['T76', 'Adult and child abuse, neglect and other maltreatment, suspected', V],
    ['Z04.4', 'Encounter for examination and observation following alleged rape', V],
    ['Z04.7', 'Encounter for examination and observation following alleged physical abuse', V],
    ['Z69', 'Encounter for mental health services for victim and perpetrator of abuse', V],
    ['Z62.81', 'Personal history of abuse and neglect in childhood', V], ['Z91.41', 'Personal history of adult abuse', V],
    ['Z91.42', 'Personal history of forced labor or sexual exploitation', V],
    ['Y07', 'Perpetrator of assault, maltreatment and neglect', V],
    ['O9A.3', 'Physical abuse complicating pregnancy, childbirth, and the puerperium', V],
    ['O9A.4', 'Sexual abuse complicating pregnancy, childbirth, and the puerperium', V],
    ['O9A.5', 'Psychological abuse complicating pregnancy, childbirth, and the puerperium', V],
  ]) b.prefix(SYS.ICD10CM, p, d, l, 'cms-icd10cm');
  b.prefix(SYS.ICD10PCS, '10A0', 'Abortion of products of conception', S, 'cms-icd10pcs');
  for (const [code, d] of <[string, string][]>[
    ['S0190', 'Mifepristone, oral, 200 mg'], ['S0191', 'Misoprostol, oral, 200 mcg'], ['S0199', 'Medically induced abortion by oral ingestion of medication'],
    ['S2260', 'Induced abortion, 17 to 24 weeks'],
    ['J7296', 'Levonorgestrel-releasing intrauterine contraceptive system (Kyleena), 19.5 mg'],
    ['J7297', 'Levonorgestrel-releasing intrauterine contraceptive system (Liletta), 52 mg'],
    ['J7298', 'Levonorgestrel-releasing intrauterine contraceptive system (Mirena), 52 mg'],
    ['J7300', 'Intrauterine copper contraceptive'], ['J7301', 'Levonorgestrel-releasing intrauterine contraceptive system (Skyla), 13.5 mg'],
    ['J7303', 'Contraceptive supply, hormone containing vaginal ring, each'], ['J7304', 'Contraceptive supply, hormone containing patch, each'],
    ['J7307', 'Etonogestrel (contraceptive) implant system, including implant and supplies'],
  ]) b.code(SYS.HCPCS, code, d, S, 'cms-hcpcs');

  for (const x of vsac('Contraceptive Medications')) b.code(SYS.RXNORM, x.code, x.display, S, 'vsac-contraceptives');
  const reproKeep = /contracept|intrauterine|\bIUD\b|\bIUCD\b|steriliz|sterilis|tubal ligation|ligation of (the )?fallopian|occlusion of (the )?fallopian|salpingectomy for steril|vasectomy|abortion|termination of pregnancy|infertil|in vitro fertili|insemination|embryo transfer|oocyte|ovulation induction|ectopic|tubal pregnancy|hydatidiform|molar pregnancy|miscarriage|blighted ovum/i;
  const sdvKeep = /sexual abuse|sexual assault|\brape\b|sexually abused|child abuse|domestic (abuse|violence)|intimate partner/i;
  const stiOut = /syphil|gonorr|gonococc|chlamyd|trichomon|herpe|venereal|sexually transmitted|immunodeficiency|HIV|papilloma|wart/i;
  for (const [n, sys] of <[string, string][]>[['Diagnoses Used to Indicate Sexual Activity', 'SNOMEDCT'], ['Procedures Used to Indicate Sexual Activity', 'SNOMEDCT'], ['Complications of Pregnancy, Childbirth and the Puerperium', 'SNOMEDCT']]) {
    for (const x of vsac(n, sys)) {
      if (stiOut.test(x.display)) continue;
      if (sdvKeep.test(x.display)) b.code(SYS.SNOMEDCT, x.code, x.display, V, 'vsac-sexual-activity');
      else if (reproKeep.test(x.display)) b.code(SYS.SNOMEDCT, x.code, x.display, S, 'vsac-sexual-activity');
    }
  }
  b.code(SYS.RXNORM, '753481', '{21 (Ethinyl Estradiol 0.035 MG / norgestimate 0.25 MG Oral Tablet) / 7 (Inert Ingredients 1 MG Oral Tablet) } Pack', S, 'c2s-sex');
  for (const [system, code, display] of <[string, string, string][]>[
    [SYS.LOINC, '76690-7', 'Sexual orientation'], [SYS.SNOMEDCT, '42035005', 'Bisexual (finding)'],
    [SYS.SNOMEDCT, '18391007', 'Elective abortion (disorder)'], [SYS.RXNORM, '330381', 'mifepristone 200 MG'],
    [SYS.RXNORM, '317128', 'misoprostol 0.2 MG Oral Tablet'], [SYS.SNOMEDCT, '252113007', 'Number of abortions (observable entity)'],
    [SYS.SNOMEDCT, '85116003', 'Miscarriage in second trimester (disorder)'], [SYS.SNOMEDCT, '236931002', 'Methotrexate injection into tubal pregnancy (procedure)'],
    [SYS.SNOMEDCT, '445912000', 'Excision of fallopian tube and surgical removal of ectopic pregnancy (procedure)'],
    [SYS.SNOMEDCT, '161744009', 'Past pregnancy history of miscarriage (situation)'],
  ]) b.code(system, code, display, S, 'shift');
  for (const [system, code, display, l] of <[string, string, string, string[]][]>[
    [SYS.SNOMEDCT, '714812005', 'Induced termination of pregnancy', S], [SYS.SNOMEDCT, '386394001', 'Pregnancy termination care', S],
    [SYS.SNOMEDCT, '10383002', 'Counseling for termination of pregnancy', S], [SYS.SNOMEDCT, '19169002', 'Miscarriage in first trimester', S],
    [SYS.SNOMEDCT, '35999006', 'Blighted ovum', S], [SYS.SNOMEDCT, '79586000', 'Tubal pregnancy', S],
    [SYS.SNOMEDCT, '156073000', 'Fetus with unknown complication (Synthea display; recorded with first-trimester miscarriage)', S],
    [SYS.SNOMEDCT, '169553002', 'Insertion of subcutaneous contraceptive', S], [SYS.SNOMEDCT, '301807007', 'Removal of subcutaneous contraceptive', S],
    [SYS.SNOMEDCT, '755621000000101', 'Replacement of subcutaneous contraceptive', S], [SYS.SNOMEDCT, '65200003', 'Insertion of intrauterine contraceptive device', S],
    [SYS.SNOMEDCT, '68254000', 'Removal of intrauterine device', S], [SYS.SNOMEDCT, '46706006', 'Replacement of contraceptive intrauterine device', S],
    [SYS.SNOMEDCT, '287664005', 'Bilateral tubal ligation', S],
    [SYS.RXNORM, '748856', 'Yaz 28 Day Pack', S], [SYS.RXNORM, '748879', 'Levora 0.15/30 28 Day Pack', S], [SYS.RXNORM, '748962', 'Camila 28 Day Pack', S],
    [SYS.RXNORM, '749762', 'Seasonique 91 Day Pack', S], [SYS.RXNORM, '749785', 'Ortho Tri-Cyclen 28 Day Pack', S], [SYS.RXNORM, '751905', 'Trinessa 28 Day Pack', S],
    [SYS.RXNORM, '757594', 'Jolivette 28 Day Pack', S], [SYS.RXNORM, '831533', 'Errin 28 Day Pack', S], [SYS.RXNORM, '978950', 'Natazia 28 Day Pack', S],
    [SYS.RXNORM, '1359133', 'Estrostep Fe 28 Day Pack', S], [SYS.RXNORM, '1367439', 'NuvaRing 0.12/0.015 MG per 24HR 21 Day Vaginal Ring', S],
    [SYS.RXNORM, '1534809', '168 HR Ethinyl Estradiol 0.00146 MG/HR / norelgestromin 0.00625 MG/HR Transdermal System', S],
    [SYS.RXNORM, '1856546', 'Kyleena 19.5 MG Intrauterine System', S], [SYS.RXNORM, '807283', 'Mirena 52 MG Intrauterine System', S],
    [SYS.RXNORM, '389221', 'Etonogestrel 68 MG Drug Implant', S], [SYS.RXNORM, '1000126', '1 ML medroxyprogesterone acetate 150 MG/ML Injection', S],
    [SYS.RXNORM, '1000156', '0.65 ML medroxyprogesterone acetate 160 MG/ML Prefilled Syringe', S],
    [SYS.LOINC, '76690-7', 'Sexual orientation', S], [SYS.LOINC, '28245-9', 'Abuse Status [OMAHA]', V],
  ]) b.code(system, code, display, l, 'synthea');
  b.write('reproductive.json');
}

// ---------------------------------------------------------------- genetics
{
  const b = new Builder('genetics', 'Genetic testing and hereditary conditions',
    'Genetic and genomic test results (HL7 Genomics Reporting IG codes), prenatal chromosomal screening, genetic carrier status and susceptibility, chromosomal abnormalities and a short list of well-known hereditary diseases (cystic fibrosis, sickle-cell disorders, Huntington disease, haemophilia A/B, muscular dystrophy, phenylketonuria, Tay-Sachs, hereditary haemochromatosis, Marfan syndrome, familial early-onset Alzheimer disease). Label GDIS, plus SCA for sickle-cell disorders.');
  b.source('cms-icd10cm', CMS_ICD);
  b.source('vsac-sickle-cell', vsacMeta('Sickle Cell Disease with Crisis', { selection: 'covered by the D57 prefix; listed for cross-checking only' }));
  b.source('hl7-genomics', {
    name: 'HL7 FHIR Genomics Reporting IG: LOINC codes fixed by its profiles (Variant, Genotype, Haplotype, GenomicReport, SequencePhaseRelationship) and their component codes; its TbdCodesCS codes',
    via: 'HL7/genomics-reporting@1dbfb09bbdb7a8da9d6c7f14d4f00437afdf6ab8 input/fsh (4.0.0-cibuild)',
    licence: 'CC0-1.0 (HL7 FHIR IG content); LOINC codes used under the LOINC licence',
  });
  b.source('shift', { ...SHIFT('ShiftSlsGDISCodes, SyntheaCysticFibrosisVS and SyntheaPregnancyVS'), selection: 'quad screen panel; cystic fibrosis disorder/test codes; fetus with chromosomal abnormality' });
  b.source('synthea', SYNTHEA);

  const G = ['GDIS'], GS = ['GDIS', 'SCA'];
  for (const [p, d, l] of <[string, string, string[]][]>[
    ['Q90', 'Down syndrome', G], ['Q91', 'Trisomy 18 and Trisomy 13', G], ['Q92', 'Other trisomies and partial trisomies of the autosomes, not elsewhere classified', G],
    ['Q93', 'Monosomies and deletions from the autosomes, not elsewhere classified', G], ['Q95', 'Balanced rearrangements and structural markers, not elsewhere classified', G],
    ['Q96', "Turner's syndrome", G], ['Q97', 'Other sex chromosome abnormalities, female phenotype, not elsewhere classified', G],
    ['Q98', 'Other sex chromosome abnormalities, male phenotype, not elsewhere classified', G], ['Q99', 'Other chromosome abnormalities, not elsewhere classified', G],
    ['Z14', 'Genetic carrier', G], ['Z15', 'Genetic susceptibility to disease', G],
    ['Z13.71', 'Encounter for nonprocreative screening for genetic disease carrier status', G],
    ['Z13.79', 'Encounter for other screening for genetic and chromosomal anomalies', G],
    ['Z31.43', 'Encounter for genetic testing of female for procreative management', G],
    ['Z31.44', 'Encounter for genetic testing of male for procreative management', G],
    ['Z31.5', 'Encounter for procreative genetic counseling', G], ['Z36.0', 'Encounter for antenatal screening for chromosomal anomalies', G],
    ['Z84.81', 'Family history of carrier of genetic disease', G],
    ['O28.5', 'Abnormal chromosomal and genetic finding on antenatal screening of mother', G],
    ['O35.1', 'Maternal care for (suspected) chromosomal abnormality in fetus', G],
    ['E84', 'Cystic fibrosis', G], ['G10', "Huntington's disease", G], ['D57', 'Sickle-cell disorders', GS],
    ['D66', 'Hereditary factor VIII deficiency', G], ['D67', 'Hereditary factor IX deficiency', G],
    ['G71.0', 'Muscular dystrophy', G], ['E70.0', 'Classical phenylketonuria', G], ['E75.02', 'Tay-Sachs disease', G],
    ['E83.110', 'Hereditary hemochromatosis', G], ['Q87.4', 'Marfan syndrome', G],
  ]) b.prefix(SYS.ICD10CM, p, d, l, 'cms-icd10cm');
  for (const x of vsac('Sickle Cell Disease with Crisis')) b.code(SYS.ICD10CM, x.code, x.display, GS, 'vsac-sickle-cell');
  for (const [code, d] of <[string, string][]>[
    ['69548-6', 'Genetic variant assessment'], ['84413-4', 'Genotype display name'], ['84414-2', 'Haplotype name'], ['82120-7', 'Allelic phase'],
    ['51969-4', 'Genetic analysis report'], ['81247-9', 'Master HL7 genetic variant reporting panel'], ['51968-6', 'Genetic analysis overall interpretation'],
    ['48018-6', 'Gene studied [ID]'], ['53037-8', 'Genetic variation clinical significance [Imp]'], ['81252-9', 'Discrete genetic variant'],
    ['48004-6', 'DNA change (c.HGVS)'], ['48005-3', 'Amino acid change (pHGVS)'], ['81290-9', 'Genomic DNA change (gHGVS)'],
    ['48013-7', 'Genomic reference sequence [ID]'], ['51958-7', 'Transcript reference sequence [ID]'], ['69547-8', 'Genomic ref allele [ID]'],
    ['69551-0', 'Genomic alt allele [ID]'], ['48002-0', 'Genomic source class [Type]'], ['48019-4', 'DNA change [Type]'], ['53034-5', 'Allelic state'],
    ['62374-4', 'Human reference sequence assembly version'], ['81258-6', 'Sample variant allelic frequency [NFr]'], ['82121-5', 'Allelic read depth'],
  ]) b.code(SYS.LOINC, code, d, G, 'hl7-genomics');
  for (const [code, d] of <[string, string][]>[['diagnostic-implication', 'Diagnostic Implication'], ['therapeutic-implication', 'Therapeutic Implication'], ['molecular-consequence', 'Molecular Consequence']])
    b.code(SYS.GENOMICS_TBD, code, d, G, 'hl7-genomics');
  b.code(SYS.LOINC, '48800-7', 'Second trimester quad maternal screen panel - Serum or Plasma', G, 'shift');
  for (const [code, d] of <[string, string][]>[
    ['190905008', 'Cystic fibrosis (disorder)'], ['67799006', 'Cystic fibrosis, prenatal detection (procedure)'], ['86964003', 'Cystic fibrosis sweat test (procedure)'],
    ['444260001', 'Screen for 20 common genetic mutations of cystic fibrosis using amplification refractory mutation system polymerase chain reaction assay technique (procedure)'],
    ['707418001', 'Male infertility due to cystic fibrosis (disorder)'], ['707577004', 'Female infertility due to cystic fibrosis (disorder)'],
    ['427089005', 'Diabetes mellitus due to cystic fibrosis (disorder)'], ['267253006', 'Fetus with chromosomal abnormality (disorder)'],
  ]) b.code(SYS.SNOMEDCT, code, d, G, 'shift');
  b.code(SYS.SNOMEDCT, '443529005', 'Screening for chromosomal aneuploidy in prenatal amniotic fluid', G, 'synthea');
  b.code(SYS.SNOMEDCT, '230265002', "Familial Alzheimer's disease of early onset (disorder)", G, 'synthea');
  b.write('genetics.json');
}
