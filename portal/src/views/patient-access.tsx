/**
 * "Who accessed my data": the custodian's audit entries about the patient (GET /api/audit/me), each
 * checked here, in the browser: the entry is the leaf its inclusion proof proves, the proof leads to
 * the tree head, the tree head is signed by the organization's key as registered on the ledger, and
 * the signed log is consistent with the root anchored on the ledger (as this node indexed it).
 */
import { useMemo } from 'preact/hooks';
import { base64ToBytes } from '../bytes.ts';
import { hexToBytes, recoverMessageAddress, type Hex } from 'viem';
import { api } from '../api.ts';
import { LineChart } from '../chart.tsx';
import { leafHash, verifyConsistency, verifyInclusion } from '../merkle.ts';
import { sthMessage } from '../messages.ts';
import type { NodeInfo } from '../session.ts';
import { Section, Status, useLoad, when } from '../ui.tsx';

interface AuditEvent {
  recorded: string;
  outcome: string;
  outcomeDesc?: string;
  subtype?: { code: string }[];
  agent: { who: { reference?: string; display?: string } }[];
  entity?: { what?: { reference?: string } }[];
  purposeOfEvent?: { coding?: { code?: string }[] }[];
}
interface MyView {
  org: string;
  sth: { org: string; treeSize: number; root: Hex; timestamp: string; signer: Hex; signature: Hex };
  anchored: { index: number; treeSize: number; root: Hex; blockNumber?: number } | null;
  consistency: { proof: Hex[] } | Hex[] | null;
  entries: { event: AuditEvent; proof: { index: number; leaf: string; proof: Hex[] } }[];
}
interface Checked {
  view: MyView;
  registeredSigner: Hex;
  signerOk: boolean;
  anchor?: { ok: boolean; reason?: string; block?: number };
  rows: { event: AuditEvent; index: number; ok: boolean; reason?: string }[];
}

async function check(token: string, node: NodeInfo): Promise<Checked> {
  const view = await api<MyView>('/api/audit/me', { token });
  const { participant: org } = await api<{ participant: { signer: Hex } }>(`/api/participants/${node.orgId}`);
  const signer = await recoverMessageAddress({ message: sthMessage(view.sth), signature: view.sth.signature });
  const signerOk = signer.toLowerCase() === org.signer.toLowerCase();
  const root = hexToBytes(view.sth.root);
  let anchor: Checked['anchor'];
  if (view.anchored) {
    const proof = Array.isArray(view.consistency) ? view.consistency : (view.consistency?.proof ?? []);
    const c = verifyConsistency(view.anchored.treeSize, view.sth.treeSize, proof.map((h) => hexToBytes(h)), hexToBytes(view.anchored.root), root);
    // The anchored root as this node indexed it from the ledger.
    const onLedger = await api<{ anchors: { index: number; treeSize: number; root: Hex; blockNumber: number }[] }>(`/api/anchors?org=${node.orgId}&kind=audit&log=audit&limit=1000`, { token }).catch(() => ({ anchors: [] }));
    const a = onLedger.anchors.find((x) => x.index === view.anchored!.index);
    const indexed = a && a.root.toLowerCase() === view.anchored.root.toLowerCase() && a.treeSize === view.anchored.treeSize;
    anchor = c.ok ? (indexed ? { ok: true, block: a.blockNumber } : { ok: false, reason: 'the anchored root it cites is not among the anchors indexed from the ledger' }) : c;
  }
  const rows = view.entries.map(({ event, proof }) => {
    const leaf = base64ToBytes(proof.leaf);
    const inc = verifyInclusion(proof.index, view.sth.treeSize, leafHash(leaf), proof.proof.map((h) => hexToBytes(h)), root);
    if (!inc.ok) return { event, index: proof.index, ok: false, reason: inc.reason };
    const same = JSON.stringify(JSON.parse(new TextDecoder().decode(leaf))) === JSON.stringify(event);
    return { event, index: proof.index, ok: same, ...(same ? {} : { reason: 'the entry shown differs from the proven leaf' }) };
  });
  return { view, registeredSigner: org.signer, signerOk, anchor, rows };
}

const who = (e: AuditEvent) => e.agent[0]?.who.reference ?? e.agent[0]?.who.display ?? 'unknown';
const what = (e: AuditEvent) => {
  const refs = (e.entity ?? []).slice(1).flatMap((x) => (x.what?.reference ? [x.what.reference.replace(/\/_history\/\d+$/, '')] : []));
  const types = [...new Set(refs.map((r) => r.split('/')[0]))];
  return [e.subtype?.[0]?.code, refs.length === 1 ? refs[0] : refs.length > 1 ? `${refs.length} records (${types.join(', ')})` : ''].filter(Boolean).join(' ');
};

export function PatientAccess(p: { token: string; node: NodeInfo }) {
  const r = useLoad(() => check(p.token, p.node), [p.token]);
  const perDay = useMemo(() => {
    const m = new Map<string, number>();
    for (const row of r.data?.rows ?? []) m.set(row.event.recorded.slice(0, 10), (m.get(row.event.recorded.slice(0, 10)) ?? 0) + 1);
    return [...m].map(([d, n]) => ({ at: new Date(`${d}T12:00:00Z`), value: n }));
  }, [r.data]);
  const d = r.data;
  const proven = d?.rows.filter((x) => x.ok).length ?? 0;
  return (
    <Section title="Who accessed my data">
      <Status loading={r.loading} error={r.error} what="your access history and its proofs" />
      {d && (
        <>
          <div class={d.signerOk && proven === d.rows.length && d.anchor?.ok !== false ? 'verified' : 'error'} role="status" data-testid="audit-verification">
            <p>
              <strong>
                {proven} of {d.rows.length} entries proven in this browser
              </strong>{' '}
              against {d.view.org}'s audit log of {d.view.sth.treeSize} entries (root <code>{d.view.sth.root.slice(0, 18)}…</code>, signed {when(d.view.sth.timestamp)}).
            </p>
            <p>Tree head signature: {d.signerOk ? `by ${d.registeredSigner}, the key ${d.view.org} registered on the ledger ✓` : `NOT by the registered key ${d.registeredSigner}`}</p>
            <p>
              Ledger anchor:{' '}
              {d.anchor === undefined
                ? 'not anchored yet (entries are anchored in batches; check again in a minute)'
                : d.anchor.ok
                  ? `consistent with the root anchored at tree size ${d.view.anchored!.treeSize} in block ${d.anchor.block} ✓`
                  : `FAILED: ${d.anchor.reason}`}
            </p>
          </div>
          <h3>Accesses per day</h3>
          <LineChart title="Accesses per day" unit="entries" points={perDay} fromZero />
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Scrollable table">
            <table>
              <caption>Every recorded access, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col">Purpose</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Proof</th>
                </tr>
              </thead>
              <tbody>
                {[...d.rows].reverse().map((row) => (
                  <tr>
                    <td>{when(row.event.recorded)}</td>
                    <td>{who(row.event)}</td>
                    <td>{what(row.event)}</td>
                    <td>{row.event.purposeOfEvent?.[0]?.coding?.[0]?.code ?? ''}</td>
                    <td>{row.event.outcome === '0' ? 'allowed' : `denied (${row.event.outcomeDesc ?? row.event.outcome})`}</td>
                    <td>{row.ok ? `entry ${row.index} ✓` : `✗ ${row.reason}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <button type="button" onClick={r.reload}>
            Check again
          </button>
        </>
      )}
    </Section>
  );
}
