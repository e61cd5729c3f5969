/**
 * `carechain audit mine`: a patient's own access history across every custodian that holds their
 * records (found with the record locator), each entry checked client-side: the inclusion proof to the
 * custodian's signed tree head, the head's signature by the custodian's registered key, and its
 * consistency with the root anchored on the chain.
 */
import { custodianAccount } from '../crypto/patient-keys.ts';
import { fetchTrusting, type FetchLike } from '../tls/peer-fetch.ts';
import { networkCa } from './node-client.ts';
import { getAddress, hexToBytes, type Address, type Hex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { sthSigner, type SignedTreeHead } from '../audit/audit-log.ts';
import { connectChain } from '../chain/client.ts';
import { anchorRegistryAbi, participantRegistryAbi } from '../chain/generated/contracts.ts';
import { logIdOf, logKindToChain } from '../chain/ids.ts';
import { patientLoginMessage } from '../identity/patient-challenges.ts';
import { CarechainError } from '../shared/errors.ts';
import { leafHash } from '../merkle/hasher.ts';
import { verifyConsistency, verifyInclusion } from '../merkle/verify.ts';
import { resolveRpcUrl } from '../node/start.ts';

interface Custodian {
  orgId: Hex;
  name: string;
  endpoint: string;
}

async function post(fetchNode: FetchLike, url: string, body: unknown, token?: string) {
  const res = await fetchNode(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as any };
}

async function login(fetchNode: FetchLike, endpoint: string, orgId: Hex, key: PrivateKeyAccount): Promise<string> {
  const c = await post(fetchNode, `${endpoint}/api/auth/patient/challenge`, { address: key.address });
  if (c.status !== 200) throw new Error(`challenge refused (${c.status})`);
  const signature = await key.signMessage({ message: patientLoginMessage(orgId, c.json.challenge) });
  const l = await post(fetchNode, `${endpoint}/api/auth/patient/login`, { address: key.address, challenge: c.json.challenge, signature });
  if (l.status !== 200) throw new Error(`login refused (${l.status}): ${l.json?.error?.message ?? ''}`);
  return l.json.access_token as string;
}

export interface AccessLine {
  org: string;
  recorded: string;
  who: string;
  onBehalfOf?: string;
  what: string;
  purpose?: string;
  outcome: string;
}

export async function myAuditTrail(opts: { node: string; nodeOrgId?: Hex; master: Hex; rpcUrl?: string; home: string }): Promise<{ lines: AccessLine[]; custodians: number; verified: number }> {
  const conn = await connectChain(resolveRpcUrl({ rpcUrl: opts.rpcUrl, home: opts.home }));
  // Custodians are reached over https trusting the network CA (in <home>/tls) when TLS is set up.
  const fetchNode = fetchTrusting(networkCa(opts.home));
  const node = opts.node.replace(/\/$/, '');
  const info = (await (await fetchNode(`${node}/api/node`, { method: 'GET', headers: {} })).json()) as { orgId: Hex; contracts: { ParticipantRegistry: Address; AnchorRegistry: Address } };
  // Each custodian knows the patient under a different address (derived from the master key), so
  // there is nothing to look up that links them: ask every registered organization, as the patient's
  // key there; those that do not know that key hold nothing of theirs.
  const reg = await fetchNode(`${node}/api/participants`, { method: 'GET', headers: {} });
  if (reg.status !== 200) throw new CarechainError(`participant list failed (${reg.status})`);
  const all = ((await reg.json()) as { participants: (Custodian & { active: boolean })[] }).participants;
  const custodians: (Custodian & { key: PrivateKeyAccount })[] = [];
  for (const c of all) if (c.active) custodians.push({ ...c, key: custodianAccount(opts.master, c.orgId) });
  const lines: AccessLine[] = [];
  let verified = 0;
  let holding = 0;
  // Organizations by name rather than by id ("Organization/0x0a36…").
  const names = new Map(all.map((p) => [`Organization/${p.orgId}`, p.name]));
  const nameOf = (ref: string) => names.get(ref) ?? ref;
  const summarize = (refs: string[]) => (refs.length <= 3 ? refs.join(', ') : `${refs.slice(0, 3).join(', ')} and ${refs.length - 3} more`);
  for (const c of custodians) {
    const endpoint = c.endpoint.replace(/\/$/, '');
    let t: string;
    try {
      t = await login(fetchNode, endpoint, c.orgId, c.key);
    } catch {
      continue; // this organization holds nothing for the patient
    }
    const res = await fetchNode(`${endpoint}/api/audit/me`, { method: 'GET', headers: { authorization: `Bearer ${t}` } });
    if (res.status !== 200) throw new CarechainError(`${c.name}: audit view refused (${res.status})`);
    const view = (await res.json()) as { sth: SignedTreeHead; anchored: { index: number; treeSize: number; root: Hex } | null; consistency: { proof: Hex[] } | null; entries: { event: any; proof: { index: number; leaf: string; proof: Hex[] } }[] };
    // The head is signed by the custodian's key as registered on the chain (read from the chain itself).
    const org = await conn.client.readContract({ address: info.contracts.ParticipantRegistry, abi: participantRegistryAbi, functionName: 'getOrganization', args: [c.orgId] });
    if (getAddress(await sthSigner(view.sth)) !== getAddress(org.signer)) throw new CarechainError(`${c.name}: the tree head is not signed by its registered key`);
    if (view.anchored) {
      const onChain = await conn.client.readContract({ address: info.contracts.AnchorRegistry, abi: anchorRegistryAbi, functionName: 'anchorAt', args: [c.orgId, logKindToChain('audit'), logIdOf('audit'), BigInt(view.anchored.index)] });
      if (onChain.root !== view.anchored.root || Number(onChain.treeSize) !== view.anchored.treeSize) throw new CarechainError(`${c.name}: the anchored root it cites is not on the chain`);
      const consistent = verifyConsistency(view.anchored.treeSize, view.sth.treeSize, (view.consistency?.proof ?? []).map((h) => hexToBytes(h)), hexToBytes(view.anchored.root), hexToBytes(view.sth.root));
      if (!consistent.ok) throw new CarechainError(`${c.name}: its current log is not consistent with the root anchored on the chain: ${consistent.reason}`);
    }
    if (view.entries.length) holding++;
    for (const { event, proof } of view.entries) {
      const included = verifyInclusion(proof.index, view.sth.treeSize, leafHash(Buffer.from(proof.leaf, 'base64')), proof.proof.map((h) => hexToBytes(h)), hexToBytes(view.sth.root));
      if (!included.ok) throw new CarechainError(`${c.name}: audit entry ${proof.index} is not in its signed log: ${included.reason}`);
      if (JSON.stringify(JSON.parse(Buffer.from(proof.leaf, 'base64').toString('utf8'))) !== JSON.stringify(event)) throw new CarechainError(`${c.name}: entry ${proof.index} differs from its proven leaf`);
      verified++;
      lines.push({
        org: c.name,
        recorded: event.recorded,
        who: nameOf(event.agent[0].who.reference),
        onBehalfOf: event.agent[1]?.who?.reference,
        what: `${event.subtype[0].code}${event.entity.length > 1 ? ` ${summarize(event.entity.slice(1).map((e: any) => e.what?.reference).filter(Boolean))}` : ''}`,
        purpose: event.purposeOfEvent?.[0]?.coding?.[0]?.code,
        outcome: event.outcome === '0' ? 'allowed' : `denied/failed (${event.outcomeDesc ?? event.outcome})`,
      });
    }
  }
  return { lines, custodians: holding, verified };
}
