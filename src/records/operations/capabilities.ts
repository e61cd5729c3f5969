import { SUPPORTED_TYPES } from '../../fhir/search-params.ts';

/** The CapabilityStatement served at /fhir/metadata. */
export function capabilityStatement(baseUrl: string, org: string) {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    software: { name: 'Carechain', version: '0.1.0' },
    implementation: { description: `Carechain node of ${org}`, url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        security: { description: 'Bearer token required for every interaction except metadata.' },
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        resource: [
          ...SUPPORTED_TYPES.map((type) => ({
            type,
            versioning: 'versioned-update',
            readHistory: true,
            updateCreate: true,
            conditionalUpdate: false,
            interaction: ['read', 'vread', 'update', 'delete', 'history-instance', 'create', 'search-type'].map((code) => ({ code })),
            searchParam: [
              { name: '_id', type: 'token' },
              { name: '_lastUpdated', type: 'date' },
              ...(type === 'Patient' ? [{ name: 'birthdate', type: 'date' }] : []),
              ...(['Patient', 'Practitioner', 'Organization'].includes(type) ? [] : [{ name: 'patient', type: 'reference' }, { name: 'code', type: 'token' }, { name: 'date', type: 'date' }]),
            ],
            ...(type === 'Patient' ? { operation: [{ name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' }, { name: 'erase', definition: 'urn:carechain:operation:erase' }] } : {}),
          })),
          { type: 'Provenance', interaction: [{ code: 'search-type' }], searchParam: [{ name: 'target', type: 'reference' }] },
        ],
        operation: [{ name: 'verify', definition: 'urn:carechain:operation:verify' }],
      },
    ],
  };
}

/** GET /fhir/metadata (public). */
export function metadataRoute(fhir: import('fastify').FastifyInstance, org: string): void {
  fhir.get('/metadata', async (req, reply) => reply.code(200).type('application/fhir+json; charset=utf-8').send(capabilityStatement(`${req.protocol}://${req.host}/fhir`, org)));
}
