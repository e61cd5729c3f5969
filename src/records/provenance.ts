import type { Resource } from '../fhir/types.ts';
import type { VersionRow } from './store.ts';

/** Who wrote what, derived from the version's log entry (no second write per version). */
export function provenanceOf(r: VersionRow, org: string): Resource {
  return {
    resourceType: 'Provenance',
    id: `${r.type}-${r.id}-${r.version}`,
    target: [{ reference: `${r.type}/${r.id}/_history/${r.version}` }],
    recorded: r.last_updated,
    activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: r.op === 'create' ? 'CREATE' : r.op === 'delete' ? 'DELETE' : 'UPDATE' }] },
    agent: [
      { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author' }] }, who: { reference: r.author } },
      { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'custodian' }] }, who: { display: org } },
    ],
    entity: [{ role: 'source', what: { identifier: { system: 'urn:carechain:record-log', value: String(r.leaf_index) } } }],
  };
}
