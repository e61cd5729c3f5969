/**
 * Consent on a node: linking patients to their on-chain identity (and the record locator), relaying
 * patient-signed grants and revocations to ConsentRegistry, signing for patients whose key the node
 * holds in custody, and the FHIR Consent view of the indexed grants.
 */
import { getAddress, type Address, type Hex } from 'viem';
import { consentRegistryAbi } from '../chain/generated/contracts.ts';
import { orgIdOf } from '../chain/ids.ts';
import { fhirError } from '../fhir/outcome.ts';
import type { Resource } from '../fhir/types.ts';
import { getParticipant } from '../indexer/queries.ts';
import type { NodeContext } from '../node/context.ts';
import type { Actor, RecordService } from '../records/service.ts';
import { createCustodyIdentity, custodyAccount, identityOf, linkIdentity } from './identity.ts';
import { grantsOf, type GrantRow } from './pdp.ts';
import { scopeHash, scopeSchema, type Scope } from './scope.ts';
import { consentDomain, purposeToChain, signGrant, signRevoke, type GrantMessage, type PurposeCode } from './typed-data.ts';

export class ConsentService {
  constructor(
    private readonly ctx: NodeContext,
    private readonly records: RecordService,
  ) {}

  get domain() {
    return consentDomain(this.ctx.conn.chain.id, this.ctx.deployment.contracts.ConsentRegistry.address);
  }

  private get registry() {
    return this.ctx.deployment.contracts.ConsentRegistry.address;
  }

  /** The patient's next consent nonce, from the chain (signatures must use it). */
  async nonce(patient: Address): Promise<bigint> {
    return this.ctx.conn.client.readContract({ address: this.registry, abi: consentRegistryAbi, functionName: 'nonces', args: [patient] });
  }

  /** Declares on the ledger that this organization holds records of the patient (record locator). */
  private async registerCustodian(address: Address): Promise<void> {
    const { receipt } = await this.ctx.sender.sendContract({ address: this.registry, abi: consentRegistryAbi, functionName: 'registerCustodian', args: [address], label: `record locator ${address}` });
    await this.ctx.indexer.waitForBlock(receipt.blockNumber, 15_000).catch(() => {});
  }

  async createCustodyKey(patientId: string, passphrase: string): Promise<Address> {
    this.records.store.read('Patient', patientId);
    const address = await this.records.queue.run(() => createCustodyIdentity(this.ctx.db, patientId, passphrase));
    await this.registerCustodian(address);
    return address;
  }

  async link(patientId: string, address: Address, signature: Hex): Promise<void> {
    this.records.store.read('Patient', patientId);
    await linkIdentity(this.ctx.db, this.ctx.orgId, patientId, address, signature);
    await this.registerCustodian(getAddress(address));
  }

  /** Relays a grant signed by the patient or a proxy; returns the grant id once indexed. */
  async relayGrant(message: GrantMessage, signature: Hex, scope: Scope, actor: Actor): Promise<{ grantId: Hex; blockNumber: number }> {
    if (scopeHash(scope) !== message.scopeHash) throw fhirError(400, 'invalid', 'the scope document does not hash to the signed scopeHash');
    const { receipt } = await this.ctx.sender
      .sendContract({ address: this.registry, abi: consentRegistryAbi, functionName: 'grant', args: [message, signature], label: `consent grant ${message.patient}#${message.nonce}` })
      .catch((err: Error) => {
        throw fhirError(422, 'business-rule', err.message);
      });
    const grantId = await this.ctx.conn.client.readContract({ address: this.registry, abi: consentRegistryAbi, functionName: 'grantId', args: [message.patient, message.nonce] });
    await this.records.queue.run(() => {
      this.ctx.db.prepare('INSERT OR IGNORE INTO consent_scopes (scope_hash, document) VALUES (?, ?)').run(message.scopeHash, JSON.stringify(scope));
      this.records.audit.append({ ...actor, action: 'C', subtype: 'consent-grant', outcome: '0', what: [`Consent/${grantId}`], patientId: this.localPatientOf(message.patient) });
    });
    await this.ctx.indexer.waitForBlock(receipt.blockNumber, 15_000).catch(() => {});
    return { grantId, blockNumber: Number(receipt.blockNumber) };
  }

  async relayRevoke(patient: Address, grantId: Hex, nonce: bigint, signature: Hex, actor: Actor): Promise<{ blockNumber: number }> {
    const { receipt } = await this.ctx.sender
      .sendContract({ address: this.registry, abi: consentRegistryAbi, functionName: 'revoke', args: [patient, grantId, nonce, signature], label: `consent revoke ${grantId}` })
      .catch((err: Error) => {
        throw fhirError(422, 'business-rule', err.message);
      });
    await this.records.audited(actor, { action: 'U', subtype: 'consent-revoke', outcome: '0', what: [`Consent/${grantId}`], patientId: this.localPatientOf(patient) });
    await this.ctx.indexer.waitForBlock(receipt.blockNumber, 15_000).catch(() => {});
    return { blockNumber: Number(receipt.blockNumber) };
  }

  async relayProxy(patient: Address, proxy: Address, expiry: bigint, nonce: bigint, signature: Hex, actor: Actor): Promise<{ blockNumber: number }> {
    const { receipt } = await this.ctx.sender
      .sendContract({ address: this.registry, abi: consentRegistryAbi, functionName: 'appointProxy', args: [patient, proxy, expiry, nonce, signature], label: `consent proxy ${patient}->${proxy}` })
      .catch((err: Error) => {
        throw fhirError(422, 'business-rule', err.message);
      });
    await this.records.audited(actor, { action: 'U', subtype: 'consent-proxy', outcome: '0', outcomeDesc: `proxy ${proxy} until ${expiry}`, patientId: this.localPatientOf(patient) });
    await this.ctx.indexer.waitForBlock(receipt.blockNumber, 15_000).catch(() => {});
    return { blockNumber: Number(receipt.blockNumber) };
  }

  /** Grantee as given by a user: an organization slug or id, optionally a practitioner there. */
  granteeId(grantee: string): Hex {
    const orgId = /^0x[0-9a-fA-F]{64}$/.test(grantee) ? (grantee.toLowerCase() as Hex) : orgIdOf(grantee);
    if (!getParticipant(this.ctx.db, orgId)) throw fhirError(400, 'invalid', `grantee ${grantee} is not a registered organization`);
    return orgId;
  }

  /** Signs with the patient's custodial key (passphrase) and relays. */
  async grantForCustodyPatient(
    q: { patientId: string; passphrase: string; grantee: Hex; scope: Scope; purpose: PurposeCode; days: number },
    actor: Actor,
  ) {
    const account = custodyAccount(this.ctx.db, q.patientId, q.passphrase);
    const now = BigInt(Math.floor(Date.now() / 1000));
    const message: GrantMessage = {
      patient: account.address,
      grantee: q.grantee,
      scopeHash: scopeHash(q.scope),
      purpose: purposeToChain(q.purpose),
      start: now - 60n,
      expiry: now + BigInt(Math.round(q.days * 86400)),
      nonce: await this.nonce(account.address),
    };
    return this.relayGrant(message, await signGrant(account, this.domain, message), q.scope, actor);
  }

  async revokeForCustodyPatient(q: { patientId: string; passphrase: string; grantId: Hex }, actor: Actor) {
    const account = custodyAccount(this.ctx.db, q.patientId, q.passphrase);
    const nonce = await this.nonce(account.address);
    const signature = await signRevoke(account, this.domain, { patient: account.address, grantId: q.grantId, nonce });
    return this.relayRevoke(account.address, q.grantId, nonce, signature, actor);
  }

  private localPatientOf(address: Address): string | undefined {
    const row = this.ctx.db.prepare('SELECT patient_id FROM patient_identities WHERE lower(address) = lower(?)').get(address) as { patient_id: string } | undefined;
    return row?.patient_id;
  }

  /** FHIR Consent resources for a local patient, from the indexed ledger. */
  consentsOfPatient(patientId: string): Resource[] {
    const identity = identityOf(this.ctx.db, patientId);
    if (!identity) return [];
    return grantsOf(this.ctx.db, identity.address).map((g) => this.toFhir(g, patientId));
  }

  consentById(grantId: string): Resource | undefined {
    const g = this.ctx.db.prepare('SELECT * FROM consent_grants WHERE grant_id = ?').get(grantId.toLowerCase()) as GrantRow | undefined;
    return g && this.toFhir(g, this.localPatientOf(g.patient));
  }

  private toFhir(g: GrantRow, patientId: string | undefined): Resource {
    const doc = this.ctx.db.prepare('SELECT document FROM consent_scopes WHERE scope_hash = ?').get(g.scope_hash) as { document: string } | undefined;
    const scope = doc ? scopeSchema.parse(JSON.parse(doc.document)) : undefined;
    const grantee = getParticipant(this.ctx.db, g.grantee);
    const revoked = g.revoked_block !== null && g.revoked_block <= this.ctx.indexer.indexedBlock;
    const now = Date.now() / 1000;
    return {
      resourceType: 'Consent',
      id: g.grant_id,
      status: revoked ? 'inactive' : now >= g.expiry ? 'inactive' : 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
      ...(patientId ? { patient: { reference: `Patient/${patientId}` } } : {}),
      dateTime: new Date(g.start * 1000).toISOString(),
      identifier: [{ system: 'urn:carechain:consent-grant', value: g.grant_id }],
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
      provision: {
        type: 'permit',
        period: { start: new Date(g.start * 1000).toISOString(), end: new Date(g.expiry * 1000).toISOString() },
        actor: [{ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] }, reference: grantee ? { reference: `Organization/${grantee.orgId}`, display: grantee.name } : { identifier: { value: g.grantee } } }],
        purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: g.purpose }],
        ...(scope ? { class: scope.resourceTypes.map((t) => ({ system: 'http://hl7.org/fhir/resource-types', code: t })) } : {}),
        ...(scope?.sensitive?.length ? { securityLabel: scope.sensitive.map((s) => ({ system: 'urn:carechain:sensitive-class', code: s })) } : {}),
      },
      extension: [
        { url: 'urn:carechain:consent:scope-hash', valueString: g.scope_hash },
        { url: 'urn:carechain:consent:granted-block', valueInteger: g.granted_block },
        ...(g.revoked_block !== null ? [{ url: 'urn:carechain:consent:revoked-block', valueInteger: g.revoked_block }] : []),
        { url: 'urn:carechain:consent:signer', valueString: g.signer },
      ],
    };
  }
}
