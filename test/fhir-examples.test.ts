/**
 * HL7's official R4 examples (package hl7.fhir.r4.examples, 5,306 files) against a real node: every
 * example of every resource type is either stored (201, and a sample read back unchanged but for
 * server metadata and the security labels its codes call for) or refused for a reason listed below.
 * The list is the whole of it: a new failure, or a listed example that starts to pass, fails the test.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import { resourceTypes } from '../src/fhir/search/index.ts';
import { withSecurityLabels } from '../src/fhir/sensitivity/index.ts';
import type { RunningNode } from '../src/node/start.ts';
import { canonicalJson } from '../src/shared/canonical-json.ts';
import { startTestNode, tempDir } from './helpers/env.ts';

const EXAMPLES = join(import.meta.dirname, '..', 'node_modules', 'hl7.fhir.r4.examples');

/** Why an example is refused; each reason is explained in docs/fhir-conformance.md. */
const REFUSED: [RegExp, number, RegExp][] = [
  // Another feature's view owns these types (records/views.ts).
  [/^Consent-/, 400, /Consent is not written through the record store/],
  [/^PractitionerRole-example\.json$/, 400, /PractitionerRole is not written through the record store/],
  // Over the node's 5 MiB limit for one request body (terminology Bundles of 10-60 MB).
  [/^Bundle-(dataelements|resources|v3-valuesets|valueset-expansions|valuesets)\.json$/, 413, /too large/],
  // Invalid R4, found by strict validation against the R4 StructureDefinitions (HL7 example errata):
  [/^(Binary-example|DiagnosticReport-gingival-mass|Media-example)\.json$/, 400, /Invalid base64Binary format/], // base64 with line breaks / placeholders
  [/^(Bundle-v2-valuesets|CodeSystem-v2-0550)\.json$/, 400, /Invalid code format/], // codes with leading / trailing spaces
  [/^(CodeSystem-dicom-dcim|ValueSet-c80-doc-typecodes)\.json$/, 400, /String cannot be larger than 1 MB/], // narrative over the 1 MB string limit
  [/^ImplementationGuide-fhir\.json$/, 400, /Missing required property at ImplementationGuide\.name/],
  [/^Questionnaire-qs1\.json$/, 400, /Missing required property at Questionnaire\.item\[0\]\.item\[0\]\.linkId/],
  [/^SearchParameter-(codesystem|valueset)-extensions-/, 400, /Missing required property at SearchParameter\.base/],
  [/^StructureDefinition-(Definition|Event|FiveWs|Request)\.json$/, 400, /abstract = true or baseDefinition\.exists\(\)/], // logical models without a base (invariant sdf-6)
  // The validator (@medplum/core) evaluates invariant ras-2 on a prediction without a probability to
  // empty and counts that as a failure; the HL7 validator does not. Kept as refused, not worked around.
  [/^RiskAssessment-(breastcancer-risk|prognosis)\.json$/, 400, /probability is decimal implies/],
];

const tmp = tempDir();
let chain: EmbeddedChain;
let node: RunningNode;
let token: string;

before(async () => {
  ({ chain, node, token } = await startTestNode(tmp.dir, 'examples-hospital'));
});
after(async () => {
  await node?.stop();
  await chain?.stop();
  tmp.remove();
});

const strip = (r: Record<string, unknown>) => {
  const { id: _id, meta, ...rest } = r as { id?: string; meta?: Record<string, unknown> };
  const { versionId: _v, lastUpdated: _l, ...metaRest } = meta ?? {};
  return canonicalJson(Object.keys(metaRest).length ? { ...rest, meta: metaRest } : rest);
};

test("every HL7 R4 example of every type is stored, or refused for a listed reason", { timeout: 900_000 }, async () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json') && /^[A-Z]/.test(f));
  assert.ok(files.length > 5000, `${files.length} examples`);
  const stored = new Set<string>();
  const refusedSeen = new Set<RegExp>();
  const unexpected: string[] = [];
  let readBack = 0;
  for (const [i, f] of files.entries()) {
    const original = JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8')) as Record<string, unknown> & { resourceType: string };
    const res = await fetch(`${node.url}/fhir/${original.resourceType}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify(original),
    });
    const body = (await res.json()) as Record<string, unknown> & { id?: string; issue?: { diagnostics?: string }[] };
    const reason = REFUSED.find(([name]) => name.test(f));
    if (reason) {
      refusedSeen.add(reason[0]);
      const text = (body.issue ?? []).map((x) => x.diagnostics).join(' | ');
      if (res.status !== reason[1] || !reason[2].test(text)) unexpected.push(`${f}: expected ${reason[1]} ${reason[2]}, got ${res.status} ${text.slice(0, 200)}`);
      continue;
    }
    if (res.status !== 201) {
      unexpected.push(`${f}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      continue;
    }
    stored.add(original.resourceType);
    if (i % 10 === 0) {
      const read = await fetch(`${node.url}/fhir/${original.resourceType}/${body.id}`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(read.status, 200, f);
      assert.equal(strip((await read.json()) as Record<string, unknown>), strip(withSecurityLabels(original as never)), f);
      readBack++;
    }
  }
  assert.deepEqual(unexpected, []);
  assert.equal(refusedSeen.size, REFUSED.length, 'every listed refusal still happens');
  // Every type HL7 gives an example of is stored, but the two served by other features' views.
  const withExamples = new Set(files.map((f) => f.split('-')[0]!).filter((t) => resourceTypes().includes(t)));
  assert.deepEqual([...withExamples].filter((t) => !stored.has(t)).sort(), ['Consent', 'PractitionerRole']);
  assert.ok(stored.size >= 138, `${stored.size} types stored`);
  assert.ok(readBack > 500, `${readBack} read back`);
});
