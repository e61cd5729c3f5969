/**
 * The clinician's desk: patients at this organization (FHIR search), a patient's records and vitals
 * chart, a vital-sign form (Observation with its LOINC code and UCUM unit), a raw FHIR editor for any
 * other resource, and fetching from other organizations by consent or, in an emergency, break-glass.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { LineChart } from '../chart.tsx';
import { Field, Section, Status, useAction, useLoad, when } from '../ui.tsx';

interface Resource {
  resourceType: string;
  id?: string;
  [k: string]: unknown;
}
interface Bundle {
  total?: number;
  entry?: { resource: Resource }[];
}
interface Patient extends Resource {
  name?: { family?: string; given?: string[] }[];
  birthDate?: string;
  gender?: string;
}
interface Observation extends Resource {
  code?: { coding?: { code?: string; display?: string }[]; text?: string };
  valueQuantity?: { value?: number; unit?: string };
  effectiveDateTime?: string;
}

/** Common vital signs (LOINC, with the UCUM unit the FHIR vital-signs profile expects). */
export const VITALS = [
  { code: '8867-4', display: 'Heart rate', unit: '/min', label: 'beats/min' },
  { code: '29463-7', display: 'Body weight', unit: 'kg', label: 'kg' },
  { code: '8310-5', display: 'Body temperature', unit: 'Cel', label: '°C' },
  { code: '8480-6', display: 'Systolic blood pressure', unit: 'mm[Hg]', label: 'mmHg' },
] as const;

const nameOf = (p: Patient) => [p.name?.[0]?.given?.join(' '), p.name?.[0]?.family].filter(Boolean).join(' ') || `Patient/${p.id}`;
const summary = (r: Resource): string => {
  const o = r as Observation;
  if (r.resourceType === 'Observation') return `${o.code?.coding?.[0]?.display ?? o.code?.text ?? o.code?.coding?.[0]?.code ?? ''} ${o.valueQuantity?.value ?? ''} ${o.valueQuantity?.unit ?? ''}`.trim();
  const c = (r as { code?: { text?: string; coding?: { display?: string }[] } }).code;
  return c?.text ?? c?.coding?.[0]?.display ?? '';
};

export function ClinicianPatients(p: { token: string }) {
  const [q, setQ] = useState('');
  const [selected, setSelected] = useState<Patient | undefined>();
  const list = useLoad(() => api<Bundle>('/fhir/Patient?_count=50', { token: p.token }), [p.token]);
  const patients = (list.data?.entry ?? []).map((e) => e.resource as Patient).filter((x) => nameOf(x).toLowerCase().includes(q.toLowerCase()));
  return (
    <>
      <Section title="Patients">
        <Field label="Filter by name" id="patient-filter">
          <input id="patient-filter" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </Field>
        <Status loading={list.loading} error={list.error} what="patients" />
        {list.data && patients.length === 0 && <p>No patients match.</p>}
        <ul class="patients">
          {patients.map((x) => (
            <li>
              <button type="button" class={selected?.id === x.id ? 'link current' : 'link'} aria-pressed={selected?.id === x.id} onClick={() => setSelected(x)}>
                {nameOf(x)}
              </button>{' '}
              <span class="hint">
                {x.gender ?? ''} {x.birthDate ?? ''}
              </span>
            </li>
          ))}
        </ul>
      </Section>
      {selected && <PatientRecords token={p.token} patient={selected} />}
    </>
  );
}

function PatientRecords(p: { token: string; patient: Patient }) {
  const id = p.patient.id!;
  const all = useLoad(() => api<Bundle>(`/fhir/Patient/${id}/$everything`, { token: p.token }), [id]);
  const [vital, setVital] = useState<string>(VITALS[0].code);
  const [value, setValue] = useState('');
  const [at, setAt] = useState(() => new Date(Date.now() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16)); // local time, as the input shows it
  const v = VITALS.find((x) => x.code === vital)!;
  const add = useAction(async () => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new Error(`enter the ${v.display.toLowerCase()} as a number`);
    const obs = {
      resourceType: 'Observation',
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: v.code, display: v.display }] },
      subject: { reference: `Patient/${id}` },
      effectiveDateTime: new Date(at).toISOString(),
      valueQuantity: { value: n, unit: v.unit, system: 'http://unitsofmeasure.org', code: v.unit },
    };
    const r = await api<Resource>('/fhir/Observation', { token: p.token, body: obs, fhir: true });
    setValue('');
    all.reload();
    return `Saved Observation/${r.id}.`;
  });
  const resources = (all.data?.entry ?? []).map((e) => e.resource).filter((r) => r.resourceType !== 'Patient');
  const points = resources
    .filter((r): r is Observation => r.resourceType === 'Observation' && (r as Observation).code?.coding?.some((c) => c.code === vital) === true)
    .filter((o) => typeof o.valueQuantity?.value === 'number' && o.effectiveDateTime)
    .map((o) => ({ at: new Date(o.effectiveDateTime!), value: o.valueQuantity!.value! }));
  return (
    <>
      <Section title={`Records of ${nameOf(p.patient)}`}>
        <Status loading={all.loading} error={all.error} what="records" />
        {all.data && resources.length === 0 && <p>No records yet.</p>}
        {resources.length > 0 && (
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Scrollable table">
            <table>
              <caption>{resources.length} records at this organization</caption>
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Summary</th>
                  <th scope="col">Date</th>
                </tr>
              </thead>
              <tbody>
                {resources.map((r) => (
                  <tr>
                    <td>
                      {r.resourceType}/{r.id}
                    </td>
                    <td>{summary(r)}</td>
                    <td>{when((r as Observation).effectiveDateTime ?? (r.meta as { lastUpdated?: string } | undefined)?.lastUpdated)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <Section title="Vital signs">
        <Field label="Vital sign" id="vital">
          <select id="vital" value={vital} onChange={(e) => setVital(e.currentTarget.value)}>
            {VITALS.map((x) => (
              <option value={x.code}>{x.display}</option>
            ))}
          </select>
        </Field>
        <LineChart title={v.display} unit={v.label} points={points} />
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void add.go();
          }}
        >
          <h3>Record a {v.display.toLowerCase()}</h3>
          <Field label={`Value (${v.label})`} id="vital-value">
            <input id="vital-value" inputMode="decimal" required value={value} onInput={(e) => setValue(e.currentTarget.value)} />
          </Field>
          <Field label="Taken at" id="vital-at">
            <input id="vital-at" type="datetime-local" required value={at} onInput={(e) => setAt(e.currentTarget.value)} />
          </Field>
          <button type="submit" disabled={add.busy}>
            Save observation
          </button>
          <Status busy={add.busy} error={add.error} done={add.done} />
        </form>
      </Section>
      <RawEditor token={p.token} patientId={id} onSaved={all.reload} />
    </>
  );
}

function RawEditor(p: { token: string; patientId: string; onSaved: () => void }) {
  const [text, setText] = useState(() => JSON.stringify({ resourceType: 'Condition', subject: { reference: `Patient/${p.patientId}` }, code: { text: 'Seasonal allergic rhinitis' }, clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] } }, null, 2));
  const save = useAction(async () => {
    let r: Resource;
    try {
      r = JSON.parse(text) as Resource;
    } catch (err) {
      throw new Error(`not valid JSON: ${(err as Error).message}`);
    }
    if (typeof r.resourceType !== 'string' || !/^[A-Z][A-Za-z]+$/.test(r.resourceType)) throw new Error('the resource needs a resourceType');
    const saved = await api<Resource>(`/fhir/${r.resourceType}`, { token: p.token, body: r, fhir: true });
    p.onSaved();
    return `Saved ${saved.resourceType}/${saved.id}.`;
  });
  return (
    <Section title="Raw FHIR editor">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save.go();
        }}
      >
        <Field label="FHIR R4 resource (JSON)" id="raw-fhir" hint="Any resource type the node stores; it is validated against the R4 definitions.">
          <textarea id="raw-fhir" rows={10} spellcheck={false} aria-describedby="raw-fhir-hint" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </Field>
        <button type="submit" disabled={save.busy}>
          Create resource
        </button>
        <Status busy={save.busy} error={save.error} done={save.done} />
      </form>
    </Section>
  );
}

export function ClinicianExchange(p: { token: string }) {
  const [patient, setPatient] = useState('');
  const [emergency, setEmergency] = useState(false);
  const [reason, setReason] = useState('');
  const [understood, setUnderstood] = useState(false);
  const [result, setResult] = useState<{ entry: { resource: Resource }[]; custodians: unknown[]; problems: unknown[] } | undefined>();
  const run = useAction(async () => {
    if (!/^0x[0-9a-fA-F]{40}$/.test(patient.trim())) throw new Error("enter the patient's address (0x and 40 hex digits) as their grant names it");
    if (emergency && reason.trim().length < 10) throw new Error('describe the emergency (at least 10 characters): the reason goes on the record');
    if (emergency && !understood) throw new Error('confirm that you understand the break-glass access will be reviewed');
    const r = await api<{ entry: { resource: Resource }[]; custodians: unknown[]; problems: unknown[] }>('/api/exchange/fetch', {
      token: p.token,
      body: { patient: patient.trim(), purpose: emergency ? 'ETREAT' : 'TREAT', ...(emergency ? { emergencyReason: reason.trim() } : {}) },
    });
    setResult(r);
    return `${r.entry.length} records from ${r.custodians.length} organizations, each verified against the ledger.`;
  });
  return (
    <Section title="Records from other organizations">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run.go();
        }}
      >
        <Field label="Patient's address" id="xpatient" hint="From the consent notice this organization received.">
          <input id="xpatient" spellcheck={false} aria-describedby="xpatient-hint" value={patient} onInput={(e) => setPatient(e.currentTarget.value)} />
        </Field>
        <label class="inline">
          <input type="checkbox" checked={emergency} onChange={(e) => setEmergency(e.currentTarget.checked)} /> Emergency access without consent (break-glass)
        </label>
        {emergency && (
          <div class="warning" role="note">
            <h3>Break-glass is for emergencies only</h3>
            <p>
              This access is recorded on the shared ledger naming you and this organization, reviewed by the privacy officers here and at every custodian, and shown to the patient. Unjustified access is a reportable breach.
            </p>
            <Field label="Reason for emergency access" id="bg-reason">
              <textarea id="bg-reason" rows={3} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            </Field>
            <label class="inline">
              <input type="checkbox" checked={understood} onChange={(e) => setUnderstood(e.currentTarget.checked)} /> I understand, and this is an emergency
            </label>
          </div>
        )}
        <button type="submit" class={emergency ? 'danger' : ''} disabled={run.busy}>
          {emergency ? 'Break the glass and fetch' : 'Fetch with consent'}
        </button>
        <Status busy={run.busy} error={run.error} done={run.done} />
      </form>
      {result && (
        <ul>
          {result.entry.map((e) => (
            <li>
              {e.resource.resourceType}/{e.resource.id} {summary(e.resource)}
            </li>
          ))}
          {result.problems.map((x) => (
            <li class="error">{typeof x === 'string' ? x : JSON.stringify(x)}</li>
          ))}
        </ul>
      )}
    </Section>
  );
}
