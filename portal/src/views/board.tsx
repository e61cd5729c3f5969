/**
 * The licensing board: issue a practitioner credential (W3C VC signed by the board, status on the
 * ledger), suspend, reinstate or revoke one (effective from its block), and the directory of
 * practitioners with each credential's verification state.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Field, Section, Status, useAction, useLoad } from '../ui.tsx';

interface DirectoryEntry {
  practitioner: string;
  type: string;
  credentialId?: string;
  valid: boolean;
  status?: string;
  problems: string[];
  issuer?: string;
}

export function BoardCredentials(p: { token: string }) {
  const [f, setF] = useState({ practitioner: 'Practitioner/', name: '', npi: '', holder: '', number: '', specialty: '', jurisdiction: 'US-CA', years: '2' });
  const [issued, setIssued] = useState<{ credentialId: string; credential: string } | undefined>();
  const [id, setId] = useState('');
  const set = (k: keyof typeof f) => (e: { currentTarget: HTMLInputElement }) => setF({ ...f, [k]: e.currentTarget.value });
  const issue = useAction(async () => {
    const now = Date.now();
    const body = {
      type: 'medical-licence',
      jurisdiction: f.jurisdiction,
      subject: { practitioner: f.practitioner, name: f.name, ...(f.npi ? { npi: f.npi } : {}), holder: f.holder },
      number: f.number,
      ...(f.specialty ? { specialty: f.specialty } : {}),
      validFrom: new Date(now).toISOString(),
      validUntil: new Date(now + Number(f.years) * 365 * 86_400_000).toISOString(),
    };
    const r = await api<{ credentialId: string; credential: string }>('/api/credentials/issue', { token: p.token, body });
    setIssued(r);
    setId(r.credentialId);
    return `Issued ${r.credentialId.slice(0, 14)}…, active on the ledger. Give the practitioner the credential below.`;
  });
  const change = useAction(async (action: 'suspend' | 'reinstate' | 'revoke') => {
    if (!/^0x[0-9a-fA-F]{64}$/.test(id.trim())) throw new Error('a credential id is 0x and 64 hex digits');
    const r = await api<{ status: string; blockNumber: number }>(`/api/credentials/${id.trim()}/${action}`, { token: p.token, body: {} });
    return `${id.trim().slice(0, 14)}… is now ${r.status} (block ${r.blockNumber}).`;
  });
  return (
    <>
      <Section title="Issue a medical licence">
        <form
          class="grid"
          onSubmit={(e) => {
            e.preventDefault();
            void issue.go();
          }}
        >
          <Field label="Practitioner reference" id="c-practitioner">
            <input id="c-practitioner" required value={f.practitioner} onInput={set('practitioner')} />
          </Field>
          <Field label="Full name" id="c-name">
            <input id="c-name" required value={f.name} onInput={set('name')} />
          </Field>
          <Field label="NPI (optional)" id="c-npi">
            <input id="c-npi" inputMode="numeric" value={f.npi} onInput={set('npi')} />
          </Field>
          <Field label="Practitioner's key address" id="c-holder">
            <input id="c-holder" required spellcheck={false} value={f.holder} onInput={set('holder')} />
          </Field>
          <Field label="Licence number" id="c-number">
            <input id="c-number" required value={f.number} onInput={set('number')} />
          </Field>
          <Field label="Specialty (optional)" id="c-specialty">
            <input id="c-specialty" value={f.specialty} onInput={set('specialty')} />
          </Field>
          <Field label="Jurisdiction" id="c-jurisdiction">
            <input id="c-jurisdiction" required value={f.jurisdiction} onInput={set('jurisdiction')} />
          </Field>
          <Field label="Valid for (years)" id="c-years">
            <input id="c-years" type="number" min="1" max="10" value={f.years} onInput={set('years')} />
          </Field>
          <button type="submit" disabled={issue.busy}>
            Issue and record on the ledger
          </button>
        </form>
        <Status busy={issue.busy} error={issue.error} done={issue.done} />
        {issued && (
          <Field label="The credential (VC-JOSE)" id="c-jws">
            <textarea id="c-jws" readOnly rows={4} value={issued.credential} />
          </Field>
        )}
      </Section>
      <Section title="Change a credential's status">
        <Field label="Credential id" id="c-id">
          <input id="c-id" spellcheck={false} value={id} onInput={(e) => setId(e.currentTarget.value)} />
        </Field>
        <div class="actions">
          <button type="button" disabled={change.busy} onClick={() => void change.go('suspend')}>
            Suspend
          </button>
          <button type="button" disabled={change.busy} onClick={() => void change.go('reinstate')}>
            Reinstate
          </button>
          <button type="button" class="danger" disabled={change.busy} onClick={() => void change.go('revoke')}>
            Revoke
          </button>
        </div>
        <Status busy={change.busy} error={change.error} done={change.done} />
      </Section>
    </>
  );
}

export function Directory(p: { token: string }) {
  const d = useLoad(() => api<{ practitioners: DirectoryEntry[] }>('/api/credentials/directory', { token: p.token }), [p.token]);
  return (
    <Section title="Practitioner directory">
      <Status loading={d.loading} error={d.error} what="the directory" />
      {d.data && d.data.practitioners.length === 0 && <p>No practitioner has presented a credential here.</p>}
      {d.data && d.data.practitioners.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Scrollable table">
          <table>
            <caption>Credentials presented here, verified now against the ledger</caption>
            <thead>
              <tr>
                <th scope="col">Practitioner</th>
                <th scope="col">Credential</th>
                <th scope="col">Issuer</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {d.data.practitioners.map((x) => (
                <tr>
                  <td>{x.practitioner}</td>
                  <td>{x.type}</td>
                  <td>{x.issuer ?? ''}</td>
                  <td>{x.valid ? `valid (${x.status ?? 'active'})` : `NOT VALID: ${x.problems.join('; ')}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
