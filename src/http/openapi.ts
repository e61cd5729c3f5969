/**
 * The platform API's OpenAPI 3.1 document, generated from the zod schemas the routes validate with
 * (zod 4's JSON Schema output, draft 2020-12, which OpenAPI 3.1 uses): a route declares them with
 * `documented({...})`, and the node collects every route as it is registered. Routes without a
 * declaration are listed with their path and method only, so the document never omits one.
 */
import type { RouteOptions, RouteShorthandOptions } from 'fastify';
import { z } from 'zod';

export interface RouteDoc {
  summary: string;
  /** Who may call it: roles, `patient`, `public`, or `organization` (signed org-to-org). */
  access: string;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  /** The success status, when not 200. */
  status?: number;
}

type Parts = RouteShorthandOptions;

/**
 * Route options from parts (the gate's preHandler, a rate limit's config, a document): merges their
 * `config` objects, which spreading would overwrite.
 */
export function routeOptions(...parts: Parts[]): Parts {
  const out: Parts = {};
  for (const p of parts) {
    const { config, ...rest } = p;
    Object.assign(out, rest);
    if (config) out.config = { ...((out.config as object | undefined) ?? {}), ...(config as object) };
  }
  return out;
}

/** Route option: this route's documentation (merge with `routeOptions`). */
export const documented = (d: RouteDoc): Parts => ({ config: { openapi: d } as never });

const jsonSchema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

/** Collects routes (an `onRoute` hook) and renders the document. */
export class OpenApiCollector {
  private readonly routes: { method: string; url: string; doc?: RouteDoc }[] = [];

  onRoute = (r: RouteOptions): void => {
    if (!r.url.startsWith('/api') && !r.url.startsWith('/health') && r.url !== '/metrics') return;
    const doc = (r.config as { openapi?: RouteDoc } | undefined)?.openapi;
    for (const m of [r.method].flat()) if (m !== 'HEAD' && m !== 'OPTIONS') this.routes.push({ method: m.toLowerCase(), url: r.url, ...(doc ? { doc } : {}) });
  };

  document(info: { title: string; version: string; description?: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.routes) {
      const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
      const names = [...r.url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
      const d = r.doc;
      const parameters: Record<string, unknown>[] = names.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
      if (d?.query) {
        const q = jsonSchema(d.query) as { properties?: Record<string, unknown>; required?: string[] };
        for (const [name, schema] of Object.entries(q.properties ?? {})) parameters.push({ name, in: 'query', required: (q.required ?? []).includes(name), schema });
      }
      const status = String(d?.status ?? 200);
      (paths[path] ??= {})[r.method] = {
        summary: d?.summary ?? `${r.method.toUpperCase()} ${path}`,
        ...(d ? { 'x-access': d.access } : {}),
        ...(d && d.access !== 'public' && d.access !== 'organization' ? { security: [{ bearer: [] }] } : {}),
        ...(parameters.length ? { parameters } : {}),
        ...(d?.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(d.body) } } } } : {}),
        responses: {
          [status]: { description: 'success' },
          '4XX': { description: 'refused: `{"error": {"code", "message"}}` says why', content: { 'application/json': { schema: ERROR } } },
        },
      };
    }
    return {
      openapi: '3.1.0',
      info,
      paths,
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a user session (POST /api/auth/login), a patient session, or the operator token' } } },
    };
  }
}

const ERROR = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } },
  required: ['error'],
};
