import type { z } from 'zod';
import { invalid } from '../shared/errors.ts';

/** Parses `value` with `schema`, or throws an `invalid` DomainError naming the first problem and where. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  throw invalid(`invalid ${what}: ${where}${issue.message}`, issue.path.length ? [issue.path.join('.')] : undefined);
}
