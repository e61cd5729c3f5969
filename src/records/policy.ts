/**
 * What each role may do with the records of its own node. Access by other organizations is decided by
 * consent (consent/pdp.ts); this is the custodian's own staff, by role. Pure: unit-tested beside it.
 */
import { hasRole, type Principal } from '../identity/principal.ts';

/**
 * Administrative resources that front-desk staff handle (demographics, the directory, scheduling,
 * coverage); every other R4 type is clinical.
 */
const ADMINISTRATIVE = new Set([
  'Patient', 'Practitioner', 'PractitionerRole', 'Organization', 'Location', 'HealthcareService', 'Endpoint', 'Encounter',
  'Appointment', 'AppointmentResponse', 'Schedule', 'Slot', 'Coverage', 'RelatedPerson', 'Person',
]);
/** The practitioner and organization directory stays readable to a clinician without a valid licence. */
const DIRECTORY = new Set(['Practitioner', 'Organization', 'PractitionerRole', 'Location', 'HealthcareService', 'Endpoint']);

export type FhirInteraction = 'read' | 'search' | 'history' | 'write' | 'everything' | 'erase' | 'verify' | 'provenance' | 'consent' | 'bundle';

export type Decision = { allow: true } | { allow: false; reason: string };

/**
 * May `p` perform `interaction` on `type`? `licenceProblem` is why a clinician holds no valid licence
 * now (undefined when they do).
 */
export function decideFhir(p: Principal, interaction: FhirInteraction, type: string | undefined, licenceProblem: string | undefined): Decision {
  if (p.kind === 'patient') return { allow: false, reason: 'patients read their records through the patient API (consent and audit views), not the clinical FHIR API' };
  if (p.roles.includes('admin')) return { allow: true };
  if (p.roles.includes('clinician') && interaction !== 'erase') {
    // Only licensed, non-excluded practitioners touch patient data (the directory stays readable).
    if (licenceProblem && !(type && DIRECTORY.has(type) && (interaction === 'read' || interaction === 'search' || interaction === 'history'))) return { allow: false, reason: licenceProblem };
    return { allow: true };
  }
  const ok = (() => {
    switch (interaction) {
      case 'read':
      case 'search':
      case 'history':
      case 'write':
        return p.roles.includes('staff') && !!type && ADMINISTRATIVE.has(type);
      case 'erase':
      case 'provenance':
        return hasRole(p, 'privacy-officer');
      case 'consent':
      case 'verify':
        return hasRole(p, 'privacy-officer', 'staff');
      case 'everything':
      case 'bundle':
        return false;
    }
  })();
  return ok ? { allow: true } : { allow: false, reason: `role ${p.roles.join(', ')} may not ${interaction}${type ? ` ${type}` : ''}` };
}
