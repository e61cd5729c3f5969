/**
 * De-identifies a study's data one subject at a time (each subject's Patient and their resources in
 * one `deidentify` call, so the 90+ rule still sees a person with all their records) and merges the
 * reports. Pseudonyms are per study (HMAC with the study secret), so they are the same whichever call
 * a resource went through. Per subject rather than one call for the whole dataset so that the working
 * set of the first pass (identifying values to look for in kept text) is one person's, and a large
 * study does not need one structure over everyone; the throughput is the same as one call on the
 * Synthea fixtures (bench/research.bench.ts, ~12,400 resources per CPU-second either way). Each
 * subject's own identifiers are what the text check looks for; `knownIdentifiers` can add more
 * (e.g. every subject's names, for free text about relatives who are also subjects).
 */
import { deidentify, type DeidentifyOptions, type FhirResource } from '../deid/deidentify.ts';
import type { DeidReport } from '../deid/report.ts';

export function deidentifySubjects(subjects: readonly (readonly FhirResource[])[], options: DeidentifyOptions): { resources: FhirResource[]; report: DeidReport } {
  const resources: FhirResource[] = [];
  const reports: DeidReport[] = [];
  for (const s of subjects) {
    if (s.length === 0) continue;
    const r = deidentify(s, options);
    resources.push(...r.resources);
    reports.push(r.report);
  }
  return { resources, report: mergeReports(reports, String(options.studyId), (options.asOf ?? new Date()).getUTCFullYear()) };
}

/** The sum of several reports of one study. */
export function mergeReports(reports: readonly DeidReport[], studyId: string, asOfYear: number): DeidReport {
  const out: DeidReport = {
    method: 'HIPAA Safe Harbor, 45 CFR 164.514(b)(2)',
    studyId,
    asOfYear,
    resources: 0,
    patients: 0,
    patientsOver89: 0,
    classes: {} as DeidReport['classes'],
    freeText: { removed: 0, keptAfterCheck: 0, removedByCheck: 0, byElement: {} },
    unknownElementsRemoved: {},
    warnings: [],
  };
  const add = (into: Record<string, number>, from: Record<string, number>) => {
    for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  };
  for (const r of reports) {
    out.resources += r.resources;
    out.patients += r.patients;
    out.patientsOver89 += r.patientsOver89;
    for (const [k, t] of Object.entries(r.classes) as [keyof DeidReport['classes'], DeidReport['classes'][keyof DeidReport['classes']]][]) {
      const c = (out.classes[k] ??= { removed: 0, generalised: 0, pseudonymised: 0 });
      c.removed += t.removed;
      c.generalised += t.generalised;
      c.pseudonymised += t.pseudonymised;
    }
    out.freeText.removed += r.freeText.removed;
    out.freeText.keptAfterCheck += r.freeText.keptAfterCheck;
    out.freeText.removedByCheck += r.freeText.removedByCheck;
    add(out.freeText.byElement, r.freeText.byElement);
    add(out.unknownElementsRemoved, r.unknownElementsRemoved);
    for (const w of r.warnings) if (out.warnings.length < 100 && !out.warnings.includes(w)) out.warnings.push(w);
  }
  return out;
}
