/**
 * W3C Verifiable Credentials 2.0 secured with JOSE (`jose`): a compact JWS (`typ: vc+jwt`, ES256K)
 * signed with the issuer organization's registered secp256k1 key, whose public JWK travels in the
 * header; verifiers match its address to the issuer's signer in the ParticipantRegistry.
 */
import { randomBytes } from 'node:crypto';
import { CompactSign, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { getAddress, keccak256, stringToHex, type Hex } from 'viem';
import { publicKeyToAddress } from 'viem/accounts';
import type { PrivateKeyAccount } from 'viem/accounts';
import { z } from 'zod';
import { CREDENTIAL_TYPES, isValidNpi, type CredentialType } from './types.ts';

export const VC_CONTEXT = 'https://www.w3.org/ns/credentials/v2';

export const issueInputSchema = z
  .object({
    type: z.enum(CREDENTIAL_TYPES),
    jurisdiction: z.string().regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'an ISO 3166 code such as US-CA'),
    subject: z.object({
      practitioner: z.string().regex(/^Practitioner\/[A-Za-z0-9\-.]{1,64}$/, 'a Practitioner reference, e.g. Practitioner/house'),
      name: z.string().min(1).max(200),
      npi: z.string().refine(isValidNpi, 'not a valid NPI (10 digits, Luhn check digit with prefix 80840)').optional(),
      /** The practitioner's own key (address): affiliations with an organization are signed with it. */
      holder: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "the practitioner's key address (carechain practitioner keygen)"),
    }).strict(),
    number: z.string().min(1).max(64),
    specialty: z.string().max(200).optional(),
    validFrom: z.iso.datetime({ offset: true }),
    validUntil: z.iso.datetime({ offset: true }),
  })
  .strict()
  .refine((v) => Date.parse(v.validUntil) > Date.parse(v.validFrom), { message: 'validUntil must be after validFrom', path: ['validUntil'] })
  .refine((v) => v.type !== 'npi' || v.subject.npi !== undefined, { message: 'an NPI credential needs subject.npi', path: ['subject', 'npi'] });
export type IssueInput = z.infer<typeof issueInputSchema>;

export interface CredentialClaims {
  '@context': string[];
  type: string[];
  id: string;
  issuer: string;
  validFrom: string;
  validUntil: string;
  credentialSubject: { id: string; name: string; npi?: string; holder: string; credential: { type: CredentialType; jurisdiction: string; number: string; specialty?: string } };
  credentialStatus: { id: string; type: 'CarechainCredentialStatus' };
}

function publicJwk(account: PrivateKeyAccount, privateKey?: Hex): JWK {
  const pub = Buffer.from(account.publicKey.slice(4), 'hex'); // uncompressed: 0x04 ‖ x ‖ y
  return {
    kty: 'EC',
    crv: 'secp256k1',
    x: pub.subarray(0, 32).toString('base64url'),
    y: pub.subarray(32).toString('base64url'),
    ...(privateKey ? { d: Buffer.from(privateKey.slice(2), 'hex').toString('base64url') } : {}),
  };
}

const TYPE_NAMES: Record<CredentialType, string> = {
  'medical-licence': 'MedicalLicenseCredential',
  'board-certification': 'BoardCertificationCredential',
  'dea-registration': 'DEARegistrationCredential',
  npi: 'NPICredential',
};

/** The hash the ledger keeps of a signed credential, so it can be referenced without being handed over. */
export const credentialDocumentHash = (jws: string): Hex => keccak256(stringToHex(jws));

/** Signs a credential; its status id is an opaque random hash (no personal data goes on chain). */
export async function signCredential(issuerOrgId: Hex, key: { account: PrivateKeyAccount; privateKey: Hex }, input: IssueInput): Promise<{ jws: string; credentialId: Hex; claims: CredentialClaims }> {
  const credentialId = keccak256(randomBytes(32));
  const claims: CredentialClaims = {
    '@context': [VC_CONTEXT],
    type: ['VerifiableCredential', TYPE_NAMES[input.type]],
    id: `urn:carechain:credential:${credentialId}`,
    issuer: `did:carechain:org:${issuerOrgId}`,
    validFrom: input.validFrom,
    validUntil: input.validUntil,
    credentialSubject: {
      id: input.subject.practitioner,
      name: input.subject.name,
      ...(input.subject.npi ? { npi: input.subject.npi } : {}),
      holder: getAddress(input.subject.holder),
      credential: { type: input.type, jurisdiction: input.jurisdiction, number: input.number, ...(input.specialty ? { specialty: input.specialty } : {}) },
    },
    credentialStatus: { id: credentialId, type: 'CarechainCredentialStatus' },
  };
  const signingKey = await importJWK(publicJwk(key.account, key.privateKey), 'ES256K');
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'ES256K', typ: 'vc+jwt', cty: 'vc', jwk: publicJwk(key.account) })
    .sign(signingKey);
  return { jws, credentialId, claims };
}

/** Checks the JWS signature with the key in its header; returns the claims and the signer's address. */
export async function openCredential(jws: string): Promise<{ claims: CredentialClaims; signer: Hex }> {
  const header = decodeProtectedHeader(jws);
  if (header.alg !== 'ES256K' || header.typ !== 'vc+jwt' || !header.jwk) throw new Error('not a Carechain VC-JOSE credential (alg ES256K, typ vc+jwt, jwk)');
  const jwk = header.jwk as JWK;
  if (jwk.kty !== 'EC' || jwk.crv !== 'secp256k1' || jwk.d) throw new Error('the header key is not a secp256k1 public key');
  const { payload } = await compactVerify(jws, await importJWK(jwk, 'ES256K'), { algorithms: ['ES256K'] });
  const uncompressed = `0x04${Buffer.from(jwk.x!, 'base64url').toString('hex')}${Buffer.from(jwk.y!, 'base64url').toString('hex')}` as Hex;
  return { claims: JSON.parse(new TextDecoder().decode(payload)) as CredentialClaims, signer: getAddress(publicKeyToAddress(uncompressed)) };
}
