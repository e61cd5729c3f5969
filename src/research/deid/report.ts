/** The report `deidentify` returns: what was removed, generalised or pseudonymised, per Safe Harbor class. */
import { emptyTallies, type ClassTally, type SafeHarborClass } from './safe-harbor.ts';

export interface DeidReport {
  method: 'HIPAA Safe Harbor, 45 CFR 164.514(b)(2)';
  studyId: string;
  /** The year ages of living patients are computed at. */
  asOfYear: number;
  /** Resources walked, counting Bundle entries and contained resources. */
  resources: number;
  patients: number;
  /** Patients aggregated into the "90 or older" category (birth year withheld). */
  patientsOver89: number;
  /**
   * Per identifier class, values removed, generalised (date → year, ZIP → ZIP3, age → ≥ 90) or
   * replaced by a per-study pseudonym. A value is one element: a HumanName, a ContactPoint, an
   * Identifier, one address line, one date, one reference.
   */
  classes: Record<SafeHarborClass, ClassTally>;
  freeText: {
    /** Free-text elements removed without looking at them (narratives, notes, descriptions, …). */
    removed: number;
    /** Short coded-text elements kept because the identifier check found nothing in them. */
    keptAfterCheck: number;
    /** Coded-text elements removed because the check found an identifier (also counted in `classes`). */
    removedByCheck: number;
    /** Removed free text by element path, e.g. `{"Resource.text": 120, "Observation.value[x]": 3}`. */
    byElement: Record<string, number>;
  };
  /** Properties not defined by FHIR R4 for their type, removed unread (they could hold anything). */
  unknownElementsRemoved: Record<string, number>;
  warnings: string[];
}

/** Mutable counters behind a DeidReport. */
export class ReportBuilder {
  readonly classes = emptyTallies();
  readonly freeTextByElement = new Map<string, number>();
  readonly unknown = new Map<string, number>();
  readonly warnings = new Set<string>();
  freeTextRemoved = 0;
  keptAfterCheck = 0;
  removedByCheck = 0;
  resources = 0;

  removed(cls: SafeHarborClass, n = 1): void {
    this.classes[cls].removed += n;
  }
  generalised(cls: SafeHarborClass, n = 1): void {
    this.classes[cls].generalised += n;
  }
  pseudonymised(cls: SafeHarborClass, n = 1): void {
    this.classes[cls].pseudonymised += n;
  }
  freeText(path: string): void {
    this.freeTextRemoved++;
    this.freeTextByElement.set(path, (this.freeTextByElement.get(path) ?? 0) + 1);
  }
  unknownElement(path: string): void {
    this.unknown.set(path, (this.unknown.get(path) ?? 0) + 1);
  }
  warn(message: string): void {
    if (this.warnings.size < 100) this.warnings.add(message);
  }

  build(head: { studyId: string; asOfYear: number; patients: number; patientsOver89: number }): DeidReport {
    return {
      method: 'HIPAA Safe Harbor, 45 CFR 164.514(b)(2)',
      studyId: head.studyId,
      asOfYear: head.asOfYear,
      resources: this.resources,
      patients: head.patients,
      patientsOver89: head.patientsOver89,
      classes: this.classes,
      freeText: {
        removed: this.freeTextRemoved,
        keptAfterCheck: this.keptAfterCheck,
        removedByCheck: this.removedByCheck,
        byElement: Object.fromEntries([...this.freeTextByElement].sort((a, b) => b[1] - a[1])),
      },
      unknownElementsRemoved: Object.fromEntries(this.unknown),
      warnings: [...this.warnings],
    };
  }
}
