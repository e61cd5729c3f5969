/**
 * The web portal in a real browser (Debian's Chromium driven by playwright-core) against a real node
 * on the embedded chain: each role's main task done through the UI, axe-core run on every view
 * (WCAG 2 A/AA rules, no violations allowed), and a screenshot of each view (saved under
 * docs/screenshots/ when CARECHAIN_UPDATE_SCREENSHOTS=1).
 * storage-engine: sqlite-only
 */
import axe from 'axe-core';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { buildPortal } from '../scripts/build-portal.ts';
import { masterAccount, patientLink } from '../src/cli/consent.ts';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import type { RunningNode } from '../src/node/start.ts';
import { startNode } from '../src/node/start.ts';
import { licenseTestPractitioner, registerTestOrg, runCli, startTestNode, tempDir, testNodeConfig, type TestOrg } from './helpers/env.ts';
import { activationCodeFor, custodyPatient, patientWithPhone } from './helpers/patients.ts';

const CHROMIUM = process.env.CARECHAIN_CHROMIUM ?? '/usr/bin/chromium';
const PASSWORD = 'a long enough password';
const tmp = tempDir();
/** Screenshots go to docs/screenshots with CARECHAIN_UPDATE_SCREENSHOTS=1 (so a test run leaves the tree clean), else beside the test's data. */
const SHOTS = process.env.CARECHAIN_UPDATE_SCREENSHOTS === '1' ? join(import.meta.dirname, '..', 'docs', 'screenshots') : join(tmp.dir, 'screenshots');
let chain: EmbeddedChain;
let org: TestOrg;
let node: RunningNode;
let boardNode: RunningNode;
let admin: string;
let browser: Browser;
let page: Page;
let patientId: string;
let erasable: string;
let custodial: string;
const PASSPHRASE = 'my custody passphrase';
const master = generatePrivateKey();
const figures: Record<string, number> = {};

async function call(token: string | undefined, method: string, path: string, body?: unknown) {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': path.startsWith('/fhir') ? 'application/fhir+json' : 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
}

/** axe-core's WCAG 2 A and AA rules on the page as it is now; fails on any violation. */
async function accessible(view: string): Promise<void> {
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const r = await (window as unknown as { axe: typeof axe }).axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')})`);
  });
  assert.deepEqual(violations, [], `axe-core violations on ${view}`);
}

/** Waits for `what`, or fails at once with the alert the portal showed instead. */
async function expectShown(what: ReturnType<Page['locator']>, timeout = 30_000): Promise<void> {
  const alert = page.getByRole('alert').first();
  await Promise.race([what.waitFor({ timeout }), alert.waitFor({ timeout }).then(async () => assert.fail(`the portal said: ${await alert.textContent()}`))]);
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function signInAs(username: string, at = node.url): Promise<void> {
  await page.goto(`${at}/portal/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

async function signOut(): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Staff, clinicians, officers' }).waitFor();
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  mkdirSync(SHOTS, { recursive: true });
  const built = await buildPortal({ quiet: true });
  figures.bundleBytes = built.bytes;
  ({ chain, org, node, token: admin } = await startTestNode(tmp.dir, 'portal-hospital', { anchorIntervalMs: 300 }));
  await registerTestOrg(chain, tmp.dir, 'portal-clinic', 'clinic');
  for (const [username, role, extra] of [
    ['dr.portal', 'clinician', ['--practitioner', 'Practitioner/portal']],
    ['po.portal', 'privacy-officer', []],
    ['st.portal', 'staff', []],
  ] as const) {
    const r = await runCli(['user', 'add', '--org', org.slug, '--home', tmp.dir, '--username', username, '--role', role, ...extra], { CARECHAIN_PASSWORD: PASSWORD });
    assert.equal(r.code, 0, r.stderr);
  }
  const { board } = await licenseTestPractitioner(chain, tmp.dir, { url: node.url, token: admin }, 'Practitioner/portal');
  // The licensing board (registered and scoped by the helper) runs its own node, with an operator user.
  boardNode = await startNode(testNodeConfig({ org: board.slug, home: tmp.dir, port: 0, rpcUrl: chain.anvil.rpcUrl, logLevel: 'silent' }));
  const b = await runCli(['user', 'add', '--org', board.slug, '--home', tmp.dir, '--username', 'board.admin', '--role', 'admin'], { CARECHAIN_PASSWORD: PASSWORD });
  assert.equal(b.code, 0, b.stderr);
  // A patient on file with a phone; they link their own key with the code sent there.
  patientId = (await call(admin, 'POST', '/fhir/Patient', { ...patientWithPhone('Portal'), name: [{ family: 'Portal', given: ['Pat'] }], birthDate: '1980-04-02', gender: 'female' })).body.id;
  assert.equal((await call(admin, 'POST', `/api/patients/${patientId}/activation`, {})).status, 201);
  await patientLink({ url: node.url, token: '' }, masterAccount(master), { patientId, code: activationCodeFor(org.dataDir, patientId) });
  erasable = (await call(admin, 'POST', '/fhir/Patient', patientWithPhone('Erasable'))).body.id;
  custodial = (await call(admin, 'POST', '/fhir/Patient', patientWithPhone('Custodial', '+1 555 0177'))).body.id;
  await custodyPatient({ url: node.url, token: admin, dataDir: org.dataDir }, custodial, PASSPHRASE);
  // Earlier heart rates, so the chart has a history.
  const clin = (await call(undefined, 'POST', '/api/auth/login', { username: 'dr.portal', password: PASSWORD })).body.access_token as string;
  for (const [days, bpm] of [[20, 72], [12, 80], [5, 76]] as const) {
    const r = await call(clin, 'POST', '/fhir/Observation', {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
      subject: { reference: `Patient/${patientId}` },
      effectiveDateTime: new Date(Date.now() - days * 86_400_000).toISOString(),
      valueQuantity: { value: bpm, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  // bypassCSP: the portal's policy forbids inline scripts, which is how axe-core is injected.
  page = await browser.newPage({ viewport: { width: 1280, height: 860 }, bypassCSP: true });
});

after(async () => {
  await browser?.close();
  await boardNode?.stop();
  await node?.stop();
  await chain?.stop();
  tmp.remove();
  console.log(`portal figures: ${JSON.stringify(figures)}`);
});

test('the node serves the portal; the sign-in page loads, is accessible, and states a wrong password plainly', async () => {
  const t0 = performance.now();
  await page.goto(`${node.url}/portal/`);
  await page.getByRole('heading', { name: 'Staff, clinicians, officers' }).waitFor();
  figures.firstLoadMs = Math.round(performance.now() - t0);
  const nav = await page.evaluate(() => performance.getEntriesByType('navigation')[0]?.toJSON() as { domContentLoadedEventEnd: number; loadEventEnd: number });
  figures.domContentLoadedMs = Math.round(nav.domContentLoadedEventEnd);
  assert.equal((await fetch(`${node.url}/portal/../api/node`)).status, 200); // normalised by the client, not a traversal
  assert.equal((await fetch(`${node.url}/portal/%2e%2e/%2e%2e/package.json`)).status, 404);
  await accessible('sign-in');
  await shot('sign-in');
  await page.getByLabel('Username').fill('dr.portal');
  await page.getByLabel('Password', { exact: true }).fill('wrong password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByText('wrong username or password').waitFor();
  await page.setViewportSize({ width: 390, height: 844 });
  await shot('sign-in-phone');
  await page.setViewportSize({ width: 1280, height: 860 });
});

test('clinician: opens a patient, records a heart rate with the form (charted), a Condition with the raw editor; break-glass asks for a reason and warns', async () => {
  await signInAs('dr.portal');
  await page.getByRole('button', { name: 'Pat Portal' }).click();
  await page.getByRole('table').filter({ hasText: 'records at this organization' }).waitFor();
  await page.getByLabel('Value (beats/min)').fill('88');
  await page.getByRole('button', { name: 'Save observation' }).click();
  await expectShown(page.getByText(/Saved Observation\//));
  await page.locator('figcaption', { hasText: '4 values from' }).waitFor(); // the new value is on the chart
  await accessible('clinician patients');
  await shot('clinician-patient');
  await page.getByRole('button', { name: 'Create resource' }).click();
  await expectShown(page.getByText(/Saved Condition\//));
  await page.getByRole('cell', { name: 'Seasonal allergic rhinitis' }).waitFor();
  // A FHIR error is shown as the node's OperationOutcome says it.
  await page.getByLabel('FHIR R4 resource (JSON)').fill('{"resourceType":"Observation","status":"bogus"}');
  await page.getByRole('button', { name: 'Create resource' }).click();
  await page.locator('.error').filter({ hasText: /status|code/ }).first().waitFor();

  await page.getByRole('link', { name: 'Other organizations' }).click();
  await page.getByLabel('Emergency access without consent (break-glass)').check();
  await page.getByRole('heading', { name: 'Break-glass is for emergencies only' }).waitFor();
  await page.getByLabel("Patient's address").fill('0x' + '1'.repeat(40));
  await page.getByRole('button', { name: 'Break the glass and fetch' }).click();
  await page.getByText('describe the emergency').waitFor(); // no reason, no request
  await accessible('clinician exchange');
  await shot('clinician-break-glass');
  await signOut();
});

test('patient: signs in with their key (derived and used in the browser), sees their records and every access proven in the browser, grants and revokes consent, appoints a proxy', async () => {
  await page.goto(`${node.url}/portal/`);
  const sent: string[] = [];
  page.on('request', (r) => sent.push(`${r.url()} ${r.postData() ?? ''}`));
  await page.getByLabel('Your master key').fill(master);
  await page.getByRole('button', { name: 'Sign in with my key' }).click();
  // Their own records here (the clinician's heart rates and Condition), and the heart rate charted.
  await expectShown(page.getByRole('table', { name: /Observation \(4\)/ }));
  await page.getByRole('cell', { name: 'Seasonal allergic rhinitis' }).waitFor();
  await page.locator('figcaption', { hasText: '4 values from' }).waitFor();
  await accessible('patient records');
  await shot('patient-records');
  await page.getByRole('link', { name: 'Who accessed my data' }).click();
  const verification = page.getByTestId('audit-verification');
  await expectShown(verification);
  const text = (await verification.textContent()) ?? '';
  const m = /(\d+) of (\d+) entries proven in this browser/.exec(text);
  assert.ok(m && Number(m[1]) === Number(m[2]) && Number(m[1]) >= 5, text); // the views and writes of the clinician above, at least
  assert.match(text, /the key portal-hospital registered on the ledger ✓/);
  await page.getByRole('cell', { name: 'Practitioner/portal' }).first().waitFor();
  await accessible('patient access');
  await shot('patient-access');
  await page.setViewportSize({ width: 390, height: 844 });
  await accessible('patient access (phone)');
  await shot('patient-access-phone');
  await page.setViewportSize({ width: 1280, height: 860 });

  await page.getByRole('link', { name: 'My consents' }).click();
  await page.getByText('You have not granted anyone access yet.').waitFor();
  await page.getByLabel('Organization').selectOption({ label: 'Test portal-clinic (clinic)' });
  await page.getByLabel('Condition').check();
  await page.getByRole('button', { name: 'Sign and grant' }).click();
  await expectShown(page.getByText(/Granted Test portal-clinic access \(block \d+\)/));
  await page.getByRole('cell', { name: /active since block/ }).waitFor();
  await accessible('patient consent');
  await shot('patient-consent');
  await page.getByRole('button', { name: /Revoke grant/ }).click();
  await expectShown(page.getByText(/Revoked, effective from block \d+/));
  await page.getByRole('cell', { name: /revoked in block/ }).waitFor();
  await page.getByLabel("Proxy's address").fill(privateKeyToAccount(generatePrivateKey()).address);
  await page.getByRole('button', { name: 'Sign and appoint' }).click();
  await expectShown(page.getByText(/Appointed 0x.* as your proxy here until .* \(block \d+\)/));
  await page.getByText('Nobody has used emergency (break-glass) access to your records here.').waitFor();
  assert.ok(!sent.some((s) => s.includes(master.slice(2))), 'the master key left the browser');
  await signOut();
});

test('privacy officer: flags, break-glass reviews, an audit search for the patient, and an erasure confirmed twice', async () => {
  await signInAs('po.portal');
  await page.getByRole('heading', { name: 'Insider-threat flags' }).waitFor();
  await page.locator('main').getByText(/No flags in the last day|Evidence: audit entries/).first().waitFor();
  await accessible('officer flags');
  await shot('officer-flags');
  await page.getByRole('link', { name: 'Break-glass reviews' }).click();
  await page.getByText('No emergency accesses.').waitFor();
  await accessible('officer break-glass');
  await page.getByRole('link', { name: 'Audit search' }).click();
  await page.getByLabel('Patient id').fill(patientId);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByText(/\d+ entries \(of \d+ in the log\)/).waitFor();
  await page.getByRole('cell', { name: 'Practitioner/portal' }).first().waitFor();
  await accessible('officer audit');
  await shot('officer-audit');
  await page.getByRole('link', { name: 'Erasure' }).click();
  await page.getByLabel('Patient id', { exact: true }).fill(erasable);
  await page.getByRole('button', { name: 'Erase permanently' }).click();
  await page.getByRole('alert').filter({ hasText: 'type the patient id again to confirm' }).waitFor(); // one id typed once erases nothing
  await page.getByLabel('Type the patient id again to confirm').fill(erasable);
  await page.getByRole('button', { name: 'Erase permanently' }).click();
  await expectShown(page.getByText(new RegExp(`Erased Patient/${erasable}: \\d+ versions`)));
  await accessible('officer erasure');
  await shot('officer-erasure');
  await page.getByRole('link', { name: 'Directory' }).click();
  await page.getByRole('cell', { name: /valid \(/ }).waitFor();
  await accessible('directory');
  await shot('directory');
  await signOut();
});

test('licensing board: issues a medical licence through the portal, then suspends and reinstates it on the ledger', async () => {
  await signInAs('board.admin', boardNode.url);
  await page.getByRole('link', { name: 'Credentials' }).click();
  await page.getByLabel('Practitioner reference').fill('Practitioner/cuddy');
  await page.getByLabel('Full name').fill('Dr Lisa Cuddy');
  await page.getByLabel("Practitioner's key address").fill(privateKeyToAccount(generatePrivateKey()).address);
  await page.getByLabel('Licence number').fill('A778899');
  await page.getByLabel('Specialty (optional)').fill('Endocrinology');
  await page.getByRole('button', { name: 'Issue and record on the ledger' }).click();
  await expectShown(page.getByText(/^Issued 0x/));
  const jws = await page.getByLabel('The credential (VC-JOSE)').inputValue();
  assert.match(jws, /^ey[\w-]+\.[\w-]+\.[\w-]+$/);
  await accessible('board credentials');
  await shot('board-credentials');
  const id = (await page.getByLabel('Credential id').inputValue()) as string;
  assert.match(id, /^0x[0-9a-f]{64}$/);
  await page.getByRole('button', { name: 'Suspend' }).click();
  await expectShown(page.getByText(/is now suspended \(block \d+\)/));
  await page.getByRole('button', { name: 'Reinstate' }).click();
  await expectShown(page.getByText(/is now active \(block \d+\)/));
  await signOut();
});

test('staff: verify a product barcode; one nobody commissioned is refused, with the reason and what to do', async () => {
  await signInAs('st.portal');
  await page.getByRole('link', { name: 'Verify a product' }).click();
  await page.getByLabel('Barcode').fill('(01)00614141000012(21)PORTAL1(10)A1(17)311231');
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  const result = page.getByTestId('supply-result');
  await expectShown(result);
  assert.match((await result.textContent()) ?? '', /NOT verified/);
  assert.match((await result.textContent()) ?? '', /serial PORTAL1.*ledger block \d+/);
  await accessible('supply verify');
  await shot('supply-verify');
  await page.getByLabel('Barcode').fill('not a barcode');
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await page.getByRole('alert').waitFor();
  await signOut();
});

test('patient with a key in custody: grants and revokes with their passphrase', async () => {
  await page.goto(`${node.url}/portal/`);
  await page.getByLabel('Your patient id').fill(custodial);
  await page.getByRole('button', { name: 'Continue with my passphrase' }).click();
  await page.getByLabel('Passphrase', { exact: true }).fill('not my passphrase');
  await page.getByLabel('Organization').selectOption({ label: 'Test portal-clinic (clinic)' });
  await page.getByRole('button', { name: 'Grant', exact: true }).click();
  await page.getByRole('alert').waitFor(); // a wrong passphrase is refused, and said so
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Grant', exact: true }).click();
  await expectShown(page.getByText(/Granted \(block \d+\)/));
  await accessible('custody consent');
  await shot('patient-custody');
  await page.getByRole('button', { name: 'Revoke', exact: true }).click();
  await expectShown(page.getByText(/Revoked, effective from block \d+/));
});
