/**
 * A consent scope: which resource types (and optionally categories) a grant releases, and which
 * sensitive classes it names explicitly. The document stays off-chain; the grant carries only a
 * salted commitment to it (commitments.ts). Sensitive data is recognised by its codes and its HL7
 * security labels (fhir/sensitivity), never by labels alone, and is released only when the grant
 * names its class.
 */
import { z } from 'zod';
import { isResourceType } from '../fhir/search/index.ts';
import { SENSITIVE_CLASSES, sensitivityOf, type SensitiveClass } from '../fhir/sensitivity/index.ts';
import type { Resource } from '../fhir/types.ts';

export { SENSITIVE_CLASSES, sensitivityOf, type SensitiveClass };

export const scopeSchema = z
  .object({
    resourceTypes: z.array(z.string().refine(isResourceType, 'a FHIR R4 resource type')).min(1).max(200),
    categories: z.array(z.string().min(1).max(100)).max(50).optional(),
    sensitive: z.array(z.enum(SENSITIVE_CLASSES)).max(SENSITIVE_CLASSES.length).optional(),
  })
  .strict();
export type Scope = z.infer<typeof scopeSchema>;

function categoryCodes(resource: Resource): string[] {
  const cats = (resource.category as { coding?: { code?: string }[] }[] | { coding?: { code?: string }[] } | undefined) ?? [];
  return (Array.isArray(cats) ? cats : [cats]).flatMap((c) => (c.coding ?? []).map((x) => x.code ?? '')).filter(Boolean);
}

/** Does the scope release this resource? Patient demographics come with any scope. */
export function scopeReleases(scope: Scope, resource: Resource): boolean {
  if (resource.resourceType !== 'Patient' && !scope.resourceTypes.includes(resource.resourceType)) return false;
  if (scope.categories?.length && resource.resourceType !== 'Patient') {
    const cats = categoryCodes(resource);
    if (!cats.some((c) => scope.categories!.includes(c))) return false;
  }
  return sensitivityOf(resource).every((s) => scope.sensitive?.includes(s));
}
