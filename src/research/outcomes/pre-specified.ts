/**
 * Which protocol version's outcomes count as pre-specified: the last version in force before the
 * trial started enrolling (COMPare compared against the registry entry and protocol current at the
 * start of the trial; ICMJE requires registration before the first participant is enrolled).
 * Outcomes added by later versions are changes that a report must declare.
 */
import { invalid, unprocessable } from '../../shared/errors.ts';
import type { ProtocolVersion } from './types.ts';

/** The version in force on `enrolmentStart` (ISO date): the latest with `effectiveDate` ≤ it. */
export function preSpecifiedVersion(versions: readonly ProtocolVersion[], enrolmentStart: string): ProtocolVersion {
  const start = Date.parse(enrolmentStart);
  if (Number.isNaN(start)) throw invalid(`enrolment start "${enrolmentStart}" is not an ISO date`);
  let best: ProtocolVersion | undefined;
  for (const v of versions) {
    const t = Date.parse(v.effectiveDate);
    if (Number.isNaN(t)) throw invalid(`protocol version ${v.version} has effectiveDate "${v.effectiveDate}", not an ISO date`);
    if (t <= start && (best === undefined || t >= Date.parse(best.effectiveDate))) best = v;
  }
  if (best === undefined) {
    throw unprocessable(`no protocol version was in force on ${enrolmentStart} (first: ${versions.map((v) => v.effectiveDate).sort()[0] ?? 'none'}); the trial's outcomes were not pre-specified`, 'not-pre-specified');
  }
  return best;
}
