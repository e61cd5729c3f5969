/**
 * A study's protocol version as registered: the ResearchStudy resource, the protocol document, the
 * pre-specified outcomes (ClinicalTrials.gov "Outcome Measures"; SPIRIT 2013 item 12) and the data
 * scope subjects consent to. Its hash (keccak256 of its canonical JSON, RFC 8785-style key order from
 * shared/canonical-json.ts) is what the TrialRegistry keeps, so any change to any of these four is a
 * new version, never a silent edit.
 *
 * The consent that enrols a subject names the study and the version through the grant's grantee: the
 * EIP-712 grant commits (salted) to the grantee id keccak256("<sponsor orgId>/ResearchStudy/<id>/_protocol/<v>"),
 * the same construction as a practitioner grantee (consent/commitments.ts), with purpose HRESCH.
 * See docs/design-notes.md "Research consent names the study and protocol version".
 */
import { createHmac } from 'node:crypto';
import { keccak256, stringToHex, type Hex } from 'viem';
import { z } from 'zod';
import { scopeSchema, type Scope } from '../../consent/scope.ts';
import { canonicalJson } from '../../shared/canonical-json.ts';
import type { RegisteredOutcome } from '../outcomes/types.ts';

export const outcomeSchema = z
  .object({
    id: z.string().min(1).max(100).optional(),
    name: z.string().min(1).max(500),
    measure: z.string().max(1000),
    timeFrame: z.string().max(200),
    kind: z.enum(['primary', 'secondary']),
  })
  .strict();

/** What a sponsor registers (and amends): all of it is hashed into the protocol version. */
export const protocolInputSchema = z
  .object({
    /** The protocol document (text, or a base64 PDF): hashed with the rest, kept off chain. */
    document: z.string().min(1).max(2_000_000),
    outcomes: z.array(outcomeSchema).min(1).max(200),
    /** The data subjects consent to release for the study. */
    scope: scopeSchema,
  })
  .strict();
export type ProtocolInput = z.infer<typeof protocolInputSchema>;

/** One registered protocol version, as hashed. */
export interface ProtocolVersionDoc {
  study: Record<string, unknown>;
  document: string;
  outcomes: RegisteredOutcome[];
  scope: Scope;
}

/** keccak256 of the canonical JSON of the version (the ResearchStudy without its meta, which the store rewrites). */
export function protocolHash(v: ProtocolVersionDoc): Hex {
  const { meta: _meta, ...study } = v.study as { meta?: unknown };
  return keccak256(stringToHex(canonicalJson({ study, document: v.document, outcomes: v.outcomes, scope: v.scope })));
}

/** keccak256 of an amendment's stated reason. */
export const reasonHash = (reason: string): Hex => keccak256(stringToHex(`carechain:amendment-reason:v1\0${reason}`));

/** A study's on-chain id, from its sponsor and its ResearchStudy id (any node can compute it). */
export const studyIdOf = (sponsor: Hex, researchStudyId: string): Hex => keccak256(stringToHex(`carechain:study:v1:${sponsor.toLowerCase()}/ResearchStudy/${researchStudyId}`));

/** The grantee label a research consent names (in the disclosure's `practitioner` slot): the study and the protocol version. */
export const studyGranteeLabel = (researchStudyId: string, version: number): string => `ResearchStudy/${researchStudyId}/_protocol/${version}`;

/**
 * A subject's per-study tag: HMAC-SHA256(study secret, patient id). Only the site holding the secret
 * can recompute it; tags of one patient in two studies are unlinkable.
 */
export const subjectTagOf = (studySecret: Buffer, patientId: string): Hex => `0x${createHmac('sha256', studySecret).update(`carechain:subject:v1\0${patientId}`).digest('hex')}`;

/** Does a consent scope cover everything the study's scope asks for? */
export function scopeCovers(granted: Scope, needed: Scope): string | undefined {
  const missing = needed.resourceTypes.filter((t) => !granted.resourceTypes.includes(t));
  if (missing.length) return `the consent does not cover ${missing.join(', ')}`;
  if (granted.categories?.length && !(needed.categories ?? []).every((c) => granted.categories!.includes(c))) return 'the consent is narrower (categories) than the study needs';
  return undefined;
}

/**
 * Does an amendment change what subjects agreed to? The sponsor says so (a new procedure, risk or use
 * in the document is theirs to judge: 45 CFR 46.116, ICH E6(R2) §4.8.2); a wider data scope always
 * does, whatever the sponsor says, because the consent's scope no longer covers it.
 */
export function requiresReconsent(prev: Scope, next: Scope, stated: boolean): { reconsent: boolean; forcedBy?: string } {
  const wider = scopeCovers(prev, next);
  const sensitive = (next.sensitive ?? []).filter((s) => !(prev.sensitive ?? []).includes(s));
  if (wider) return { reconsent: true, forcedBy: `the data scope widens: ${wider.replace('the consent does not cover', 'adds')}` };
  if (sensitive.length) return { reconsent: true, forcedBy: `the data scope adds sensitive classes ${sensitive.join(', ')}` };
  return { reconsent: stated };
}
