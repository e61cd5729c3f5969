/**
 * Record exchange between organizations. The requester signs its request like every organization-to-
 * organization request (identity/org-requests.ts: EIP-191 over SHA-256 of a purpose tag and the body,
 * naming the audience, a time and a single-use nonce). It names the grant it relies on and the salt the
 * patient disclosed, so the custodian can open the grant's commitments; or, in an emergency, a
 * break-glass reason and a reference (id and document hash) to the clinician's licence — never the
 * licence itself. The custodian answers with ciphertexts whose data keys are re-wrapped to the
 * requester's registered X25519 key, each with its record-log inclusion proof to an anchored root.
 */
import { z } from 'zod';
import type { Hex } from 'viem';
import { PURPOSES } from '../chain/ids.ts';
import { scopeSchema } from '../consent/scope.ts';
import { envelopeFields } from '../identity/org-requests.ts';

export const EXCHANGE_PURPOSE = 'exchange';

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/);

export const exchangeRequestSchema = z
  .object({
    requester: z.string().regex(envelopeFields.requester),
    audience: z.string().regex(envelopeFields.audience),
    timestamp: z.number().int(),
    nonce: z.string().regex(envelopeFields.nonce),
    practitioner: z.string().regex(/^Practitioner\/[A-Za-z0-9\-.]{1,64}$/).optional(),
    /** The patient's address at this custodian. */
    patient: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    purpose: z.enum(PURPOSES),
    scope: scopeSchema,
    /** The grant relied on, and the salt the patient disclosed to open its commitments. */
    grant: z.object({ id: hex32, salt: hex32 }).strict().optional(),
    /** Break-glass: purpose ETREAT with a stated reason, by a named practitioner, without a grant. */
    breakGlass: z.object({ reason: z.string().min(10).max(500) }).strict().optional(),
    /** The practitioner's medical licence by reference: its ledger id and the hash of the document. */
    credential: z.object({ id: hex32, hash: hex32 }).strict().optional(),
    /** The requester has seen the ledger up to this block: decide on an index at least that recent. */
    minBlock: z.number().int().nonnegative().optional(),
  })
  .strict();
export type ExchangeRequest = z.infer<typeof exchangeRequestSchema>;

export interface ExchangeEntry {
  type: string;
  id: string;
  version: number;
  ciphertext: string; // base64
  wrappedKey: string; // base64, AES-GCM under the key agreed with `epk`
  leafIndex: number;
  leaf: string; // base64 canonical leaf
  proof: Hex[];
  anchor: { index: number; treeSize: number; root: Hex; blockNumber: number };
}

export interface ExchangeResponse {
  custodian: Hex;
  indexedBlock: number;
  grantId: Hex | null;
  epk: string; // base64 ephemeral X25519 public key of the custodian for this response
  entries: ExchangeEntry[];
  /** Versions newer than the custodian's latest anchor: withheld until they can be proven. */
  pendingAnchor: number;
  /** Set when access was granted by break-glass: the ledger flag and until when it holds. */
  breakGlass?: { accessId: Hex; until: number; txHash: Hex };
}

/** How long a break-glass access lasts before it must be stated (and flagged) again. */
export const BREAK_GLASS_SECONDS = 60 * 60;
