/**
 * Builders for the rule tests and the benchmark: a `NormalizedClaim` from a terse spec, without
 * going through FHIR (normalize.test.ts covers that path). Not used at run time.
 */
import { codeKindOf } from './normalize.ts';
import type { ClaimLine, EncounterProof, IsoDate, NormalizedClaim, ProviderRef } from './types.ts';

export interface LineSpec {
  code: string;
  date?: IsoDate;
  end?: IsoDate;
  qty?: number;
  mods?: string[];
  pos?: string;
  seq?: number;
  /** Rendering provider key. */
  performer?: string;
  system?: string;
}

export interface ClaimSpec {
  id?: string;
  patient?: string;
  provider?: string;
  npi?: string;
  type?: string;
  subType?: string;
  /** Default date of service for lines without one. */
  date?: IsoDate;
  lines: (LineSpec | string)[];
  /** ICD-10-CM codes, in sequence. */
  diagnoses?: string[];
}

let counter = 0;

export const DEFAULT_DATE = '2024-03-05';
export const DEFAULT_PATIENT = 'Patient/p1';
export const DEFAULT_PROVIDER = 'Practitioner/dr1';

export function claim(spec: ClaimSpec): NormalizedClaim {
  const id = spec.id ?? `claim-${++counter}`;
  const date = spec.date ?? DEFAULT_DATE;
  const provider: ProviderRef = { key: spec.provider ?? DEFAULT_PROVIDER, reference: spec.provider ?? DEFAULT_PROVIDER, ...(spec.npi && { npi: spec.npi }) };
  const lines: ClaimLine[] = spec.lines.map((l, i) => {
    const s: LineSpec = typeof l === 'string' ? { code: l } : l;
    const serviceDate = s.date ?? date;
    return {
      sequence: s.seq ?? i + 1,
      code: s.code,
      system: s.system ?? 'http://www.ama-assn.org/go/cpt',
      codeKind: codeKindOf(s.system ?? 'http://www.ama-assn.org/go/cpt', s.code),
      modifiers: s.mods ?? [],
      quantity: s.qty ?? 1,
      serviceDate,
      serviceEnd: s.end ?? serviceDate,
      dateSource: 'servicedDate',
      ...(s.pos && { placeOfService: s.pos }),
      diagnosisSequences: [],
      ...(s.performer && { performer: { key: s.performer, reference: s.performer } }),
      encounters: [],
    };
  });
  let from = lines[0]?.serviceDate ?? date;
  let to = lines[0]?.serviceEnd ?? date;
  for (const l of lines) {
    if (l.serviceDate < from) from = l.serviceDate;
    if (l.serviceEnd > to) to = l.serviceEnd;
  }
  return {
    id,
    identifiers: [],
    status: 'active',
    use: 'claim',
    type: spec.type ?? 'professional',
    ...(spec.subType && { subType: spec.subType }),
    patient: { key: spec.patient ?? DEFAULT_PATIENT, reference: spec.patient ?? DEFAULT_PATIENT },
    provider,
    careTeam: [],
    created: to,
    lines,
    diagnoses: (spec.diagnoses ?? []).map((code, i) => ({ sequence: i + 1, code, system: 'http://hl7.org/fhir/sid/icd-10-cm', types: [] })),
    serviceRange: { from, to },
  };
}

export function encounterProof(leafIndex = 7, blockNumber = 1234): EncounterProof {
  return {
    logId: '0x' + 'ab'.repeat(32),
    leafIndex,
    leafHash: '0x' + 'cd'.repeat(32),
    treeSize: leafIndex + 1,
    anchor: { root: '0x' + 'ef'.repeat(32), blockNumber, txHash: '0x' + '12'.repeat(32) },
  };
}
