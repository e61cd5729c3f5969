/**
 * Supply chain (pharmacy, distributor, manufacturer staff): scan or type a product's barcode (GS1
 * element string or Digital Link) and verify it (POST /api/supply/verify, routed by the node to the
 * GTIN owner when it does not hold the serial): the DSCSA answer, every finding and the ledger block
 * it was decided against.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Field, Section, Status, useAction } from '../ui.tsx';

interface Verification {
  verificationTimestamp: string;
  data: { verified: boolean; verificationFailureReason?: string };
  carechain: { answer: string; findings: { answer: string; message: string }[]; product: { gtin: string; serial: string; lot?: string; expiry?: string }; indexedBlock: number; routedTo?: string };
}

export function SupplyVerify(p: { token: string }) {
  const [barcode, setBarcode] = useState('');
  const [result, setResult] = useState<Verification | undefined>();
  const verify = useAction(async () => {
    setResult(undefined);
    const r = await api<Verification>('/api/supply/verify', { token: p.token, body: { barcode: barcode.trim() } });
    setResult(r);
  });
  return (
    <Section title="Verify a product">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void verify.go();
        }}
      >
        <Field label="Barcode" id="barcode" hint="Scan the 2D code into this field, or type the GS1 element string, e.g. (01)00614141000012(21)SN1(10)A1(17)311231.">
          <input id="barcode" required autocomplete="off" spellcheck={false} aria-describedby="barcode-hint" value={barcode} onInput={(e) => setBarcode(e.currentTarget.value)} />
        </Field>
        <button type="submit" disabled={verify.busy}>
          Verify
        </button>
        <Status busy={verify.busy} error={verify.error} />
      </form>
      {result && (
        <div class={result.data.verified ? 'verified' : 'error'} role="status" data-testid="supply-result">
          <p>
            <strong>{result.data.verified ? 'Verified' : `NOT verified: ${result.carechain.answer}`}</strong>
            {result.data.verificationFailureReason ? ` (${result.data.verificationFailureReason})` : ''}
          </p>
          <p>
            GTIN {result.carechain.product.gtin}, serial {result.carechain.product.serial}
            {result.carechain.product.lot ? `, lot ${result.carechain.product.lot}` : ''}
            {result.carechain.product.expiry ? `, expires ${result.carechain.product.expiry}` : ''}; decided against ledger block {result.carechain.indexedBlock}
            {result.carechain.routedTo ? ` by the GTIN owner's node` : ''}.
          </p>
          <ul>
            {result.carechain.findings.map((f) => (
              <li>
                {f.answer}: {f.message}
              </li>
            ))}
          </ul>
          {!result.data.verified && <p>Do not dispense or sell this product: quarantine it and open an exception.</p>}
        </div>
      )}
    </Section>
  );
}
