/**
 * The privacy officer's desk: insider-threat flags with their evidence (GET /api/audit/flags),
 * break-glass accesses to review at both ends (GET /api/break-glass, POST …/review), and audit
 * search with an NDJSON export carrying each entry's proof (GET /api/audit/entries, /export).
 */
import { useState } from 'preact/hooks';
import { api, ApiError, problemOf } from '../api.ts';
import { Field, Section, Status, useAction, useLoad, when } from '../ui.tsx';

interface Flag {
  kind: string;
  agent: string;
  description: string;
  evidence: number[];
}
interface Access {
  access_id: string;
  practitioner: string;
  reason: string;
  created_at: string;
  review: string | null;
  reviewed_by: string | null;
}
interface Entry {
  id?: string;
  recorded: string;
  outcome: string;
  outcomeDesc?: string;
  subtype?: { code: string }[];
  agent: { who: { reference?: string } }[];
  entity?: { what?: { reference?: string } }[];
}

export function OfficerFlags(p: { token: string }) {
  const flags = useLoad(() => api<{ flags: Flag[] }>('/api/audit/flags', { token: p.token }).then((r) => r.flags), [p.token]);
  return (
    <Section title="Insider-threat flags">
      <Status loading={flags.loading} error={flags.error} what="flags" />
      {flags.data && flags.data.length === 0 && <p>No flags in the last day.</p>}
      <ul class="cards">
        {(flags.data ?? []).map((f) => (
          <li class="card">
            <h3>
              {f.kind}: {f.agent}
            </h3>
            <p>{f.description}</p>
            <p class="hint">Evidence: audit entries {f.evidence.slice(0, 20).join(', ')}</p>
          </li>
        ))}
      </ul>
    </Section>
  );
}

export function OfficerBreakGlass(p: { token: string }) {
  const list = useLoad(() => api<{ incoming: Access[]; outgoing: Access[] }>('/api/break-glass', { token: p.token }), [p.token]);
  const [note, setNote] = useState('');
  const review = useAction(async (id: string, verdict: 'justified' | 'unjustified') => {
    await api(`/api/break-glass/${id}/review`, { token: p.token, body: { review: verdict, ...(note ? { note } : {}) } });
    list.reload();
    return `Reviewed ${id.slice(0, 12)}… as ${verdict}.`;
  });
  const rows = [...(list.data?.incoming ?? []).map((a) => ({ a, dir: 'into our records' })), ...(list.data?.outgoing ?? []).map((a) => ({ a, dir: 'by our clinicians' }))];
  return (
    <Section title="Break-glass reviews">
      <Status loading={list.loading} error={list.error} what="break-glass accesses" />
      <Status busy={review.busy} error={review.error} done={review.done} />
      {list.data && rows.length === 0 && <p>No emergency accesses.</p>}
      {rows.length > 0 && (
        <>
          <Field label="Review note (optional)" id="review-note">
            <input id="review-note" value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          </Field>
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Scrollable table">
            <table>
              <caption>Emergency accesses</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Direction</th>
                  <th scope="col">Clinician</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Review</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(({ a, dir }) => {
                  const reviewed = a.review && `${a.review} (${a.reviewed_by ?? ''})`;
                  return (
                    <tr>
                      <td>{when(a.created_at)}</td>
                      <td>{dir}</td>
                      <td>{a.practitioner}</td>
                      <td>{a.reason}</td>
                      <td>
                        {reviewed ? (
                          reviewed
                        ) : (
                          <span class="actions">
                            <button type="button" onClick={() => void review.go(a.access_id, 'justified')} aria-label={`Mark access ${a.access_id.slice(0, 10)} justified`}>
                              Justified
                            </button>
                            <button type="button" class="danger" onClick={() => void review.go(a.access_id, 'unjustified')} aria-label={`Mark access ${a.access_id.slice(0, 10)} unjustified`}>
                              Unjustified
                            </button>
                          </span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Section>
  );
}

export function OfficerAudit(p: { token: string }) {
  const [patient, setPatient] = useState('');
  const [agent, setAgent] = useState('');
  const [entries, setEntries] = useState<Entry[] | undefined>();
  const query = () => new URLSearchParams(Object.entries({ patient: patient.trim(), agent: agent.trim() }).filter(([, v]) => v)).toString();
  const search = useAction(async () => {
    const r = await api<{ treeSize: number; entries: { index: number; event: Entry }[] }>(`/api/audit/entries?${query()}`, { token: p.token });
    const list = r.entries.map((x) => x.event);
    setEntries(list);
    return `${list.length} entries (of ${r.treeSize} in the log).`;
  });
  const exportAll = useAction(async () => {
    const res = await fetch(`/api/audit/export?${query()}`, { headers: { authorization: `Bearer ${p.token}` } });
    if (!res.ok) throw new ApiError(res.status, problemOf(res.status, await res.json().catch(() => undefined)));
    const blob = await res.blob();
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = 'audit-export.ndjson';
    a.click();
    return `Exported ${(blob.size / 1024).toFixed(1)} KiB (the signed tree head, then each entry with its proof).`;
  });
  return (
    <Section title="Audit search">
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void search.go();
        }}
      >
        <Field label="Patient id" id="audit-patient">
          <input id="audit-patient" value={patient} onInput={(e) => setPatient(e.currentTarget.value)} />
        </Field>
        <Field label="Agent (e.g. Practitioner/house)" id="audit-agent">
          <input id="audit-agent" value={agent} onInput={(e) => setAgent(e.currentTarget.value)} />
        </Field>
        <button type="submit" disabled={search.busy}>
          Search
        </button>
        <button type="button" disabled={exportAll.busy} onClick={() => void exportAll.go()}>
          Export with proofs
        </button>
      </form>
      <Status busy={search.busy || exportAll.busy} error={search.error ?? exportAll.error} done={search.done ?? exportAll.done} />
      {entries && entries.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Scrollable table">
          <table>
            <caption>Audit entries</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {entries.slice(-200).reverse().map((e) => (
                <tr>
                  <td>{e.id}</td>
                  <td>{when(e.recorded)}</td>
                  <td>{e.agent[0]?.who.reference}</td>
                  <td>
                    {e.subtype?.[0]?.code} {(e.entity ?? []).slice(1).map((x) => x.what?.reference).filter(Boolean).join(', ')}
                  </td>
                  <td>{e.outcome === '0' ? 'success' : `failed (${e.outcomeDesc ?? e.outcome})`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

/** GDPR erasure by key destruction (POST /fhir/Patient/{id}/$erase): irreversible, so confirmed twice. */
export function OfficerErasure(p: { token: string }) {
  const [id, setId] = useState('');
  const [confirm, setConfirm] = useState('');
  const erase = useAction(async () => {
    if (!id.trim()) throw new Error('enter the patient id');
    if (confirm.trim() !== id.trim()) throw new Error('type the patient id again to confirm: erasure cannot be undone');
    const r = await api<{ parameter: { name: string; valueInteger?: number; valueInstant?: string }[] }>(`/fhir/Patient/${encodeURIComponent(id.trim())}/$erase`, { token: p.token, body: {}, fhir: true });
    const get = (n: string) => r.parameter.find((x) => x.name === n);
    return `Erased Patient/${id.trim()}: ${get('erasedVersions')?.valueInteger ?? 0} versions of ${get('erasedResources')?.valueInteger ?? 0} resources made unreadable (data keys destroyed) at ${when(get('erasedAt')?.valueInstant)}.`;
  });
  return (
    <Section title="Erasure">
      <div class="warning" role="note">
        <p>Erasure destroys the data keys of every version of the patient's records here: it cannot be undone. The ledger keeps only hashes; the audit trail keeps the fact of erasure.</p>
      </div>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void erase.go();
        }}
      >
        <Field label="Patient id" id="erase-id">
          <input id="erase-id" value={id} onInput={(e) => setId(e.currentTarget.value)} />
        </Field>
        <Field label="Type the patient id again to confirm" id="erase-confirm">
          <input id="erase-confirm" autocomplete="off" value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} />
        </Field>
        <button type="submit" class="danger" disabled={erase.busy}>
          Erase permanently
        </button>
        <Status busy={erase.busy} error={erase.error} done={erase.done} />
      </form>
    </Section>
  );
}
