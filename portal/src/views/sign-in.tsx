/**
 * Sign-in: staff, clinicians, privacy officers and board users with their node password
 * (POST /api/auth/login); patients with their key — the browser derives their key at this custodian,
 * signs the node's one-time challenge (EIP-191) and sends only the signature.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { custodianAccount, parseMasterKey } from '../keys.ts';
import type { NodeInfo, Session } from '../session.ts';
import { Field, Status, useAction } from '../ui.tsx';
import { patientLoginMessage } from '../messages.ts';
import { CustodyConsent } from './custody.tsx';

interface Login {
  access_token: string;
  roles: string[];
  practitioner?: string;
}

export function SignIn(p: { node: NodeInfo; onSession: (s: Session) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [key, setKey] = useState('');
  const [custodyId, setCustodyId] = useState('');
  const [custody, setCustody] = useState<string | undefined>();
  const staff = useAction(async () => {
    const r = await api<Login>('/api/auth/login', { body: { username, password } });
    p.onSession({ kind: 'user', token: r.access_token, username, roles: r.roles, ...(r.practitioner ? { practitioner: r.practitioner } : {}) });
  });
  const patient = useAction(async () => {
    const master = parseMasterKey(key);
    const account = custodianAccount(master, p.node.orgId);
    const c = await api<{ challenge: string }>('/api/auth/patient/challenge', { body: { address: account.address } });
    const signature = await account.signMessage({ message: patientLoginMessage(p.node.orgId, c.challenge) });
    const r = await api<Login>('/api/auth/patient/login', { body: { address: account.address, challenge: c.challenge, signature } });
    setKey('');
    p.onSession({ kind: 'patient', token: r.access_token, address: account.address, master, orgId: p.node.orgId });
  });
  if (custody) return <CustodyConsent node={p.node} patientId={custody} onDone={() => setCustody(undefined)} />;
  return (
    <div class="signin">
      <form
        aria-labelledby="staff-title"
        onSubmit={(e) => {
          e.preventDefault();
          void staff.go();
        }}
      >
        <h2 id="staff-title">Staff, clinicians, officers</h2>
        <Field label="Username" id="username">
          <input id="username" name="username" autocomplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </Field>
        <Field label="Password" id="password">
          <input id="password" name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        <button type="submit" disabled={staff.busy}>
          Sign in
        </button>
        <Status {...staff} />
      </form>
      <form
        aria-labelledby="patient-title"
        onSubmit={(e) => {
          e.preventDefault();
          void patient.go();
        }}
      >
        <h2 id="patient-title">Patients</h2>
        <Field label="Your master key" id="master-key" hint="64 hex digits, or paste your key file. It stays in this browser: only a signature is sent.">
          <input id="master-key" name="master-key" type="password" autocomplete="off" spellcheck={false} required aria-describedby="master-key-hint" value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        </Field>
        <button type="submit" disabled={patient.busy}>
          Sign in with my key
        </button>
        <Status {...patient} />
      </form>
      <form
        aria-labelledby="custody-title"
        onSubmit={(e) => {
          e.preventDefault();
          if (custodyId.trim()) setCustody(custodyId.trim());
        }}
      >
        <h2 id="custody-title">Patients whose key this organization keeps</h2>
        <Field label="Your patient id" id="custody-id" hint="From your activation message. You will be asked for your passphrase for each action.">
          <input id="custody-id" required aria-describedby="custody-id-hint" value={custodyId} onInput={(e) => setCustodyId(e.currentTarget.value)} />
        </Field>
        <button type="submit">Continue with my passphrase</button>
      </form>
    </div>
  );
}
