/**
 * The CapabilityStatement served at /fhir/metadata (R4 capabilitystatement.html), generated from the
 * same definitions the server runs on: every R4 resource type with the interactions the record
 * routes implement, and every search parameter the index serves (from the R4 SearchParameter
 * definitions, with how it is matched), `_include` / `_revinclude` targets from the reference
 * parameters, and the operations. Types owned by another feature's view (`views.ts`) list what
 * that view does. Nothing is listed that the server would refuse.
 */
import type { FastifyInstance } from 'fastify';
import { resourceTypes, searchParametersOf, type SearchParamDef } from '../../fhir/search/index.ts';
import { isNameLike } from '../index/forms.ts';
import { FEATURE_VIEWS } from '../views.ts';

/** Parameters the index does not serve (no expression, or no matching algorithm). */
const UNSERVED = new Set(['_text', '_content', '_query', '_list', '_has', '_type', '_filter', 'phonetic']);

const INTERACTIONS = ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create', 'search-type'];

function documentation(p: SearchParamDef): string {
  const modifiers = p.modifiers.filter((m) => m !== 'type').map((m) => `:${m}`);
  if (p.modifiers.includes('type')) modifiers.push(':[type]');
  const how = (() => {
    switch (p.type) {
      case 'string':
        return isNameLike(p)
          ? 'blinded normalised prefixes (12 characters; longer queries confirmed on the resource) and trigrams for :contains'
          : ':exact by blinded token; default and :contains confirmed on decrypted resources (needs other criteria narrowing to 2,000)';
      case 'token':
        return 'blinded tokens (code, system|code, |code, system|); :text confirmed on decrypted resources (needs other criteria narrowing to 2,000)';
      case 'special':
        return 'confirmed on decrypted resources (needs other criteria narrowing to 2,000)';
      default:
        return undefined;
    }
  })();
  return [p.description?.split('\n')[0], modifiers.length ? `Modifiers: ${modifiers.join(', ')}` : undefined, how].filter(Boolean).join('. ');
}

/**
 * What every type search supports beyond its parameters, and what it refuses (400 / not-supported),
 * as `src/fhir/search/query.ts` and `src/records/search/` implement it.
 */
const SEARCH_DOCUMENTATION = [
  'Search by GET or POST [type]/_search (form body). Repeated parameter = AND, comma = OR.',
  'Result parameters: _count (at most 1000; next/previous links by _offset, at most 100,000), _total (none | estimate | accurate),',
  '_sort (several keys, - for descending; date, number, quantity, _id, and name-like strings), _summary (true | text | data | count | false), _elements,',
  '_include and _revinclude (named parameters, optionally :[type]; :iterate one level), _format (json only), _pretty.',
  'Chaining one level (subject:Patient.name=…, patient.birthdate=…); _has one level (_has:Observation:patient:code=…).',
  'Not supported (400 not-supported): system-level search and _type, compartment search ([type]/[id]/[type]), _text, _content, _query, _filter, _list,',
  '_contained, _include=*, chains deeper than one level, nested _has, token :above/:below/:in/:not-in, reference :above/:below, string :text, phonetic.',
  'Searches whose criteria are confirmed on decrypted resources (string :contains beyond names, token :text, special) must be narrowed to 2,000 candidates by other criteria.',
].join(' ');

let cached: { type: string; searchParam: unknown[]; searchInclude: string[]; searchRevInclude: string[] }[] | undefined;

/** Per type: search parameters, includes and reverse includes (computed once). */
function searchCapabilities() {
  if (cached) return cached;
  const revinclude = new Map<string, string[]>();
  for (const t of resourceTypes()) {
    for (const p of searchParametersOf(t) ?? []) {
      if (p.type !== 'reference' || !p.indexed) continue;
      for (const target of p.targets) (revinclude.get(target) ?? revinclude.set(target, []).get(target)!).push(`${t}:${p.code}`);
    }
  }
  cached = resourceTypes().map((type) => {
    const params = (searchParametersOf(type) ?? []).filter((p) => p.indexed && !UNSERVED.has(p.code));
    return {
      type,
      searchParam: params.map((p) => ({ name: p.code, definition: p.url, type: p.type, documentation: documentation(p) })),
      searchInclude: params.filter((p) => p.type === 'reference').map((p) => `${type}:${p.code}`),
      searchRevInclude: revinclude.get(type) ?? [],
    };
  });
  return cached;
}

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
    patchFormat: ['application/json-patch+json'],
    rest: [
      {
        mode: 'server',
        security: { description: 'Bearer token required for every interaction except metadata.' },
        documentation: SEARCH_DOCUMENTATION,
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'history-system' }],
        resource: searchCapabilities().map((c) => {
          const view = FEATURE_VIEWS[c.type];
          if (view) {
            return { type: c.type, interaction: view.interactions.map((code) => ({ code })), searchParam: view.searchParams, documentation: view.reason };
          }
          return {
            type: c.type,
            profile: `http://hl7.org/fhir/StructureDefinition/${c.type}`,
            interaction: INTERACTIONS.map((code) => ({ code })),
            versioning: 'versioned-update',
            readHistory: true,
            updateCreate: true,
            conditionalCreate: true,
            conditionalRead: 'not-supported',
            conditionalUpdate: true,
            conditionalDelete: 'multiple',
            referencePolicy: ['literal', 'local'],
            searchInclude: c.searchInclude,
            searchRevInclude: c.searchRevInclude,
            searchParam: c.searchParam,
            ...(c.type === 'Patient'
              ? {
                  operation: [
                    { name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' },
                    { name: 'erase', definition: 'urn:carechain:operation:erase' },
                  ],
                }
              : {}),
            ...(c.type === 'Provenance' ? { documentation: 'Provenance?target=Type/id[/_history/v] alone answers from the record log (who wrote each version); other searches are over stored Provenance resources.' } : {}),
          };
        }),
        operation: [{ name: 'verify', definition: 'urn:carechain:operation:verify' }],
      },
    ],
  };
}

/** GET /fhir/metadata (public). */
export function metadataRoute(fhir: FastifyInstance, org: string): void {
  fhir.get('/metadata', async (req, reply) => reply.code(200).type('application/fhir+json; charset=utf-8').send(capabilityStatement(`${req.protocol}://${req.host}/fhir`, org)));
}
