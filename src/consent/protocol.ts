/**
 * The consent messages: a relayed grant with what the patient discloses to open its commitments, and
 * the notice the custodian sends the grantee (organization to organization, signed) so it can ask for
 * the records later. zod schemas shared by the routes and the services.
 */
import { getAddress } from 'viem';
import { z } from 'zod';
import { PURPOSES } from '../chain/ids.ts';
import { envelopeFields } from '../identity/org-requests.ts';
import { scopeSchema } from './scope.ts';

export const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, '32 bytes hex').transform((s) => s.toLowerCase() as `0x${string}`);
export const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'an address').transform((a) => getAddress(a));
export const signature = z.string().regex(/^0x[0-9a-fA-F]{130}$/, 'a 65-byte signature').transform((s) => s as `0x${string}`);
export const uint = z.union([z.string().regex(/^\d{1,30}$/), z.number().int().nonnegative()]).transform((v) => BigInt(v));

export const disclosureSchema = z
  .object({
    salt: hex32,
    grantee: z.object({ org: hex32, practitioner: z.string().regex(/^(Practitioner\/[A-Za-z0-9\-.]{1,64}|ResearchStudy\/[A-Za-z0-9\-.]{1,64}\/_protocol\/[1-9][0-9]{0,8})$/, "Practitioner/<id>, or ResearchStudy/<id>/_protocol/<version> for a research consent").optional() }).strict(),
    scope: scopeSchema,
  })
  .strict();

/** The patient's address at the grantee, with their signature over the notice message (links the two for the grantee only). */
export const granteePatientSchema = z.object({ address, signature }).strict();

export const grantRelaySchema = z
  .object({
    grant: z.object({ patient: address, grantee: hex32, scopeHash: hex32, purpose: z.number().int().min(0).max(PURPOSES.length - 1), start: uint, expiry: uint, nonce: uint }).strict(),
    signature,
    disclosure: disclosureSchema,
    granteePatient: granteePatientSchema.optional(),
  })
  .strict();

/** What the patient's key at the grantee signs so the grantee may link it to the grant. */
export const noticeMessage = (grantId: string, patientAtCustodian: string) => `carechain:consent-notice:v1:${grantId.toLowerCase()}:${patientAtCustodian.toLowerCase()}`;

export const NOTICE_PURPOSE = 'consent-notice';

export const noticeSchema = z
  .object({
    requester: z.string().regex(envelopeFields.requester),
    audience: z.string().regex(envelopeFields.audience),
    timestamp: z.number().int(),
    nonce: z.string().regex(envelopeFields.nonce),
    grantId: hex32,
    patient: address,
    disclosure: disclosureSchema,
    granteePatient: granteePatientSchema.optional(),
    minBlock: z.number().int().nonnegative(),
  })
  .strict();
export type Notice = z.infer<typeof noticeSchema>;
