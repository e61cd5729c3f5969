/**
 * The supply API of a node (`/api/supply/…`): commissioning, packing, shipping, receiving, dispensing
 * and status for this organization's staff; verification, exceptions, requests for records and notices.
 * Thin: zod parse, one service call, the result. The service authorizes on the ledger and audits.
 */
import type { FastifyInstance } from 'fastify';
import type { Hex } from 'viem';
import { z } from 'zod';
import { callerOf, type Gate } from '../../http/gate.ts';
import { parse } from '../../http/parse.ts';
import { SERIAL_STATUSES } from '../../indexer/projectors/serial-registry.ts';
import { EXCEPTION_ACTIONS, EXCEPTION_KINDS, EXCEPTION_STATES } from '../exceptions/workflow.ts';
import type { SupplyService } from '../service.ts';

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'a 32-byte hex id');
const barcodes = z.array(z.string().min(4).max(400)).min(1).max(100_000);
const commissionBody = z
  .object({
    gtin: z.string().max(14),
    lot: z.string().max(20),
    expiry: z.string().max(10),
    product: z.string().max(200).optional(),
    serials: z.array(z.string().max(20)).max(1_000_000).optional(),
    count: z.number().int().min(1).max(1_000_000).optional(),
    caseSize: z.number().int().min(1).max(10_000).optional(),
    palletSize: z.number().int().min(1).max(10_000).optional(),
  })
  .strict();
const shipBody = z.object({ to: hex32, barcodes, purpose: z.enum(['sale', 'return']).optional(), sendData: z.boolean().optional() }).strict();
const receiveBody = z
  .object({ shipmentId: hex32.optional(), scanned: barcodes, contents: z.record(z.string(), z.array(z.string().max(400)).max(100_000)).optional(), complete: z.boolean().optional(), acceptExceptions: z.boolean().optional() })
  .strict();
const statusBody = z
  .object({ barcodes: barcodes.optional(), lot: z.object({ gtin: z.string().max(14), lot: z.string().max(20) }).strict().optional(), status: z.enum(SERIAL_STATUSES), reason: z.string().min(3).max(2000) })
  .strict();
const verifyBody = z
  .object({ barcode: z.string().min(4).max(400), sender: hex32.optional(), parent: z.string().max(400).optional(), context: z.string().max(60).optional(), corrUUID: z.string().max(80).optional() })
  .strict();
const exceptionQuery = z.object({ kind: z.enum(EXCEPTION_KINDS).optional(), state: z.enum(EXCEPTION_STATES).optional() }).strict();
const idParam = z.object({ id: z.string().min(1).max(80) }).strict();
const shipmentParam = z.object({ id: hex32 }).strict();
const actionParams = z.object({ id: z.string().min(1).max(80), action: z.enum(EXCEPTION_ACTIONS) }).strict();

export function supplyRoutes(app: FastifyInstance, supply: SupplyService, gate: Gate): void {
  const staff = gate.roles('staff');
  const admin = gate.roles('admin');
  const big = { bodyLimit: 100 * 1024 * 1024 };
  const { commissioning, trading, verification, exceptions, records } = supply;

  app.post('/api/supply/licences', admin, async (req, reply) => {
    const b = parse(z.object({ org: hex32, jurisdiction: z.string().min(2).max(20) }).strict(), req.body, 'licence');
    return reply.code(201).send(await supply.issueLicence(callerOf(req), { org: b.org.toLowerCase() as Hex, jurisdiction: b.jurisdiction }));
  });
  app.post('/api/supply/licences/:id/:action', admin, async (req) => {
    const p = parse(z.object({ id: hex32, action: z.enum(['suspend', 'reinstate', 'revoke']) }).strict(), req.params, 'path');
    return supply.licenceAction(callerOf(req), p.id.toLowerCase() as Hex, p.action);
  });
  app.get('/api/supply/licences/:org', async (req) => ({ licence: (await supply.licenceOf(parse(z.object({ org: hex32 }), req.params, 'path').org.toLowerCase() as Hex)) ?? null }));
  app.post('/api/supply/locations', admin, async (req, reply) => reply.code(201).send(await supply.declareLocation(callerOf(req), parse(z.object({ gln: z.string().max(13), active: z.boolean().optional() }).strict(), req.body, 'location'))));
  app.get('/api/supply/locations', staff, async () => ({ locations: await supply.locations() }));

  app.post('/api/supply/commission', { ...staff, ...big }, async (req, reply) => reply.code(201).send(await commissioning.commission(callerOf(req), parse(commissionBody, req.body, 'commissioning'))));
  app.post('/api/supply/pack', staff, async (req, reply) => reply.code(201).send(await trading.pack(callerOf(req), parse(z.object({ barcodes, sscc: z.string().max(18).optional() }).strict(), req.body, 'packing'))));
  app.post('/api/supply/unpack', staff, async (req) => trading.unpack(callerOf(req), parse(z.object({ container: z.string().min(4).max(400) }).strict(), req.body, 'unpacking')));
  app.post('/api/supply/ship', { ...staff, ...big }, async (req, reply) => {
    const b = parse(shipBody, req.body, 'shipment');
    return reply.code(201).send(await trading.ship(callerOf(req), { ...b, to: b.to.toLowerCase() as Hex }));
  });
  app.get('/api/supply/shipments', staff, async (req) => {
    const q = parse(z.object({ direction: z.enum(['out', 'in']).optional(), state: z.enum(['shipped', 'expected', 'received', 'cancelled', 'rejected']).optional() }).strict(), req.query, 'query');
    return { shipments: await trading.shipments.list(q) };
  });
  app.post('/api/supply/shipments/:id/send-data', staff, async (req) => trading.sendData(callerOf(req), parse(shipmentParam, req.params, 'path').id.toLowerCase() as Hex));
  app.post('/api/supply/shipments/:id/cancel', staff, async (req) => trading.cancel(callerOf(req), parse(shipmentParam, req.params, 'path').id.toLowerCase() as Hex));
  app.post('/api/supply/receive', { ...staff, ...big }, async (req) => {
    const b = parse(receiveBody, req.body, 'receipt');
    return trading.receive(callerOf(req), { ...b, ...(b.shipmentId ? { shipmentId: b.shipmentId.toLowerCase() as Hex } : {}) } as Parameters<typeof trading.receive>[1]);
  });
  app.post('/api/supply/dispense', staff, async (req) => trading.dispense(callerOf(req), parse(z.object({ barcodes }).strict(), req.body, 'dispense')));
  app.post('/api/supply/status', staff, async (req) => trading.setStatus(callerOf(req), parse(statusBody, req.body, 'status') as Parameters<typeof trading.setStatus>[1]));

  app.post('/api/supply/verify', staff, async (req) => {
    const { barcode, sender, ...extra } = parse(verifyBody, req.body, 'verification');
    return verification.verify(callerOf(req), verification.requestOf(barcode, { ...extra, ...(sender ? { sender: sender.toLowerCase() as Hex } : {}) }));
  });

  app.get('/api/supply/exceptions', staff, async (req) => ({ exceptions: await exceptions.list(parse(exceptionQuery, req.query, 'query')) }));
  app.get('/api/supply/exceptions/:id', staff, async (req) => exceptions.get(parse(idParam, req.params, 'path').id));
  app.post('/api/supply/quarantine', staff, async (req, reply) => reply.code(201).send(await exceptions.quarantine(callerOf(req), parse(z.object({ barcodes, reason: z.string().min(3).max(2000) }).strict(), req.body, 'quarantine'))));
  app.post('/api/supply/exceptions/:id/notify', staff, async (req) => ({ notifications: await exceptions.sendNotices(callerOf(req), parse(idParam, req.params, 'path').id) }));
  app.post('/api/supply/exceptions/:id/:action', staff, async (req) => {
    const p = parse(actionParams, req.params, 'path');
    const b = parse(z.object({ note: z.string().max(2000).optional() }).strict(), req.body ?? {}, 'action');
    return exceptions.act(callerOf(req), p.id, p.action, b.note);
  });
  app.post('/api/supply/exceptions-sweep', admin, async () => ({ raised: (await exceptions.sweep()).length }));

  app.post('/api/supply/records-requests', staff, async (req) => {
    const b = parse(z.object({ org: hex32, product: z.string().min(5).max(400) }).strict(), req.body, 'request for records');
    return records.ask(callerOf(req), { org: b.org.toLowerCase() as Hex, product: b.product });
  });
  app.get('/api/supply/records-requests', staff, async (req) => ({ requests: await records.list(parse(z.object({ direction: z.enum(['in', 'out']).optional() }).strict(), req.query, 'query').direction) }));
  app.get('/api/supply/notices', staff, async () => ({ notices: await supply.notices() }));
}
