/** The requester's side of record exchange: find custodians, ask each, verify before use. */
import { createHash, randomBytes } from 'node:crypto';
import { hexToBytes, type Address, type Hex } from 'viem';
import { logIdOf, type PurposeCode } from '../chain/ids.ts';
import type { Scope } from '../consent/scope.ts';
import { open, unwrapKeyFor } from '../crypto/envelope.ts';
import type { OrgKeys } from '../crypto/org-keys.ts';
import type { Resource } from '../fhir/types.ts';
import { listAnchors } from '../indexer/projectors/anchors.ts';
import { getParticipant } from '../indexer/projectors/participants.ts';
import { custodiansOf } from '../indexer/projectors/record-locator.ts';
import { leafHash } from '../merkle/hasher.ts';
import { verifyInclusion } from '../merkle/verify.ts';
import type { Storage } from '../storage/engine.ts';
import type { FetchLike } from '../tls/peer-fetch.ts';
import { requestDigest, SIGNATURE_HEADER, type ExchangeRequest, type ExchangeResponse } from './protocol.ts';

export interface FetchResult {
  resources: Resource[];
  /** One line per custodian or entry that could not be used, and why. */
  problems: string[];
  custodians: { orgId: Hex; status: number; released: number; pendingAnchor: number; breakGlass?: ExchangeResponse['breakGlass'] }[];
}

export interface FetchQuery {
  patient: Address;
  purpose: PurposeCode;
  scope: Scope;
  practitioner?: string;
  breakGlassReason?: string;
  /** The practitioner's medical licence, sent for break-glass. */
  credential?: string;
  minBlock?: number;
}

export interface RequesterDeps {
  storage: Storage;
  keys: OrgKeys;
  peerFetch: FetchLike;
  orgId: Hex;
}

/** Asks every custodian of the patient (or `opts.custodians`); verifies every answer before use. */
export async function fetchFromCustodians(
  deps: RequesterDeps,
  q: FetchQuery,
  /** `tamper` alters an answer before verification: how tests play a malicious or broken custodian. */
  opts: { custodians?: Hex[]; tamper?: (r: ExchangeResponse) => void } = {},
): Promise<FetchResult> {
  const out: FetchResult = { resources: [], problems: [], custodians: [] };
  for (const orgId of opts.custodians ?? (await custodiansOf(deps.storage, q.patient)).filter((o) => o !== deps.orgId)) {
    const custodian = await getParticipant(deps.storage, orgId);
    if (!custodian?.active) {
      out.problems.push(`${orgId}: not an active participant`);
      continue;
    }
    const request: ExchangeRequest = {
      requester: deps.orgId,
      ...(q.practitioner ? { practitioner: q.practitioner } : {}),
      patient: q.patient,
      purpose: q.purpose,
      scope: q.scope,
      timestamp: Date.now(),
      nonce: randomBytes(16).toString('hex'),
      ...(q.breakGlassReason ? { breakGlass: { reason: q.breakGlassReason }, ...(q.credential ? { credential: q.credential } : {}) } : {}),
      ...(q.minBlock !== undefined ? { minBlock: q.minBlock } : {}),
    };
    const body = JSON.stringify(request);
    const signature = await deps.keys.account.signMessage({ message: { raw: requestDigest(body) } });
    let res: Response;
    try {
      res = await deps.peerFetch(`${custodian.endpoint.replace(/\/$/, '')}/api/exchange/records`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature },
        body,
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      out.problems.push(`${custodian.name}: unreachable (${(err as Error).message})`);
      continue;
    }
    const json = (await res.json()) as ExchangeResponse & { error?: { message?: string } };
    if (res.status !== 200) {
      out.custodians.push({ orgId, status: res.status, released: 0, pendingAnchor: 0 });
      out.problems.push(`${custodian.name}: ${res.status} ${json.error?.message ?? ''}`.trim());
      continue;
    }
    opts.tamper?.(json);
    const verified = await verifyResponse(deps, orgId, json, out.problems, custodian.name);
    out.resources.push(...verified);
    out.custodians.push({ orgId, status: 200, released: verified.length, pendingAnchor: json.pendingAnchor, ...(json.breakGlass ? { breakGlass: json.breakGlass } : {}) });
  }
  return out;
}

/** Checks every entry (key unwrap, ciphertext, leaf, inclusion proof, anchored root) and decrypts it. */
async function verifyResponse(deps: RequesterDeps, custodian: Hex, r: ExchangeResponse, problems: string[], name: string): Promise<Resource[]> {
  const me = { publicKey: Buffer.from(deps.keys.encryptionJwk.x, 'base64url'), privateKey: Buffer.from(deps.keys.encryptionJwk.d, 'base64url') };
  const wrapKey = unwrapKeyFor(me, Buffer.from(r.epk, 'base64'));
  const anchors = await listAnchors(deps.storage, { orgId: custodian, kind: 'records', logId: logIdOf('records'), limit: 1_000_000 });
  const out: Resource[] = [];
  for (const e of r.entries) {
    const where = `${name}: ${e.type}/${e.id}/_history/${e.version}`;
    try {
      const ciphertext = Buffer.from(e.ciphertext, 'base64');
      const blobHash = createHash('sha256').update(ciphertext).digest('hex');
      const leaf = Buffer.from(e.leaf, 'base64');
      const fields = JSON.parse(leaf.toString('utf8')) as { t: string; i: string; v: number; h: string };
      if (fields.t !== e.type || fields.i !== e.id || fields.v !== e.version || fields.h !== blobHash) throw new Error('the log entry does not describe this ciphertext');
      const anchored = anchors.find((a) => a.index === e.anchor.index);
      if (!anchored || anchored.root !== e.anchor.root || anchored.treeSize !== e.anchor.treeSize) throw new Error(`root #${e.anchor.index} is not the custodian's anchored root on the ledger`);
      const proof = verifyInclusion(e.leafIndex, e.anchor.treeSize, leafHash(leaf), e.proof.map((p) => hexToBytes(p)), hexToBytes(e.anchor.root));
      if (!proof.ok) throw new Error(`inclusion proof does not verify: ${proof.reason}`);
      const aad = Buffer.from(`carechain:dek:${blobHash}`);
      const dek = open(wrapKey, Buffer.from(e.wrappedKey, 'base64'), aad, 'wrapped data key');
      out.push(JSON.parse(open(dek, ciphertext, Buffer.from(`carechain:record:${e.type}/${e.id}/${e.version}`), 'ciphertext').toString('utf8')) as Resource);
    } catch (err) {
      problems.push(`${where}: rejected: ${(err as Error).message}`);
    }
  }
  return out;
}
