import { keccak256, stringToHex, type Hex } from 'viem';

/** Organization kinds, in the order of `ParticipantRegistry.Kind` (index 0 is `None`). */
export const ORG_KINDS = [
  'hospital',
  'clinic',
  'lab',
  'pharmacy',
  'manufacturer',
  'distributor',
  'insurer',
  'licensing-board',
  'research-sponsor',
  'regulator',
] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

export function kindToChain(kind: OrgKind): number {
  return ORG_KINDS.indexOf(kind) + 1;
}

export function kindFromChain(value: number): OrgKind {
  const kind = ORG_KINDS[value - 1];
  if (!kind) throw new Error(`unknown organization kind ${value}`);
  return kind;
}

/** Log kinds, in the order of `AnchorRegistry.LogKind`. */
export const LOG_KINDS = ['records', 'audit', 'supply', 'claims', 'trials'] as const;
export type LogKind = (typeof LOG_KINDS)[number];

export function logKindToChain(kind: LogKind): number {
  return LOG_KINDS.indexOf(kind);
}

export function logKindFromChain(value: number): LogKind {
  const kind = LOG_KINDS[value];
  if (!kind) throw new Error(`unknown log kind ${value}`);
  return kind;
}

/** An organization's on-chain id is derived from its slug, so any node can compute it. */
export function orgIdOf(slug: string): Hex {
  return keccak256(stringToHex(`carechain:org:${slug}`));
}

/** A log's on-chain id is derived from its name within the organization (e.g. `records`, `audit`). */
export function logIdOf(name: string): Hex {
  return keccak256(stringToHex(`carechain:log:${name}`));
}

/** HL7 v3 PurposeOfUse codes, in the order of `ConsentRegistry.Purpose`. */
export const PURPOSES = ['TREAT', 'HPAYMT', 'HOPERAT', 'HRESCH', 'ETREAT'] as const;
export type PurposeCode = (typeof PURPOSES)[number];

export const purposeToChain = (p: PurposeCode) => PURPOSES.indexOf(p);

export function purposeFromChain(n: number): PurposeCode {
  const p = PURPOSES[n];
  if (!p) throw new Error(`unknown purpose ${n}`);
  return p;
}
