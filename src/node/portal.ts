/**
 * The web portal's static files (built by `npm run build:portal` into portal/dist), served under
 * /portal by every node. Public like any web page: the portal itself calls the node's API with the
 * user's token, and holds a patient's key only in the browser.
 */
import type { FastifyInstance } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PORTAL_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'portal', 'dist');

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png' };

/** The portal's content security policy: its own scripts only, calls to its own node only. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function portalRoutes(app: FastifyInstance, dir = PORTAL_DIST): void {
  app.get('/portal', async (_req, reply) => reply.redirect('/portal/'));
  app.get('/portal/*', async (req, reply) => {
    const rel = (req.params as { '*': string })['*'] || 'index.html';
    const file = resolve(dir, rel);
    if (!file.startsWith(dir + sep) || !existsSync(file)) {
      if (!existsSync(join(dir, 'index.html'))) return reply.code(404).type('text/plain').send('the portal is not built: run `npm run build:portal`');
      return reply.code(404).type('text/plain').send(`no such portal file: ${rel}`);
    }
    return reply
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', extname(file) === '.html' ? 'no-cache' : 'public, max-age=300')
      .type(TYPES[extname(file)] ?? 'application/octet-stream')
      .send(readFileSync(file));
  });
}
