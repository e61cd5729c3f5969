/**
 * A resource type: search (GET, and POST `_search` with a form body), create (POST, conditional with
 * `If-None-Exist`), conditional update (PUT `?query`) and conditional delete (DELETE `?query`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendFhir } from '../../http/fhir-surface.ts';
import { invalid } from '../../shared/errors.ts';
import type { RecordService } from '../service.ts';
import { baseUrl, bodyResource, pathOf, queryString, repoOf, searchBundle, sendWrite, typePath, withVersionHeaders } from './shared.ts';

/** The search parameters of a request: the query string, and for POST `_search` the form body too. */
function searchParams(req: FastifyRequest): URLSearchParams {
  const params = new URLSearchParams(queryString(req));
  if (req.method === 'POST') {
    if (typeof req.body !== 'string') throw invalid('POST _search takes an application/x-www-form-urlencoded body');
    for (const [k, v] of new URLSearchParams(req.body)) params.append(k, v);
  }
  return params;
}

/** The search handler (also behind GET /Provenance when it is not a record-log lookup). */
export const searchHandler = (records: RecordService) => async (req: FastifyRequest, reply: FastifyReply) => {
  const { type } = pathOf(typePath, req);
  const params = searchParams(req);
  const result = await repoOf(records, req).search(type, params, req.method === 'POST' ? `${req.url}?${params}` : req.url, [baseUrl(req)]);
  return sendFhir(reply, 200, searchBundle(baseUrl(req), type, params, result));
};

export function typeRoutes(fhir: FastifyInstance, records: RecordService): void {
  const search = searchHandler(records);
  fhir.get('/:type', search);
  fhir.post('/:type/_search', search);

  fhir.post('/:type', async (req, reply) => {
    const { type } = pathOf(typePath, req);
    const resource = bodyResource(req);
    if (resource.resourceType !== type) throw invalid(`resourceType ${resource.resourceType} does not match the URL (${type})`, ['resourceType']);
    const ifNoneExist = req.headers['if-none-exist'];
    const r = await repoOf(records, req).create(resource, ifNoneExist === undefined ? undefined : String(ifNoneExist));
    if (r.outcome === 'existing') return sendWrite(req, reply, 200, r, 'found');
    return sendWrite(req, reply, 201, r, 'created');
  });

  fhir.put('/:type', async (req, reply) => {
    const { type } = pathOf(typePath, req);
    const query = queryString(req);
    if (query === '') throw invalid(`PUT ${type} needs an id (PUT ${type}/id) or a search (conditional update: PUT ${type}?identifier=…)`);
    const r = await repoOf(records, req).conditionalUpdate(type, query, bodyResource(req));
    return sendWrite(req, reply, r.created ? 201 : 200, r, r.created ? 'created' : 'updated');
  });

  fhir.delete('/:type', async (req, reply) => {
    const { type } = pathOf(typePath, req);
    const query = queryString(req);
    if (query === '') throw invalid(`DELETE ${type} needs an id (DELETE ${type}/id) or a search (conditional delete: DELETE ${type}?identifier=…)`);
    const deleted = await repoOf(records, req).conditionalDelete(type, query);
    if (deleted.length === 1) withVersionHeaders(reply, deleted[0]!);
    return reply.code(204).send();
  });
}
