/** The requester's side of record exchange: ask each custodian, verify before use. */
import { createHash } from 'node:crypto';
import { hexToBytes, type Address, type Hex } from 'viem';
import { logIdOf, type PurposeCode } from '../chain/ids.ts';
import type { Scope } from '../consent/scope.ts';
import { open, unwrapKeyFor } from '../crypto/envelope.ts';
import type { OrgKeys } from '../crypto/org-keys.ts';
import type { Resource } from '../fhir/types.ts';
import { envelope, signRequest, SIGNATURE_HEADER, type Envelope } from '../identity/org-requests.ts';
import { listAnchors } from '../indexer/projectors/anchors.ts';
import { getParticipant } from '../indexer/projectors/participants.ts';
import { leafHash } from '../merkle/hasher.ts';
import { verifyInclusion } from '../merkle/verify.ts';
import type { Storage } from '../storage/engine.ts';
import type { FetchLike } from '../tls/peer-fetch.ts';
import { EXCHANGE_PURPOSE, type ExchangeRequest, type ExchangeResponse } from './protocol.ts';

export interface FetchResult {
  resources: Resource[];
  /** One line per custodian or entry that could not be used, and why. */
  problems: string[];
  custodians: { orgId: Hex; status: number; released: number; pendingAnchor: number; grantId?: Hex; breakGlass?: ExchangeResponse['breakGlass'] }[];
}

/** One request to one custodian: the patient's address there and what the request relies on. */
export interface FetchTarget {
  custodian: Hex;
  patient: Address;
  scope: Scope;
  grant?: { id: Hex; salt: Hex };
}

export interface FetchCommon {
  purpose: PurposeCode;
  practitioner?: string;
  breakGlassReason?: string;
  /** The practitioner's medical licence by reference (ledger id and document hash), for break-glass. */
  credential?: { id: Hex; hash: Hex };
  minBlock?: number;
}

export interface RequesterDeps {
  storage: Storage;
  keys: OrgKeys;
  peerFetch: FetchLike;
  orgId: Hex;
}

/** Asks each target custodian; verifies every answer before use. */
export async function fetchFromCustodians(
  deps: RequesterDeps,
  targets: FetchTarget[],
  common: FetchCommon,
  /** `tamper` alters an answer before verification: how tests play a malicious or broken custodian. */
  opts: { tamper?: (r: ExchangeResponse) => void } = {},
): Promise<FetchResult> {
  const out: FetchResult = { resources: [], problems: [], custodians: [] };
  for (const t of targets) {
    const custodian = await getParticipant(deps.storage, t.custodian);
    if (!custodian?.active) {
      out.problems.push(`${t.custodian}: not an active participant`);
      continue;
    }
    const request: ExchangeRequest = {
      ...envelope(deps.orgId, custodian.orgId),
      ...(common.practitioner ? { practitioner: common.practitioner } : {}),
      patient: t.patient,
      purpose: common.purpose,
      scope: t.scope,
      ...(t.grant ? { grant: t.grant } : {}),
      ...(common.breakGlassReason ? { breakGlass: { reason: common.breakGlassReason }, ...(common.credential ? { credential: common.credential } : {}) } : {}),
      ...(common.minBlock !== undefined ? { minBlock: common.minBlock } : {}),
    };
    const { body, signature } = await signRequest(deps.keys, EXCHANGE_PURPOSE, request as unknown as Envelope & Record<string, unknown>);
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
      out.custodians.push({ orgId: custodian.orgId, status: res.status, released: 0, pendingAnchor: 0, ...(t.grant ? { grantId: t.grant.id } : {}) });
      out.problems.push(`${custodian.name}: ${res.status} ${json.error?.message ?? ''}`.trim());
      continue;
    }
    opts.tamper?.(json);
    const verified = await verifyResponse(deps, custodian.orgId, json, out.problems, custodian.name);
    out.resources.push(...verified);
    out.custodians.push({ orgId: custodian.orgId, status: 200, released: verified.length, pendingAnchor: json.pendingAnchor, ...(json.grantId ? { grantId: json.grantId } : {}), ...(json.breakGlass ? { breakGlass: json.breakGlass } : {}) });
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
