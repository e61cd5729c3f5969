/** The custodian's role policy, table-driven over roles, interactions and types. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Principal, Role } from '../identity/principal.ts';
import { decideFhir, type FhirInteraction } from './policy.ts';

const user = (...roles: (Role | 'patient')[]): Principal => ({ kind: roles.includes('patient') ? 'patient' : 'user', username: 'u', roles, practitioner: roles.includes('clinician') ? 'Practitioner/p' : null, agent: 'Practitioner/p' });

test('who may do what', () => {
  const cases: [string, Principal, FhirInteraction, string | undefined, string | undefined, boolean][] = [
    ['admin, anything', user('admin'), 'everything', 'Patient', undefined, true],
    ['admin erases', user('admin'), 'erase', 'Patient', undefined, true],
    ['licensed clinician reads clinical data', user('clinician'), 'read', 'Observation', undefined, true],
    ['licensed clinician writes clinical data', user('clinician'), 'write', 'Condition', undefined, true],
    ['unlicensed clinician reads clinical data', user('clinician'), 'read', 'Observation', 'no valid licence', false],
    ['unlicensed clinician still reads the directory', user('clinician'), 'search', 'Practitioner', 'no valid licence', true],
    ['unlicensed clinician may not write the directory', user('clinician'), 'write', 'Practitioner', 'no valid licence', false],
    ['clinician may not erase', user('clinician'), 'erase', 'Patient', undefined, false],
    ['staff register patients', user('staff'), 'write', 'Patient', undefined, true],
    ['staff read encounters', user('staff'), 'read', 'Encounter', undefined, true],
    ['staff may not read clinical data', user('staff'), 'read', 'Observation', undefined, false],
    ['staff may not run $everything', user('staff'), 'everything', 'Patient', undefined, false],
    ['staff verify proofs', user('staff'), 'verify', 'Observation', undefined, true],
    ['privacy officer erases', user('privacy-officer'), 'erase', 'Patient', undefined, true],
    ['privacy officer reads provenance', user('privacy-officer'), 'provenance', undefined, undefined, true],
    ['privacy officer may not read clinical data', user('privacy-officer'), 'read', 'Observation', undefined, false],
    ['a patient may not use the clinical API', user('patient'), 'read', 'Patient', undefined, false],
    ['nobody but admins posts Bundles', user('staff', 'privacy-officer'), 'bundle', undefined, undefined, false],
  ];
  for (const [what, p, interaction, type, licence, allow] of cases) {
    const d = decideFhir(p, interaction, type, licence);
    assert.equal(d.allow, allow, what);
    if (!d.allow) assert.ok(d.reason.length > 5, `${what}: says why`);
  }
});
