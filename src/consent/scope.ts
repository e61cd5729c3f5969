/**
 * A consent scope: which resource types (and optionally categories) a grant releases, and which
 * sensitive classes it names explicitly. The document stays off-chain; its keccak256 over canonical
 * JSON is the grant's on-chain `scopeHash`, which reveals nothing about what it covers.
 */
import { keccak256, stringToHex, type Hex } from 'viem';
import { z } from 'zod';
import type { Resource } from '../fhir/types.ts';
import { canonicalJson } from '../shared/canonical-json.ts';
import { isResourceType } from '../fhir/search/index.ts';

/** Sensitive classes released only when a grant names them (HL7 v3 confidentiality and ActCode labels). */
export const SENSITIVE_CLASSES = ['restricted', 'mental-health', 'substance-use', 'hiv', 'reproductive'] as const;
export type SensitiveClass = (typeof SENSITIVE_CLASSES)[number];

/** meta.security codes (v3-Confidentiality R, v3-ActCode sensitivity) → class. */
const LABELS: Record<string, SensitiveClass> = {
  R: 'restricted',
  V: 'restricted',
  PSY: 'mental-health',
  PSYTHPN: 'mental-health',
  ETH: 'substance-use',
  ETHUD: 'substance-use',
  OPIOIDUD: 'substance-use',
  HIV: 'hiv',
  SEX: 'reproductive',
  SDV: 'reproductive',
};

export const scopeSchema = z
  .object({
    resourceTypes: z.array(z.string().refine(isResourceType, 'a FHIR R4 resource type')).min(1).max(200),
    categories: z.array(z.string().min(1).max(100)).max(50).optional(),
    sensitive: z.array(z.enum(SENSITIVE_CLASSES)).max(SENSITIVE_CLASSES.length).optional(),
  })
  .strict();
export type Scope = z.infer<typeof scopeSchema>;

export function scopeHash(scope: Scope): Hex {
  const normalized = {
    resourceTypes: [...new Set(scope.resourceTypes)].sort(),
    ...(scope.categories?.length ? { categories: [...new Set(scope.categories)].sort() } : {}),
    ...(scope.sensitive?.length ? { sensitive: [...new Set(scope.sensitive)].sort() } : {}),
  };
  return keccak256(stringToHex(canonicalJson(normalized)));
}

/** The sensitive classes a resource carries, from its security labels. */
export function sensitivityOf(resource: Resource): SensitiveClass[] {
  const out = new Set<SensitiveClass>();
  for (const label of resource.meta?.security ?? []) {
    const c = label.code ? LABELS[label.code] : undefined;
    if (c) out.add(c);
  }
  return [...out];
}

function categoryCodes(resource: Resource): string[] {
  const cats = (resource.category as { coding?: { code?: string }[] }[] | { coding?: { code?: string }[] } | undefined) ?? [];
  return (Array.isArray(cats) ? cats : [cats]).flatMap((c) => (c.coding ?? []).map((x) => x.code ?? '')).filter(Boolean);
}

/** Does the scope release this resource? Patient demographics come with any scope. */
export function scopeReleases(scope: Scope, resource: Resource): boolean {
  if (resource.resourceType !== 'Patient' && !scope.resourceTypes.includes(resource.resourceType as never)) return false;
  if (scope.categories?.length && resource.resourceType !== 'Patient') {
    const cats = categoryCodes(resource);
    if (!cats.some((c) => scope.categories!.includes(c))) return false;
  }
  return sensitivityOf(resource).every((s) => scope.sensitive?.includes(s));
}
