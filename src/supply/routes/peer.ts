/**
 * The endpoints other organizations' nodes call, signed by the calling organization
 * (src/http/org-request.ts; no bearer token: the signature is the credential), and only from trading
 * partners or regulators:
 * - `GET /01/{gtin}[/10/{lot}]/21/{serial}[/17/{expiry}]?linkType=gs1:verificationService&…` — a
 *   verification on the GS1 Digital Link URI, answered in the Lightweight Messaging Standard's shape
 *   with Carechain's ledger evidence. This node's staff may call it with their bearer token too.
 * - `POST /api/supply/peer/shipments` — a shipment's transaction data (EPCIS events, disclosed units).
 * - `POST /api/supply/peer/notices` — a notice (illegitimate product, DSCSA 24-hour rule).
 * - `POST /api/supply/peer/records-requests` — a request for a product's records.
 * Bodies are kept as the exact bytes sent, since the signature covers them.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { callerOf, type Gate } from '../../http/gate.ts';
import { ORG_HEADER } from '../../http/org-request.ts';
import { invalid } from '../../shared/errors.ts';
import type { SupplyService } from '../service.ts';
import type { VerifyRequest } from '../verification/service.ts';

const signed = (req: FastifyRequest, protocol: string, supply: SupplyService) =>
  supply.authenticatePartner({ protocol, audience: supply.ctx.orgId, method: req.method, path: req.url, body: typeof req.body === 'string' ? req.body : '', headers: req.headers });

function jsonOf(body: unknown): unknown {
  try {
    return JSON.parse(String(body ?? ''));
  } catch (err) {
    throw invalid(`the body is not JSON: ${(err as Error).message}`);
  }
}

/** The verification request a Digital Link URL (path and LMS query parameters) asks for. */
export function verifyRequestOf(supply: SupplyService, url: string): VerifyRequest {
  const u = new URL(url, 'https://node.invalid');
  const q = u.searchParams;
  const opt = (name: string) => (q.get(name) ? { [name]: q.get(name)! } : {});
  const sender = q.get('sender');
  if (sender !== null && !/^0x[0-9a-fA-F]{64}$/.test(sender)) throw invalid('sender must be an organization id (0x + 64 hex digits)');
  return supply.verification.requestOf(`https://node.invalid${u.pathname}`, { ...opt('parent'), ...opt('context'), ...opt('corrUUID'), ...opt('reqGLN'), ...(sender ? { sender: sender.toLowerCase() as `0x${string}` } : {}) });
}

export function supplyPeerRoutes(app: FastifyInstance, supply: SupplyService, gate: Gate): void {
  void app.register(async (peer) => {
    peer.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 100 * 1024 * 1024 }, (_req, body, done) => done(null, body));

    peer.get('/01/*', async (req) => {
      const request = verifyRequestOf(supply, req.url);
      if (req.headers[ORG_HEADER] === undefined) {
        // This node's own staff, with their bearer token: routed to the GTIN owner's node when needed.
        await gate.roles('staff').preHandler(req, undefined as never);
        return supply.verification.verify(callerOf(req), request);
      }
      const partner = await signed(req, 'supply-verify', supply);
      return supply.verification.answerPeer(partner, request);
    });
    peer.post('/api/supply/peer/shipments', async (req) => supply.trading.acceptData(await signed(req, 'supply-shipment', supply), jsonOf(req.body)));
    peer.post('/api/supply/peer/notices', async (req, reply) => reply.code(201).send(await supply.receiveNotice(await signed(req, 'supply-notice', supply), jsonOf(req.body))));
    peer.post('/api/supply/peer/records-requests', async (req) => supply.records.answer(await signed(req, 'supply-records', supply), jsonOf(req.body)));
  });
}
