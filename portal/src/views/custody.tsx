/**
 * For patients whose key the node keeps (custody, sealed under their passphrase): grant and revoke
 * with the passphrase (POST /api/patient/consent/grant, /revoke). The node signs for them, so this is
 * the weaker mode: no session, no access history (that needs a key of one's own, which signs the
 * login challenge). Each action sends the passphrase once over TLS; the portal does not keep it.
 */
import { useState } from 'preact/hooks';
import type { Hex } from 'viem';
import { PURPOSES, type PurposeCode } from '../../../src/chain/ids.ts';
import { api } from '../api.ts';
import type { NodeInfo } from '../session.ts';
import { Field, Section, Status, useAction, useLoad } from '../ui.tsx';

const TYPES = ['Observation', 'Condition', 'AllergyIntolerance', 'MedicationRequest', 'Immunization', 'Procedure', 'DiagnosticReport', 'DocumentReference', 'Encounter'];

export function CustodyConsent(p: { node: NodeInfo; patientId: string; onDone: () => void }) {
  const orgs = useLoad(() => api<{ participants: { orgId: Hex; name: string; kind: string; active: boolean }[] }>('/api/participants?active=true'), []);
  const [passphrase, setPassphrase] = useState('');
  const [grantee, setGrantee] = useState('');
  const [types, setTypes] = useState<string[]>(['Observation']);
  const [purpose, setPurpose] = useState<PurposeCode>('TREAT');
  const [days, setDays] = useState('30');
  const [grantId, setGrantId] = useState('');
  const grant = useAction(async () => {
    if (!grantee) throw new Error('choose the organization you are granting access to');
    const r = await api<{ grantId: Hex; blockNumber: number }>('/api/patient/consent/grant', {
      body: { patientId: p.patientId, passphrase, grantee, scope: { resourceTypes: types }, purpose, days: Number(days) },
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
        <Field label="Organization" id="c-grantee">
          <select id="c-grantee" value={grantee} onChange={(e) => setGrantee(e.currentTarget.value)}>
            <option value="">Choose…</option>
            {(orgs.data?.participants ?? [])
              .filter((o) => o.active && o.orgId.toLowerCase() !== p.node.orgId.toLowerCase())
              .map((o) => (
                <option value={o.orgId}>
                  {o.name} ({o.kind})
                </option>
              ))}
          </select>
        </Field>
        <fieldset>
          <legend>Kinds of records</legend>
          <div class="checks">
            {TYPES.map((t) => (
              <label>
                <input type="checkbox" checked={types.includes(t)} onChange={(e) => setTypes(e.currentTarget.checked ? [...types, t] : types.filter((x) => x !== t))} /> {t}
              </label>
            ))}
          </div>
        </fieldset>
        <Field label="Purpose" id="c-purpose">
          <select id="c-purpose" value={purpose} onChange={(e) => setPurpose(e.currentTarget.value as PurposeCode)}>
            {PURPOSES.map((x) => (
              <option value={x}>{x}</option>
            ))}
          </select>
        </Field>
        <Field label="For how many days" id="c-days">
          <input id="c-days" type="number" min="1" max="3650" value={days} onInput={(e) => setDays(e.currentTarget.value)} />
        </Field>
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
