/**
 * For patients whose key the node keeps (custody, sealed under their passphrase): grant and revoke
 * with the passphrase (POST /api/patient/consent/grant, /revoke). The node signs for them, so this is
 * the weaker mode: no session, no access history (that needs a key of one's own, which signs the
 * login challenge). Each action sends the passphrase once over TLS; the portal does not keep it.
 */
import { useState } from 'preact/hooks';
import type { Hex } from 'viem';
import { api } from '../api.ts';
import type { NodeInfo } from '../session.ts';
import { Field, Section, Status, useAction, useLoad } from '../ui.tsx';
import { GrantFields, grantDraftProblem, useGrantDraft, type Participant } from './grant-fields.tsx';

export function CustodyConsent(p: { node: NodeInfo; patientId: string; onDone: () => void }) {
  const orgs = useLoad(() => api<{ participants: Participant[] }>('/api/participants?active=true'), []);
  const [passphrase, setPassphrase] = useState('');
  const [draft, change] = useGrantDraft();
  const [grantId, setGrantId] = useState('');
  const grant = useAction(async () => {
    const problem = grantDraftProblem(draft);
    if (problem) throw new Error(problem);
    const r = await api<{ grantId: Hex; blockNumber: number }>('/api/patient/consent/grant', {
      body: { patientId: p.patientId, passphrase, grantee: draft.grantee, scope: { resourceTypes: draft.types }, purpose: draft.purpose, days: Number(draft.days) },
    });
    setGrantId(r.grantId);
    return `Granted (block ${r.blockNumber}). Keep the grant id to revoke it: ${r.grantId}`;
  });
  const revoke = useAction(async () => {
    if (!/^0x[0-9a-fA-F]{64}$/.test(grantId.trim())) throw new Error('a grant id is 0x and 64 hex digits');
    const r = await api<{ blockNumber: number }>('/api/patient/consent/revoke', { body: { patientId: p.patientId, passphrase, grantId: grantId.trim() } });
    return `Revoked, effective from block ${r.blockNumber}.`;
  });
  return (
    <Section title="Consent with your passphrase">
      <p class="hint">
        Patient {p.patientId} at {p.node.name}. This organization keeps your key; your passphrase unlocks it for each action.{' '}
        <button type="button" class="link" onClick={p.onDone}>
          Back to sign-in
        </button>
      </p>
      <Field label="Passphrase" id="custody-passphrase">
        <input id="custody-passphrase" type="password" autocomplete="current-password" value={passphrase} onInput={(e) => setPassphrase(e.currentTarget.value)} />
      </Field>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void grant.go();
        }}
      >
        <h3>Grant access</h3>
        <GrantFields idPrefix="c-" draft={draft} onChange={change} participants={orgs.data?.participants ?? []} selfOrgId={p.node.orgId} />
        <button type="submit" disabled={grant.busy}>
          Grant
        </button>
        <Status busy={grant.busy} error={grant.error} done={grant.done} />
      </form>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void revoke.go();
        }}
      >
        <h3>Revoke a grant</h3>
        <Field label="Grant id" id="c-grant-id">
          <input id="c-grant-id" spellcheck={false} value={grantId} onInput={(e) => setGrantId(e.currentTarget.value)} />
        </Field>
        <button type="submit" class="danger" disabled={revoke.busy}>
          Revoke
        </button>
        <Status busy={revoke.busy} error={revoke.error} done={revoke.done} />
      </form>
    </Section>
  );
}
