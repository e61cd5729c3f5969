/**
 * The fields of a new grant, the same wherever a patient grants access (a key of their own, or the
 * custody mode): the organization, the kinds of records, the purpose and how many days. The draft is
 * the caller's state (`useGrantDraft`); `grantDraftProblem` says what is missing before anything is
 * signed or sent.
 */
import { useState } from 'preact/hooks';
import type { Hex } from 'viem';
import { PURPOSES, type PurposeCode } from '../../../src/chain/ids.ts';
import { Field } from '../ui.tsx';

export const RECORD_TYPES = ['Observation', 'Condition', 'AllergyIntolerance', 'MedicationRequest', 'Immunization', 'Procedure', 'DiagnosticReport', 'DocumentReference', 'Encounter'];
export const PURPOSE_LABELS: Record<PurposeCode, string> = { TREAT: 'Treatment', HPAYMT: 'Payment', HOPERAT: 'Operations', HRESCH: 'Research', ETREAT: 'Emergency treatment' };

export interface Participant {
  orgId: Hex;
  name: string;
  kind: string;
  active: boolean;
}

export interface GrantDraft {
  grantee: string;
  types: string[];
  purpose: PurposeCode;
  days: string;
}

export function useGrantDraft(): [GrantDraft, (change: Partial<GrantDraft>) => void] {
  const [draft, setDraft] = useState<GrantDraft>({ grantee: '', types: ['Observation'], purpose: 'TREAT', days: '30' });
  return [draft, (change) => setDraft((d) => ({ ...d, ...change }))];
}

/** What keeps the draft from being granted, or undefined. */
export function grantDraftProblem(d: GrantDraft): string | undefined {
  if (!d.grantee) return 'choose the organization you are granting access to';
  if (d.types.length === 0) return 'choose at least one kind of record';
  const n = Number(d.days);
  if (!(n > 0 && n <= 3650)) return 'the number of days must be between 1 and 3650';
  return undefined;
}

/** The grant's fields; element ids start with `idPrefix` (two forms may share a page). */
export function GrantFields(p: { idPrefix: string; draft: GrantDraft; onChange: (change: Partial<GrantDraft>) => void; participants: Participant[]; selfOrgId: string }) {
  const { draft, onChange } = p;
  const id = (name: string) => `${p.idPrefix}${name}`;
  return (
    <>
      <Field label="Organization" id={id('grantee')}>
        <select id={id('grantee')} value={draft.grantee} onChange={(e) => onChange({ grantee: e.currentTarget.value })} required>
          <option value="">Choose…</option>
          {p.participants
            .filter((o) => o.active && o.orgId.toLowerCase() !== p.selfOrgId.toLowerCase())
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
          {RECORD_TYPES.map((t) => (
            <label>
              <input
                type="checkbox"
                checked={draft.types.includes(t)}
                onChange={(e) => onChange({ types: e.currentTarget.checked ? [...draft.types, t] : draft.types.filter((x) => x !== t) })}
              />{' '}
              {t}
            </label>
          ))}
        </div>
      </fieldset>
      <Field label="Purpose" id={id('purpose')}>
        <select id={id('purpose')} value={draft.purpose} onChange={(e) => onChange({ purpose: e.currentTarget.value as PurposeCode })}>
          {PURPOSES.map((x) => (
            <option value={x}>{PURPOSE_LABELS[x]}</option>
          ))}
        </select>
      </Field>
      <Field label="For how many days" id={id('days')}>
        <input id={id('days')} type="number" min="1" max="3650" value={draft.days} onInput={(e) => onChange({ days: e.currentTarget.value })} />
      </Field>
    </>
  );
}
