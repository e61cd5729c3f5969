/**
 * Grants on the ledger as FHIR Consent (read-only: consent changes are patient-signed). A patient (or
 * proxy) reads their own; staff and privacy officers read anyone's. Every read is audited.
 */
import type { FastifyInstance } from 'fastify';
import type { Address, Hex } from 'viem';
import { z } from 'zod';
import type { AuditTrail } from '../audit/trail.ts';
import type { Resource } from '../fhir/types.ts';
import { sendFhir } from '../http/fhir-surface.ts';
import { callerOf } from '../http/gate.ts';
import { parse } from '../http/parse.ts';
import type { Caller } from '../identity/principal.ts';
import type { GrantRow } from '../indexer/projectors/consent.ts';
import { decideFhir } from '../records/policy.ts';
import { forbidden, notFound } from '../shared/errors.ts';
import type { ConsentService } from './service.ts';

const searchQuery = z.object({ patient: z.string().regex(/^(?:Patient\/)?[A-Za-z0-9\-.]{1,64}$/, 'Patient/id').transform((p) => p.replace(/^Patient\//, '')) }).strict();

export class ConsentView {
  constructor(
    private readonly consent: ConsentService,
    private readonly audit: AuditTrail,
  ) {}

  /** A local patient's grants as Consent resources. */
  async ofPatient(caller: Caller, patientId: string, query: string): Promise<Resource[]> {
    const identity = await this.consent.identityOf(patientId);
    if (caller.principal.kind === 'patient') {
      if (!identity || !caller.principal.addresses!.includes(identity.address)) throw forbidden('a patient may read only their own consents');
    } else this.authorize(caller);
    const grants = identity ? await this.consent.grantsOf(identity.address) : [];
    const consents = await Promise.all(grants.map((g) => this.toFhir(g, patientId)));
    await this.audit.record(caller, { action: 'R', subtype: 'search-type', outcome: '0', patientId, query });
    return consents;
  }

  async byId(caller: Caller, grantId: string): Promise<Resource> {
    this.authorize(caller);
    const g = /^0x[0-9a-fA-F]{64}$/.test(grantId) ? await this.consent.grantById(grantId as Hex) : undefined;
    if (!g) throw notFound(`Consent/${grantId}`);
    const patientId = await this.consent.localPatientOf(g.patient as Address);
    await this.audit.record(caller, { action: 'R', subtype: 'read', outcome: '0', patientId, what: [`Consent/${g.grant_id}`] });
    return this.toFhir(g, patientId);
  }

  private authorize(caller: Caller): void {
    const d = decideFhir(caller.principal, 'consent', 'Consent', undefined);
    if (!d.allow) throw forbidden(d.reason);
  }

  private async toFhir(g: GrantRow, patientId: string | undefined): Promise<Resource> {
    const details = await this.consent.detailsOf(g.grant_id);
    const scope = details?.scope;
    const grantee = details && (await this.consent.participant(details.grantee.org));
    const revoked = g.revoked_block !== null && g.revoked_block <= this.consent.indexedBlock;
    const now = Date.now() / 1000;
    return {
      resourceType: 'Consent',
      id: g.grant_id,
      status: revoked || now >= g.expiry ? 'inactive' : 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
      ...(patientId ? { patient: { reference: `Patient/${patientId}` } } : {}),
      dateTime: new Date(g.start * 1000).toISOString(),
      identifier: [{ system: 'urn:carechain:consent-grant', value: g.grant_id }],
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
      provision: {
        type: 'permit',
        period: { start: new Date(g.start * 1000).toISOString(), end: new Date(g.expiry * 1000).toISOString() },
        actor: [
          {
            role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] },
            reference: grantee ? { reference: `Organization/${grantee.orgId}`, display: grantee.name + (details?.grantee.practitioner ? ` (${details.grantee.practitioner})` : '') } : { identifier: { system: 'urn:carechain:consent:grantee-commitment', value: g.grantee } },
          },
        ],
        purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: g.purpose }],
        ...(scope ? { class: scope.resourceTypes.map((t: string) => ({ system: 'http://hl7.org/fhir/resource-types', code: t })) } : {}),
        ...(scope?.sensitive?.length ? { securityLabel: scope.sensitive.map((s: string) => ({ system: 'urn:carechain:sensitive-class', code: s })) } : {}),
      },
      extension: [
        { url: 'urn:carechain:consent:scope-commitment', valueString: g.scope_hash },
        { url: 'urn:carechain:consent:granted-block', valueInteger: g.granted_block },
        ...(g.revoked_block !== null ? [{ url: 'urn:carechain:consent:revoked-block', valueInteger: g.revoked_block }] : []),
        { url: 'urn:carechain:consent:signer', valueString: g.signer },
      ],
    };
  }
}

export function consentFhirRoutes(fhir: FastifyInstance, view: ConsentView): void {
  fhir.get('/Consent', async (req, reply) => {
    const q = parse(searchQuery, Object.fromEntries(new URLSearchParams(req.url.split('?')[1] ?? '')), 'Consent search (takes patient=Patient/id)');
    const consents = await view.ofPatient(callerOf(req), q.patient, req.url);
    return sendFhir(reply, 200, { resourceType: 'Bundle', type: 'searchset', total: consents.length, entry: consents.map((r) => ({ fullUrl: `Consent/${r.id}`, resource: r, search: { mode: 'match' } })) });
  });
  fhir.get('/Consent/:id', async (req, reply) => sendFhir(reply, 200, await view.byId(callerOf(req), parse(z.object({ id: z.string().max(80) }), req.params, 'path').id)));
}
