/** Credentials API: issue and change status (issuers), present and verify, directory, exclusions. */
import type { FastifyInstance } from 'fastify';
import type { Hex } from 'viem';
import { z } from 'zod';
import { callerOf, type Gate } from '../http/gate.ts';
import { documented, routeOptions } from '../http/openapi.ts';
import { parse } from '../http/parse.ts';
import { DomainError } from '../shared/errors.ts';
import type { CredentialService } from './service.ts';
import { issueInputSchema } from './vc.ts';

const jws = z.object({ credential: z.string().min(20).max(20_000) }).strict();
const uint = z.union([z.string().regex(/^\d{1,30}$/), z.number().int().nonnegative()]).transform((v) => BigInt(v));
const presentation = z
  .object({
    credential: z.string().min(20).max(20_000),
    /** The practitioner's EIP-712 signature naming this organization (GET /api/credentials/affiliation-terms/:holder). */
    affiliation: z.object({ until: uint, nonce: uint, signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, 'a 65-byte signature') }).strict(),
  })
  .strict();
const statusPath = z.object({ id: z.string().regex(/^0x[0-9a-f]{64}$/, 'a credential id (32 bytes hex)'), action: z.enum(['suspend', 'reinstate', 'revoke']) });

export function credentialRoutes(app: FastifyInstance, credentials: CredentialService, gate: Gate): void {
  app.post('/api/credentials/issue', routeOptions(gate.roles(), documented({ summary: 'sign a credential and register it (holder, document hash) on the ledger; the issuer must be scoped for its type and jurisdiction', access: 'operator of an issuer', body: issueInputSchema, status: 201 })), async (req, reply) => reply.code(201).send(await credentials.issue(callerOf(req), parse(issueInputSchema, req.body, 'credential'))));

  app.post('/api/credentials/:id/:action', routeOptions(gate.roles(), documented({ summary: 'suspend, reinstate or revoke a credential (its issuer only), effective from its block', access: 'operator of the issuer' })), async (req) => {
    const p = parse(statusPath, req.params, 'credential');
    return credentials.changeStatus(callerOf(req), p.id as Hex, p.action);
  });

  // Anyone authenticated may verify a credential against this node's index of the ledger.
  app.post('/api/credentials/verify', routeOptions(gate.roles('clinician', 'staff', 'privacy-officer', 'patient'), documented({ summary: 'verify a credential against the ledger (signature, issuer scope, window, status, document hash, holder, exclusion)', access: 'any role, patient', body: jws })), async (req) => credentials.verify(callerOf(req), parse(jws, req.body, 'credential').credential));

  app.get('/api/credentials/affiliation-terms/:holder', routeOptions(gate.authenticated(), documented({ summary: 'the EIP-712 domain, organization and nonce a practitioner signs an affiliation with', access: 'any session' })), async (req) => {
    const { holder } = parse(z.object({ holder: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "the practitioner's key address") }), req.params, 'path');
    return credentials.affiliationTerms(holder as Hex);
  });

  app.post('/api/credentials/present', routeOptions(gate.roles('staff'), documented({ summary: "record a practitioner's licence here with their signed affiliation to this organization (on the ledger)", access: 'staff', body: presentation, status: 201 })), async (req, reply) => {
    const b = parse(presentation, req.body, 'presentation');
    return reply.code(201).send(await credentials.present(callerOf(req), b.credential, { ...b.affiliation, signature: b.affiliation.signature as Hex }));
  });

  app.get('/api/credentials/directory', routeOptions(gate.roles('clinician', 'staff', 'privacy-officer'), documented({ summary: 'practitioners and the verification state of each credential', access: 'clinician, staff, privacy-officer' })), async () => ({
    indexedBlock: credentials.indexedBlock,
    practitioners: (await credentials.directory()).map(({ verification: _v, ...entry }) => entry),
  }));

  app.register(async (csv) => {
    csv.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 200 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    csv.post('/api/exclusions/import', gate.roles(), async (req) => {
      if (typeof req.body !== 'string') throw new DomainError('unsupported-media', 'send the LEIE file as text/csv');
      return credentials.importExclusions(callerOf(req), req.body);
    });
  });
}
