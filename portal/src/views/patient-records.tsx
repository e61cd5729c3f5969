/**
 * "My records": the patient's own records at this custodian (GET /api/patient/records), grouped by
 * kind, with their vital signs charted over time.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { LineChart } from '../chart.tsx';
import { Field, Section, Status, useLoad, when } from '../ui.tsx';
import { VITALS } from './clinician.tsx';

interface Resource {
  resourceType: string;
  id: string;
  meta?: { versionId?: string; lastUpdated?: string };
  code?: { text?: string; coding?: { code?: string; display?: string }[] };
  valueQuantity?: { value?: number; unit?: string };
  effectiveDateTime?: string;
}

const describe = (r: Resource) => `${r.code?.text ?? r.code?.coding?.[0]?.display ?? ''}${r.valueQuantity ? ` ${r.valueQuantity.value} ${r.valueQuantity.unit ?? ''}` : ''}`.trim() || r.resourceType;

export function PatientRecords(p: { token: string }) {
  const r = useLoad(() => api<{ patients: { patientId: string; total: number; resources: Resource[] }[] }>('/api/patient/records', { token: p.token }), [p.token]);
  const [vital, setVital] = useState<string>(VITALS[0].code);
  const all = (r.data?.patients ?? []).flatMap((x) => x.resources).filter((x) => x.resourceType !== 'Patient');
  const v = VITALS.find((x) => x.code === vital)!;
  const points = all
    .filter((o) => o.resourceType === 'Observation' && o.code?.coding?.some((c) => c.code === vital) && typeof o.valueQuantity?.value === 'number' && o.effectiveDateTime)
    .map((o) => ({ at: new Date(o.effectiveDateTime!), value: o.valueQuantity!.value! }));
  const byType = new Map<string, Resource[]>();
  for (const x of all) byType.set(x.resourceType, [...(byType.get(x.resourceType) ?? []), x]);
  return (
    <>
      <Section title="My records">
        <Status loading={r.loading} error={r.error} what="your records" />
        {r.data && all.length === 0 && <p>This organization holds no records of yours yet.</p>}
        {[...byType].map(([type, list]) => (
          <div class="table-wrap" tabIndex={0} role="region" aria-label={`${type} records`}>
            <table>
              <caption>
                {type} ({list.length})
              </caption>
              <thead>
                <tr>
                  <th scope="col">What</th>
                  <th scope="col">When</th>
                  <th scope="col">Version</th>
                </tr>
              </thead>
              <tbody>
                {list.map((x) => (
                  <tr>
                    <td>{describe(x)}</td>
                    <td>{when(x.effectiveDateTime ?? x.meta?.lastUpdated)}</td>
                    <td>{x.meta?.versionId ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      </Section>
      {points.length > 0 || all.some((x) => x.resourceType === 'Observation') ? (
        <Section title="My vital signs">
          <Field label="Vital sign" id="my-vital">
            <select id="my-vital" value={vital} onChange={(e) => setVital(e.currentTarget.value)}>
              {VITALS.map((x) => (
                <option value={x.code}>{x.display}</option>
              ))}
            </select>
          </Field>
          <LineChart title={v.display} unit={v.label} points={points} />
        </Section>
      ) : null}
    </>
  );
}
