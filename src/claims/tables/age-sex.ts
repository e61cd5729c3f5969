/**
 * Codes restricted to one sex or an age range, for the age/sex rule. Columns: `system`
 * (`cpt-hcpcs` or `icd-10-cm`), `code`, `sex` (`female`, `male` or blank), `min_age`, `max_age`
 * (whole years, inclusive, blank for none). ICD-10-CM codes are stored without the dot, upper case.
 * Carechain's own format; the shipped table is synthetic (see data/README.md).
 */
import { readSimpleTsv, rejecter, wholeNumber } from './simple-tsv.ts';
import type { AgeSexRestriction, ParsedTable, RejectedRow, RestrictedCodeSystem, TableSource } from './types.ts';

/** ICD-10-CM codes are compared without the dot, upper case (`O09.90` → `O0990`). */
export const icdKey = (code: string): string => code.replace('.', '').toUpperCase();

export function parseAgeSex(text: string, source: TableSource, strict = true): ParsedTable<AgeSexRestriction> {
  const rejected: RejectedRow[] = [];
  const reject = rejecter(source, strict, rejected);
  const rows: AgeSexRestriction[] = [];
  for (const r of readSimpleTsv(text, source, ['system', 'code', 'sex', 'min_age', 'max_age'])) {
    const system = r.get('system') as RestrictedCodeSystem;
    if (system !== 'cpt-hcpcs' && system !== 'icd-10-cm') {
      reject(r.line, `system "${r.get('system')}" is not cpt-hcpcs or icd-10-cm`);
      continue;
    }
    const code = system === 'icd-10-cm' ? icdKey(r.get('code')) : r.get('code').toUpperCase();
    if (system === 'cpt-hcpcs' ? !/^[A-Z0-9]{5}$/.test(code) : !/^[A-Z][0-9][0-9A-Z]{1,5}$/.test(code)) {
      reject(r.line, `code "${r.get('code')}" is not a valid ${system} code`);
      continue;
    }
    const sexText = r.get('sex').toLowerCase();
    if (sexText !== '' && sexText !== 'female' && sexText !== 'male') {
      reject(r.line, `sex "${r.get('sex')}" for ${code} is not female, male or blank`);
      continue;
    }
    const minAge = r.get('min_age') === '' ? null : wholeNumber(r.get('min_age'));
    const maxAge = r.get('max_age') === '' ? null : wholeNumber(r.get('max_age'));
    if ((r.get('min_age') !== '' && minAge === null) || (r.get('max_age') !== '' && maxAge === null)) {
      reject(r.line, `ages "${r.get('min_age')}".."${r.get('max_age')}" for ${code} are not whole years`);
      continue;
    }
    if (minAge !== null && maxAge !== null && minAge > maxAge) {
      reject(r.line, `min_age ${minAge} is above max_age ${maxAge} for ${code}`);
      continue;
    }
    if (sexText === '' && minAge === null && maxAge === null) {
      reject(r.line, `${code} restricts neither sex nor age`);
      continue;
    }
    rows.push({ system, code, sex: sexText === '' ? null : (sexText as 'female' | 'male'), minAge, maxAge, source, line: r.line });
  }
  return { rows, rejected, source };
}

/** Restrictions by code, one map per code system (CPT/HCPCS and ICD-10-CM codes could collide). */
export interface AgeSexIndex {
  readonly procedures: ReadonlyMap<string, readonly AgeSexRestriction[]>;
  readonly diagnoses: ReadonlyMap<string, readonly AgeSexRestriction[]>;
}

export function indexAgeSex(rows: Iterable<AgeSexRestriction>): AgeSexIndex {
  const procedures = new Map<string, AgeSexRestriction[]>();
  const diagnoses = new Map<string, AgeSexRestriction[]>();
  for (const r of rows) {
    const m = r.system === 'icd-10-cm' ? diagnoses : procedures;
    const list = m.get(r.code);
    if (list) list.push(r);
    else m.set(r.code, [r]);
  }
  return { procedures, diagnoses };
}
