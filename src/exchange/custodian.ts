/** The custodian's side of record exchange (see protocol.ts). */
import { expensive } from '../node/rate-limits.ts';
import type { FastifyInstance } from 'fastify';
import { bytesToHex, getAddress, keccak256, recoverMessageAddress, stringToHex, type Address, type Hex } from 'viem';
import { patientsWithAddress } from '../consent/identity.ts';
import { decide } from '../consent/pdp.ts';
import { scopeHash, scopeReleases } from '../consent/scope.ts';
import { open, seal, wrapperFor } from '../crypto/envelope.ts';
import { FHIR_JSON } from '../fhir/routes.ts';
import { fhirError, FhirError, outcome } from '../fhir/outcome.ts';
import { getParticipant } from '../indexer/queries.ts';
import type { NodeContext } from '../node/context.ts';
import { compartment } from '../records/search.ts';
import type { RecordService } from '../records/service.ts';
import { BREAK_GLASS_SECONDS, exchangeRequestSchema, MAX_SKEW_MS, requestDigest, SIGNATURE_HEADER, type ExchangeEntry, type ExchangeResponse } from './protocol.ts';
import { consentRegistryAbi } from '../chain/generated/contracts.ts';
import { verifyCredential } from '../credentials/store.ts';
import { randomBytes } from 'node:crypto';

/** A practitioner grantee id on chain: keccak256 of "<orgId>/<Practitioner/id>". */
export const practitionerGrantee = (orgId: Hex, practitioner: string) => keccak256(stringToHex(`${orgId}/${practitioner}`));

export function custodianRoutes(app: FastifyInstance, ctx: NodeContext, records: RecordService) {
  app.post('/api/exchange/records', expensive(ctx), async (req, reply) => {
    const send = (status: number, body: unknown) => reply.code(status).type(FHIR_JSON).send(body);
    try {
      // The requester signs JSON.stringify of the request object, which is what re-serializing the
      // parsed body gives back (same keys, same order, no whitespace).
      const raw = JSON.stringify(req.body ?? null);
      const parsed = exchangeRequestSchema.safeParse(req.body);
      if (!parsed.success) throw fhirError(400, 'invalid', `invalid exchange request: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
      const r = parsed.data;
      // Who is asking: a registered, active organization, proven by its signature over the body.
      // Organization ids are indexed as lowercase hex (as viem decodes bytes32).
      const requester = getParticipant(ctx.db, r.requester.toLowerCase() as Hex);
      if (!requester || !requester.active) throw fhirError(403, 'forbidden', 'the requester is not an active participant');
      const signature = String(req.headers[SIGNATURE_HEADER] ?? '');
      const signer = /^0x[0-9a-fA-F]{130}$/.test(signature)
        ? await recoverMessageAddress({ message: { raw: requestDigest(raw) }, signature: signature as Hex }).catch(() => undefined)
        : undefined;
      if (!signer || getAddress(signer) !== getAddress(requester.signer)) throw fhirError(401, 'security', 'the request is not signed by the requester\'s registered key');
      if (Math.abs(Date.now() - r.timestamp) > MAX_SKEW_MS) throw fhirError(401, 'security', 'the request is too old or from the future');
      const fresh = ctx.db.prepare('INSERT OR IGNORE INTO exchange_nonces (org_id, nonce, seen_ms) VALUES (?, ?, ?)').run(requester.orgId, r.nonce, Date.now());
      if (fresh.changes === 0) throw fhirError(401, 'security', 'replayed request');

      // Decide on an index at least as recent as what the requester has seen (e.g. a grant it just
      // relayed), waiting briefly for our indexer; the decision states the height it used anyway.
      if (r.minBlock !== undefined && r.minBlock > ctx.indexer.indexedBlock) await ctx.indexer.waitForBlock(r.minBlock, 10_000).catch(() => {});
      const grantees = [requester.orgId as Hex, ...(r.practitioner ? [practitionerGrantee(requester.orgId as Hex, r.practitioner)] : [])];
      const decision = decide(ctx.db, {
        patient: r.patient as Hex,
        grantees,
        purpose: r.purpose,
        scopeHash: scopeHash(r.scope),
        nowSeconds: Math.floor(Date.now() / 1000),
        indexedBlock: ctx.indexer.indexedBlock,
      });
      const localPatients = patientsWithAddress(ctx.db, r.patient as Address);
      const actor = { agent: `Organization/${requester.orgId}`, onBehalfOf: r.practitioner, network: req.ip, purpose: r.purpose };
      let breakGlass: ExchangeResponse['breakGlass'];
      if (!decision.allow && r.breakGlass) {
        // Emergency access without a grant: a named practitioner, purpose ETREAT, a reason. Time-limited,
        // flagged on the ledger for everyone (the patient included), audited, queued for review.
        if (r.purpose !== 'ETREAT' || !r.practitioner) throw fhirError(403, 'forbidden', 'break-glass needs purpose ETREAT and a named practitioner');
        // Only a licensed, non-excluded practitioner may break the glass.
        const licence = r.credential ? await verifyCredential(ctx.db, r.credential, ctx.indexer.indexedBlock) : undefined;
        const licensed = licence?.valid && licence.claims!.credentialSubject.id === r.practitioner && licence.claims!.credentialSubject.credential.type === 'medical-licence';
        if (!licensed) {
          const why = !licence ? 'no licence presented' : licence.valid ? 'the licence is for another practitioner' : licence.problems.join('; ');
          await records.audited(actor, { action: 'E', subtype: 'break-glass', outcome: '4', outcomeDesc: `refused: ${why}`.slice(0, 500), patientId: localPatients[0] });
          throw fhirError(403, 'forbidden', `break-glass refused: ${why}`);
        }
        breakGlass = await openBreakGlass(ctx, requester.orgId as Hex, r.practitioner, r.patient as Address, r.breakGlass.reason);
        for (const p of localPatients) {
          await records.audited(actor, { action: 'E', subtype: 'break-glass', outcome: '0', outcomeDesc: `emergency access: ${r.breakGlass.reason}`.slice(0, 500), patientId: p, what: [`BreakGlass/${breakGlass.accessId}`] });
        }
      }
      if (!decision.allow && !breakGlass) {
        for (const p of localPatients.length ? localPatients : [undefined]) {
          await records.audited(actor, { action: 'R', subtype: 'exchange', outcome: '4', outcomeDesc: `denied at block ${decision.indexedBlock}: ${decision.reason}`, patientId: p });
        }
        // The same answer whether or not this node holds anything for the patient.
        return send(403, outcome('forbidden', `access denied (ledger block ${decision.indexedBlock}): ${decision.reason}`));
      }

      const recipientKey = Buffer.from(requester.encryptionKey.slice(2), 'hex');
      const wrapper = wrapperFor(recipientKey);
      const entries: ExchangeEntry[] = [];
      let pendingAnchor = 0;
      const released: string[] = [];
      for (const patientId of localPatients) {
        for (const ref of compartment(ctx.db, records.store, patientId)) {
          const resource = records.store.read(ref.type, ref.id);
          if (!breakGlass && !scopeReleases(r.scope, resource)) continue;
          const version = Number(resource.meta!.versionId);
          const row = records.store.versionRow(ref.type, ref.id, version)!;
          const anchor = records.anchorer.anchorCovering(row.leaf_index);
          if (!anchor) {
            pendingAnchor++;
            continue;
          }
          const blob = (ctx.db.prepare('SELECT data FROM record_blobs WHERE hash = ?').get(row.blob_hash) as { data: Buffer }).data;
          const dekAad = Buffer.from(`carechain:dek:${row.blob_hash}`);
          const dek = open(ctx.keys.keks.get(row.kek_id!)!.key, row.custodian_key!, dekAad);
          entries.push({
            type: ref.type,
            id: ref.id,
            version,
            ciphertext: blob.toString('base64'),
            wrappedKey: seal(wrapper.key, dek, dekAad).toString('base64'),
            leafIndex: row.leaf_index,
            leaf: records.log.leaf(row.leaf_index)!.toString('base64'),
            proof: records.log.tree.inclusionProof(row.leaf_index, anchor.treeSize).map((h) => bytesToHex(h)),
            anchor: { index: anchor.index, treeSize: anchor.treeSize, root: anchor.root, blockNumber: anchor.blockNumber },
          });
          released.push(`${ref.type}/${ref.id}/_history/${version}`);
        }
        await records.audited(actor, { action: 'R', subtype: 'exchange', outcome: '0', patientId, what: released.splice(0) });
      }
      const body: ExchangeResponse = {
        custodian: ctx.orgId,
        indexedBlock: decision.indexedBlock,
        grantId: decision.grantId ?? null,
        ...(breakGlass ? { breakGlass } : {}),
        epk: wrapper.epk.toString('base64'),
        entries,
        pendingAnchor,
      };
      return send(200, body);
    } catch (err) {
      if (err instanceof FhirError) return send(err.status, err.outcome);
      throw err;
    }
  });
}

/**
 * Opens (or reuses, while it lasts) a break-glass access of a practitioner to a patient, flagged on
 * the ledger with a hash of the reason (the reason itself is PHI-adjacent and stays here).
 */
async function openBreakGlass(ctx: NodeContext, requester: Hex, practitioner: string, patient: Address, reason: string): Promise<NonNullable<ExchangeResponse['breakGlass']>> {
  const now = Math.floor(Date.now() / 1000);
  const open = ctx.db
    .prepare('SELECT access_id, until, tx_hash FROM break_glass_accesses WHERE requester = ? AND practitioner = ? AND lower(patient) = lower(?) AND until > ? ORDER BY until DESC LIMIT 1')
    .get(requester, practitioner, patient, now) as { access_id: Hex; until: number; tx_hash: Hex } | undefined;
  if (open) return { accessId: open.access_id, until: open.until, txHash: open.tx_hash };
  const accessId = bytesToHex(randomBytes(32));
  const until = now + BREAK_GLASS_SECONDS;
  const { hash } = await ctx.sender.sendContract({
    address: ctx.deployment.contracts.ConsentRegistry.address,
    abi: consentRegistryAbi,
    functionName: 'flagBreakGlass',
    args: [patient, accessId, keccak256(stringToHex(reason)), BigInt(until)],
    label: `break-glass ${accessId}`,
  });
  ctx.db
    .prepare('INSERT INTO break_glass_accesses (access_id, patient, requester, practitioner, reason, until, tx_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(accessId, patient, requester, practitioner, reason, until, hash, new Date().toISOString());
  return { accessId, until, txHash: hash };
}
