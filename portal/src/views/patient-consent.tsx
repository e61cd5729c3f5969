/**
 * The patient's consents: their grants as the ledger holds them (GET /api/consent), a new grant signed
 * here (EIP-712, src/consent/typed-data.ts) with salted commitments to the grantee and the scope
 * (src/consent/commitments.ts) and the disclosure that opens them for the custodian, relayed by the
 * node (POST /api/consent/relay); a revocation signed here too (POST /api/consent/revoke-relay).
 */
import { useState } from 'preact/hooks';
import type { Hex } from 'viem';
import { granteeCommitment, granteeIdOf, grantIdOf, newSalt, scopeCommitment, type Disclosure } from '../../../src/consent/commitments.ts';
import type { Scope } from '../../../src/consent/scope.ts';
import { purposeToChain, type PurposeCode } from '../../../src/chain/ids.ts';
import { signGrant, signProxy, signRevoke, type Domain, type GrantMessage } from '../../../src/consent/typed-data.ts';
import { api } from '../api.ts';
import { custodianAccount } from '../keys.ts';
import { noticeMessage } from '../messages.ts';
import type { NodeInfo, Session } from '../session.ts';
import { Field, Section, Status, useAction, useLoad, when } from '../ui.tsx';
import { GrantFields, grantDraftProblem, PURPOSE_LABELS, useGrantDraft, type Participant } from './grant-fields.tsx';

type PatientSession = Extract<Session, { kind: 'patient' }>;
interface Grant {
  grant_id: Hex;
  grantee: Hex;
  purpose: string;
  start: number;
  expiry: number;
  granted_block: number;
  revoked_block: number | null;
}

export function PatientConsent(p: { session: PatientSession; node: NodeInfo }) {
  const s = p.session;
  const grants = useLoad(() => api<{ indexedBlock: number; grants: Grant[] }>(`/api/consent?patient=${s.address}`, { token: s.token }), [s.token]);
  const orgs = useLoad(() => api<{ participants: Participant[] }>('/api/participants?active=true'), []);
  const [draft, change] = useGrantDraft();
  const { grantee, types, purpose, days } = draft;
  const names = new Map((orgs.data?.participants ?? []).map((o) => [o.orgId.toLowerCase(), o.name]));

  const grant = useAction(async () => {
    const problem = grantDraftProblem(draft);
    if (problem) throw new Error(problem);
    const n = Number(days);
    const signer = custodianAccount(s.master, s.orgId);
    const domain = await api<Domain>('/api/consent/domain', { token: s.token });
    const { nonce } = await api<{ nonce: string }>(`/api/consent/nonce/${s.address}`, { token: s.token });
    const now = BigInt(Math.floor(Date.now() / 1000));
    const scope: Scope = { resourceTypes: types };
    const salt = newSalt();
    const disclosure: Disclosure = { salt, grantee: { org: grantee as Hex }, scope };
    const message: GrantMessage = {
      patient: s.address,
      grantee: granteeCommitment(salt, granteeIdOf(disclosure.grantee)),
      scopeHash: scopeCommitment(salt, scope),
      purpose: purposeToChain(purpose),
      start: now - 60n,
      expiry: now + BigInt(Math.round(n * 86400)),
      nonce: BigInt(nonce),
    };
    const signature = await signGrant(signer, domain, message);
    // The patient's address at the grantee, signed over this grant, so the grantee can match it to them.
    const atGrantee = custodianAccount(s.master, grantee as Hex);
    const granteePatient = { address: atGrantee.address, signature: await atGrantee.signMessage({ message: noticeMessage(grantIdOf(s.address, message.nonce), s.address) }) };
    const body = { grant: { ...message, start: String(message.start), expiry: String(message.expiry), nonce: String(message.nonce) }, signature, disclosure, granteePatient };
    const r = await api<{ grantId: Hex; blockNumber: number; notice?: { delivered: boolean; problem?: string } }>('/api/consent/relay', { token: s.token, body });
    grants.reload();
    return `Granted ${names.get(grantee.toLowerCase()) ?? grantee} access (block ${r.blockNumber}).${r.notice && !r.notice.delivered ? ` They were not told yet: ${r.notice.problem ?? ''}` : ''}`;
  });

  const revoke = useAction(async (g: Grant) => {
    const signer = custodianAccount(s.master, s.orgId);
    const domain = await api<Domain>('/api/consent/domain', { token: s.token });
    const { nonce } = await api<{ nonce: string }>(`/api/consent/nonce/${s.address}`, { token: s.token });
    const signature = await signRevoke(signer, domain, { patient: s.address, grantId: g.grant_id, nonce: BigInt(nonce) });
    const r = await api<{ blockNumber: number }>('/api/consent/revoke-relay', { token: s.token, body: { patient: s.address, grantId: g.grant_id, nonce, signature } });
    grants.reload();
    return `Revoked, effective from block ${r.blockNumber}.`;
  });

  const [proxy, setProxy] = useState('');
  const [proxyDays, setProxyDays] = useState('365');
  const appoint = useAction(async () => {
    if (!/^0x[0-9a-fA-F]{40}$/.test(proxy.trim())) throw new Error("the proxy's address is 0x and 40 hex digits (they get it from their own key)");
    const n = Number(proxyDays);
    if (!(n > 0 && n <= 3650)) throw new Error('the number of days must be between 1 and 3650');
    const signer = custodianAccount(s.master, s.orgId);
    const domain = await api<Domain>('/api/consent/domain', { token: s.token });
    const { nonce } = await api<{ nonce: string }>(`/api/consent/nonce/${s.address}`, { token: s.token });
    const expiry = BigInt(Math.floor(Date.now() / 1000) + Math.round(n * 86400));
    const signature = await signProxy(signer, domain, { patient: s.address, proxy: proxy.trim() as Hex, expiry, nonce: BigInt(nonce) });
    const r = await api<{ blockNumber: number }>('/api/consent/proxy-relay', { token: s.token, body: { patient: s.address, proxy: proxy.trim(), expiry: String(expiry), nonce, signature } });
    return `Appointed ${proxy.trim().slice(0, 10)}… as your proxy here until ${when(Number(expiry))} (block ${r.blockNumber}).`;
  });
  const glass = useLoad(() => api<{ accesses: { access_id: string; practitioner: string; reason: string; created_at: string; requester?: string }[] }>('/api/patient/break-glass', { token: s.token }), [s.token]);

  const now = Date.now() / 1000;
  return (
    <>
      <Section title="My consents">
        <Status loading={grants.loading} error={grants.error} what="your consents" />
        <Status busy={revoke.busy} error={revoke.error} done={revoke.done} />
        {grants.data && grants.data.grants.length === 0 && <p>You have not granted anyone access yet.</p>}
        {grants.data && grants.data.grants.length > 0 && (
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Scrollable table">
            <table>
              <caption>Your grants on the ledger (as of block {grants.data.indexedBlock})</caption>
              <thead>
                <tr>
                  <th scope="col">Grant</th>
                  <th scope="col">Purpose</th>
                  <th scope="col">Valid until</th>
                  <th scope="col">State</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {grants.data.grants.map((g) => {
                  const state = g.revoked_block !== null ? `revoked in block ${g.revoked_block}` : g.expiry < now ? 'expired' : `active since block ${g.granted_block}`;
                  return (
                    <tr>
                      <td>
                        <code title={g.grant_id}>{g.grant_id.slice(0, 12)}…</code>
                      </td>
                      <td>{PURPOSE_LABELS[g.purpose as PurposeCode] ?? g.purpose}</td>
                      <td>{when(g.expiry)}</td>
                      <td>{state}</td>
                      <td>
                        {g.revoked_block === null && g.expiry >= now && (
                          <button type="button" class="danger" disabled={revoke.busy} onClick={() => void revoke.go(g)} aria-label={`Revoke grant ${g.grant_id.slice(0, 12)}`}>
                            Revoke
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <p class="hint">The ledger holds only salted commitments: it does not show whom you granted or what. This node knows, because you disclosed it to them.</p>
      </Section>
      <Section title="Grant access">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void grant.go();
          }}
        >
          <GrantFields idPrefix="" draft={draft} onChange={change} participants={orgs.data?.participants ?? []} selfOrgId={p.node.orgId} />
          <button type="submit" disabled={grant.busy}>
            Sign and grant
          </button>
          <p class="hint">Your browser signs the grant with your key; the node only relays it to the ledger.</p>
          <Status busy={grant.busy} error={grant.error} done={grant.done} />
        </form>
      </Section>
      <Section title="Appoint a proxy">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void appoint.go();
          }}
        >
          <Field label="Proxy's address" id="proxy" hint="A parent, carer or someone you trust signs in with their own key and acts for you here.">
            <input id="proxy" spellcheck={false} aria-describedby="proxy-hint" value={proxy} onInput={(e) => setProxy(e.currentTarget.value)} />
          </Field>
          <Field label="For how many days" id="proxy-days">
            <input id="proxy-days" type="number" min="1" max="3650" value={proxyDays} onInput={(e) => setProxyDays(e.currentTarget.value)} />
          </Field>
          <button type="submit" disabled={appoint.busy}>
            Sign and appoint
          </button>
          <Status busy={appoint.busy} error={appoint.error} done={appoint.done} />
        </form>
      </Section>
      <Section title="Emergency accesses to my records">
        <Status loading={glass.loading} error={glass.error} what="emergency accesses" />
        {glass.data && glass.data.accesses.length === 0 && <p>Nobody has used emergency (break-glass) access to your records here.</p>}
        <ul>
          {(glass.data?.accesses ?? []).map((a) => (
            <li>
              {when(a.created_at)}: {a.practitioner} — “{a.reason}”
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}
