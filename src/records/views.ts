/**
 * Resource types whose FHIR endpoints belong to another feature (registered on the same FHIR surface
 * before the record routes): the record store does not write them, so a stored copy can never
 * disagree with the feature's view. The CapabilityStatement lists what those views do.
 */
export const FEATURE_VIEWS: Readonly<Record<string, { reason: string; interactions: readonly string[]; searchParams: readonly { name: string; type: string; documentation: string }[] }>> = {
  Consent: {
    reason: 'Consent at this node is the view of the patient-signed grants on the ledger: record a consent with POST /api/consent/relay or /api/consent/grant',
    interactions: ['read', 'search-type'],
    searchParams: [{ name: 'patient', type: 'reference', documentation: 'Patient/id (required): the patient\'s grants from the indexed ledger' }],
  },
  PractitionerRole: {
    reason: 'PractitionerRole at this node is the view of verified practitioner credentials: present a credential with POST /api/credentials/present',
    interactions: ['search-type'],
    searchParams: [{ name: 'practitioner', type: 'reference', documentation: 'Practitioner/id: the credentials that practitioner presented here' }],
  },
};
