/**
 * What each role may do on its own node. Access by other organizations is decided by consent (the
 * PDP in consent/pdp.ts); this is the custodian's own staff, by role.
 */
import { fhirError } from '../fhir/outcome.ts';
import type { Principal } from './principal.ts';
import { hasRole } from './principal.ts';

/** Administrative resources that front-desk staff handle; everything else is clinical. */
const ADMINISTRATIVE = new Set(['Patient', 'Practitioner', 'Organization', 'Encounter']);
const DIRECTORY = new Set(['Practitioner', 'Organization']);

export type FhirInteraction = 'read' | 'search' | 'write' | 'everything' | 'erase' | 'verify' | 'provenance' | 'consent' | 'bundle';

/** Throws a 403 FhirError unless the principal's roles allow the interaction on the type. */
export function authorizeFhir(p: Principal, interaction: FhirInteraction, type?: string): void {
  if (hasRole(p, 'clinician') && interaction !== 'erase') {
    // Only licensed, non-excluded practitioners touch patient data (the directory stays readable).
    if (p.licenceProblem && !(type && DIRECTORY.has(type) && (interaction === 'read' || interaction === 'search'))) {
      throw fhirError(403, 'forbidden', p.licenceProblem);
    }
    return;
  }
  const ok = (() => {
    switch (interaction) {
      case 'read':
      case 'search':
      case 'write':
        return p.roles.includes('staff') && !!type && ADMINISTRATIVE.has(type);
      case 'erase':
      case 'provenance':
        return hasRole(p, 'privacy-officer');
      case 'consent':
        return hasRole(p, 'privacy-officer', 'staff');
      case 'verify':
        return hasRole(p, 'privacy-officer', 'staff');
      case 'everything':
      case 'bundle':
        return false;
    }
  })();
  if (!ok) throw fhirError(403, 'forbidden', `role ${p.roles.join(', ')} may not ${interaction}${type ? ` ${type}` : ''}`);
}
