/**
 * Coverage eligibility (FHIR R4 §CoverageEligibilityRequest / §CoverageEligibilityResponse): the
 * provider asks the insurer whether the Coverage the patient presented is in force on the date of
 * service; the insurer answers from the Coverage it holds. Pure: the service finds the Coverage and
 * carries the messages.
 */
type Json = Record<string, unknown>;

/** `Coverage/<id>` the request's first insurance entry names, if any. */
export function coverageIdOf(request: Json): string | undefined {
  const ins = Array.isArray(request.insurance) ? (request.insurance as Json[]) : [];
  const ref = (ins[0]?.coverage as Json | undefined)?.reference;
  const m = typeof ref === 'string' ? /^Coverage\/([A-Za-z0-9\-.]{1,64})$/.exec(ref) : null;
  return m?.[1];
}

/** Is `coverage` in force on `date` (active, and its period covers the date)? With the reason. */
export function inForce(coverage: Json, date: string): { inforce: boolean; reason: string } {
  if (coverage.status !== 'active') return { inforce: false, reason: `the coverage is ${String(coverage.status)}` };
  const p = coverage.period as Json | undefined;
  const start = typeof p?.start === 'string' ? p.start.slice(0, 10) : undefined;
  const end = typeof p?.end === 'string' ? p.end.slice(0, 10) : undefined;
  if (start && date < start) return { inforce: false, reason: `the coverage starts ${start}, after ${date}` };
  if (end && date > end) return { inforce: false, reason: `the coverage ended ${end}, before ${date}` };
  return { inforce: true, reason: `in force on ${date}` };
}

export function eligibilityResponseOf(request: Json, input: { id: string; insurer: string; coverage?: Json; coverageId?: string; date: string; created: string }): Json {
  const base = {
    resourceType: 'CoverageEligibilityResponse',
    id: input.id,
    status: 'active',
    purpose: Array.isArray(request.purpose) && request.purpose.length ? request.purpose : ['validation'],
    patient: request.patient,
    servicedDate: input.date,
    created: input.created,
    request: { identifier: { system: 'urn:carechain:eligibility', value: input.id } },
    insurer: { identifier: { system: 'urn:carechain:org', value: input.insurer } },
  };
  if (!input.coverage) {
    return { ...base, outcome: 'error', disposition: 'coverage not found', error: [{ code: { text: input.coverageId ? `Coverage/${input.coverageId} is not held by this insurer` : 'the request names no Coverage' } }] };
  }
  const f = inForce(input.coverage, input.date);
  return {
    ...base,
    outcome: 'complete',
    disposition: f.reason,
    insurance: [{ coverage: { reference: `Coverage/${input.coverageId}` }, inforce: f.inforce, ...(input.coverage.period ? { benefitPeriod: input.coverage.period } : {}) }],
  };
}
