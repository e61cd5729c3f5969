/**
 * The Carechain portal: one page served by each node under /portal, calling that node's API only.
 * Views by role, addressed by the URL hash (#/access, #/patients, …) so each has a link and the
 * browser's back button works.
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.ts';
import type { NodeInfo, Session } from './session.ts';
import { Status, useLoad } from './ui.tsx';
import { BoardCredentials, Directory } from './views/board.tsx';
import { ClinicianExchange, ClinicianPatients } from './views/clinician.tsx';
import { OfficerAudit, OfficerBreakGlass, OfficerErasure, OfficerFlags } from './views/officer.tsx';
import { PatientAccess } from './views/patient-access.tsx';
import { PatientConsent } from './views/patient-consent.tsx';
import { PatientRecords } from './views/patient-records.tsx';
import { SignIn } from './views/sign-in.tsx';
import { SupplyVerify } from './views/supply.tsx';

interface View {
  path: string;
  label: string;
  render: (s: Session, node: NodeInfo) => preact.JSX.Element;
}

/** The views a session may open, in menu order. */
function viewsFor(s: Session): View[] {
  if (s.kind === 'patient')
    return [
      { path: 'records', label: 'My records', render: (x) => <PatientRecords token={x.token} /> },
      { path: 'access', label: 'Who accessed my data', render: (x, n) => <PatientAccess token={x.token} node={n} /> },
      { path: 'consent', label: 'My consents', render: (x, n) => <PatientConsent session={x as Extract<Session, { kind: 'patient' }>} node={n} /> },
    ];
  const has = (r: string) => s.roles.includes(r);
  const v: View[] = [];
  if (has('clinician')) v.push({ path: 'patients', label: 'Patients', render: (x) => <ClinicianPatients token={x.token} /> }, { path: 'exchange', label: 'Other organizations', render: (x) => <ClinicianExchange token={x.token} /> });
  if (has('privacy-officer'))
    v.push(
      { path: 'flags', label: 'Flags', render: (x) => <OfficerFlags token={x.token} /> },
      { path: 'break-glass', label: 'Break-glass reviews', render: (x) => <OfficerBreakGlass token={x.token} /> },
      { path: 'audit', label: 'Audit search', render: (x) => <OfficerAudit token={x.token} /> },
      { path: 'erasure', label: 'Erasure', render: (x) => <OfficerErasure token={x.token} /> },
    );
  if (has('staff')) v.push({ path: 'supply', label: 'Verify a product', render: (x) => <SupplyVerify token={x.token} /> });
  if (has('admin')) v.push({ path: 'credentials', label: 'Credentials', render: (x) => <BoardCredentials token={x.token} /> });
  if (['clinician', 'staff', 'privacy-officer', 'admin'].some(has)) v.push({ path: 'directory', label: 'Directory', render: (x) => <Directory token={x.token} /> });
  return v;
}

const hashPath = () => location.hash.replace(/^#\/?/, '');

function App() {
  const node = useLoad(() => api<{ orgId: `0x${string}`; name: string }>('/api/consent/custodian').then(async (c) => ({ ...c, ...(await api<{ org: string; registered: { kind: string } | null }>('/api/node').then((n) => ({ org: n.org, kind: n.registered?.kind ?? '' }))) })), []);
  const [session, setSession] = useState<Session | undefined>();
  const [path, setPath] = useState(hashPath());
  const main = useRef<HTMLElement>(null);
  useEffect(() => {
    const on = () => setPath(hashPath());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const views = session ? viewsFor(session) : [];
  const view = views.find((v) => v.path === path) ?? views[0];
  useEffect(() => {
    document.title = `${view ? `${view.label} · ` : ''}${node.data?.name ?? 'Carechain'} portal`;
    main.current?.focus();
  }, [view?.path, node.data?.name]);
  const n = node.data as NodeInfo | undefined;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); main.current?.focus(); }}>
        Skip to content
      </a>
      <header>
        <div class="brand">
          <span class="logo" aria-hidden="true">✚</span> {n ? n.name : 'Carechain'} <span class="hint">portal</span>
        </div>
        {session && (
          <div class="who">
            <span>{session.kind === 'patient' ? `Patient ${session.address.slice(0, 8)}…` : `${session.username} (${session.roles.join(', ')})`}</span>
            <button type="button" class="link" onClick={() => { setSession(undefined); location.hash = ''; }}>
              Sign out
            </button>
          </div>
        )}
      </header>
      {session && views.length > 0 && (
        <nav aria-label="Views">
          <ul>
            {views.map((v) => (
              <li>
                <a href={`#/${v.path}`} aria-current={v === view ? 'page' : undefined}>
                  {v.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <main id="main" ref={main} tabIndex={-1}>
        <h1 class="visually-hidden">{view ? view.label : 'Sign in'}</h1>
        <Status loading={node.loading} error={node.error} what="this node" />
        {n && !session && <SignIn node={n} onSession={(s) => { setSession(s); location.hash = ''; }} />}
        {n && session && views.length === 0 && <p role="alert">This account has no role the portal serves yet.</p>}
        {n && session && view && view.render(session, n)}
      </main>
      <footer>
        <p>
          Carechain node <code>{n?.org}</code>. Everything shown here is read from this node; proofs are checked in your browser.
        </p>
      </footer>
    </>
  );
}

const root = document.getElementById('app')!;
root.textContent = ''; // the static "Loading…" placeholder
render(<App />, root);
