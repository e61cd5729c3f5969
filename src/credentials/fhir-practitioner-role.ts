/**
 * The practitioner directory as FHIR PractitionerRole, each with its credential's verification state
 * now (virtual: derived from the presented credentials and the indexed ledger).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Resource } from '../fhir/types.ts';
import { sendFhir } from '../http/fhir-surface.ts';
import { callerOf } from '../http/gate.ts';
import { parse } from '../http/parse.ts';
import { decideFhir } from '../records/policy.ts';
import { forbidden } from '../shared/errors.ts';
import type { CredentialService, DirectoryEntry } from './service.ts';

const query = z.object({ practitioner: z.string().regex(/^Practitioner\/[A-Za-z0-9\-.]{1,64}$/, 'Practitioner/id').optional() }).strict();

export function practitionerRoleRoute(fhir: FastifyInstance, credentials: CredentialService, org: string): void {
  fhir.get('/PractitionerRole', async (req, reply) => {
    // The directory is readable to whoever may read Practitioners (a clinician even without a licence).
    const d = decideFhir(callerOf(req).principal, 'read', 'Practitioner', undefined);
    if (!d.allow) throw forbidden(d.reason);
    const q = parse(query, Object.fromEntries(new URLSearchParams(req.url.split('?')[1] ?? '')), 'PractitionerRole search (takes practitioner=Practitioner/id)');
    const roles = (await credentials.directory(q.practitioner)).map((e) => toPractitionerRole(e, org));
    return sendFhir(reply, 200, { resourceType: 'Bundle', type: 'searchset', total: roles.length, entry: roles.map((r) => ({ fullUrl: `PractitionerRole/${r.id}`, resource: r, search: { mode: 'match' } })) });
  });
}

function toPractitionerRole(e: DirectoryEntry, org: string): Resource {
  const v = e.verification;
  const c = v.claims!;
  return {
    resourceType: 'PractitionerRole',
    id: c.credentialStatus.id.slice(2, 66),
    active: v.valid,
    period: { start: c.validFrom, end: c.validUntil },
    practitioner: { reference: e.practitioner, display: c.credentialSubject.name },
    organization: { display: org },
    code: [{ coding: [{ system: 'urn:carechain:credential-type', code: e.type }], text: `${e.type} ${c.credentialSubject.credential.jurisdiction} ${c.credentialSubject.credential.number}` }],
    ...(c.credentialSubject.credential.specialty ? { specialty: [{ text: c.credentialSubject.credential.specialty }] } : {}),
    extension: [
      {
        url: 'urn:carechain:credential-verification',
        extension: [
          { url: 'valid', valueBoolean: v.valid },
          { url: 'status', valueCode: v.status ?? 'unknown' },
          { url: 'issuer', valueString: v.issuer?.name ?? c.issuer },
          { url: 'indexedBlock', valueInteger: v.indexedBlock },
          ...v.problems.map((p) => ({ url: 'problem', valueString: p })),
        ],
      },
    ],
  };
}
