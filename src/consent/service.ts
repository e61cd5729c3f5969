/**
 * Consent on a node: linking patients to their on-chain identity (and declaring the record locator),
 * relaying patient-signed grants, revocations and proxy appointments to the ConsentRegistry, signing
 * for patients whose key the node holds in custody, and the grants of a patient from the index. Every
 * change is audited as the caller's.
 */
import { getAddress, type Address, type Hex } from 'viem';
import type { AuditTrail } from '../audit/trail.ts';
import type { Deployment } from '../chain/deployment.ts';
import { consentRegistryAbi, recordLocatorAbi } from '../chain/generated/contracts.ts';
import { orgIdOf } from '../chain/ids.ts';
import type { Ledger } from '../chain/submit.ts';
import type { ChainConnection } from '../chain/client.ts';
import type { PatientIdentities } from '../identity/patients.ts';
import type { Actor } from '../identity/principal.ts';
import { grantById, grantsOf, type GrantRow } from '../indexer/projectors/consent.ts';
import { getParticipant, type Participant } from '../indexer/projectors/participants.ts';
import { custodiansOf } from '../indexer/projectors/record-locator.ts';
import type { RecordStore } from '../records/store.ts';
import { invalid, notFound } from '../shared/errors.ts';
import type { Storage } from '../storage/engine.ts';
import type { WriteQueue } from '../storage/write-queue.ts';
import { scopeHash, scopeSchema, type Scope } from './scope.ts';
import { consentDomain, purposeToChain, signGrant, signRevoke, type GrantMessage, type PurposeCode } from './typed-data.ts';

export interface ConsentServiceDeps {
  storage: Storage;
  queue: WriteQueue;
  audit: AuditTrail;
  ledger: Ledger;
  conn: ChainConnection;
  deployment: Deployment;
  orgId: Hex;
  records: RecordStore;
  patients: PatientIdentities;
  indexedBlock: () => number;
}

/** What a patient (or proxy) signs and any node relays. */
export type Relayed =
  | { kind: 'grant'; grant: GrantMessage; scope: Scope; signature: Hex }
  | { kind: 'revoke'; patient: Address; grantId: Hex; nonce: bigint; signature: Hex }
  | { kind: 'proxy'; patient: Address; proxy: Address; expiry: bigint; nonce: bigint; signature: Hex };

export class ConsentService {
  constructor(private readonly deps: ConsentServiceDeps) {}

  get domain() {
    return consentDomain(this.deps.conn.chain.id, this.deps.deployment.contracts.ConsentRegistry.address);
  }

  get indexedBlock(): number {
    return this.deps.indexedBlock();
  }

  /** The patient's next consent nonce, from the chain (signatures must use it). */
  nonce(patient: Address): Promise<bigint> {
    return this.deps.conn.client.readContract({ address: this.deps.deployment.contracts.ConsentRegistry.address, abi: consentRegistryAbi, functionName: 'nonces', args: [patient] });
  }

  /** Declares on the ledger that this organization holds records of the patient (record locator). */
  private async registerCustodian(address: Address): Promise<void> {
    await this.deps.ledger.submit({ address: this.deps.deployment.contracts.RecordLocator.address, abi: recordLocatorAbi, functionName: 'registerCustodian', args: [address], label: `record locator ${address}` });
  }

  private async requirePatient(patientId: string): Promise<void> {
    const cur = await this.deps.records.currentVersion('Patient', patientId);
    if (!cur || cur.deleted || cur.erased) throw notFound(`Patient/${patientId}`);
  }

  async createCustodyKey(actor: Actor, patientId: string, passphrase: string): Promise<Address> {
    await this.requirePatient(patientId);
    const address = await this.deps.queue.run(async (tx) => {
      const a = await this.deps.patients.createCustody(tx, patientId, passphrase);
      await this.deps.audit.append(tx, actor, { action: 'C', subtype: 'patient-key-custody', outcome: '0', patientId, outcomeDesc: `custody key ${a}` });
      return a;
    });
    await this.registerCustodian(address);
    return address;
  }

  async link(actor: Actor, patientId: string, address: Address, signature: Hex): Promise<void> {
    await this.requirePatient(patientId);
    await this.deps.queue.run(async (tx) => {
      await this.deps.patients.link(tx, this.deps.orgId, patientId, address, signature);
      await this.deps.audit.append(tx, actor, { action: 'C', subtype: 'patient-key-link', outcome: '0', patientId, outcomeDesc: `linked ${getAddress(address)}` });
    });
    await this.registerCustodian(getAddress(address));
  }

  /** Relays what a patient or proxy signed to the ConsentRegistry; audited once it is on chain. */
  async relay(actor: Actor, r: Relayed): Promise<{ grantId?: Hex; blockNumber: number }> {
    const registry = this.deps.deployment.contracts.ConsentRegistry.address;
    if (r.kind === 'grant' && scopeHash(r.scope) !== r.grant.scopeHash) throw invalid('the scope document does not hash to the signed scopeHash');
    const patient = r.kind === 'grant' ? r.grant.patient : r.patient;
    const { blockNumber } =
      r.kind === 'grant'
        ? await this.deps.ledger.submit({ address: registry, abi: consentRegistryAbi, functionName: 'grant', args: [r.grant, r.signature], label: `consent grant ${patient}#${r.grant.nonce}` })
        : r.kind === 'revoke'
          ? await this.deps.ledger.submit({ address: registry, abi: consentRegistryAbi, functionName: 'revoke', args: [r.patient, r.grantId, r.nonce, r.signature], label: `consent revoke ${r.grantId}` })
          : await this.deps.ledger.submit({ address: registry, abi: consentRegistryAbi, functionName: 'appointProxy', args: [r.patient, r.proxy, r.expiry, r.nonce, r.signature], label: `consent proxy ${r.patient}->${r.proxy}` });
    const grantId = r.kind === 'grant' ? await this.deps.conn.client.readContract({ address: registry, abi: consentRegistryAbi, functionName: 'grantId', args: [patient, r.grant.nonce] }) : undefined;
    const patientId = (await this.deps.patients.patientsWithAddress(patient))[0];
    await this.deps.queue.run(async (tx) => {
      if (r.kind === 'grant') await tx.run('INSERT INTO consent_scopes (scope_hash, document) VALUES (?, ?) ON CONFLICT (scope_hash) DO NOTHING', [r.grant.scopeHash, JSON.stringify(r.scope)]);
      await this.deps.audit.append(tx, actor, {
        action: r.kind === 'grant' ? 'C' : 'U',
        subtype: `consent-${r.kind}`,
        outcome: '0',
        patientId,
        ...(r.kind === 'proxy' ? { outcomeDesc: `proxy ${r.proxy} until ${r.expiry}` } : { what: [`Consent/${grantId ?? (r as { grantId: Hex }).grantId}`] }),
      });
    });
    return { ...(grantId ? { grantId } : {}), blockNumber };
  }

  /** Grantee as given by a user: an organization slug or id. */
  async granteeId(grantee: string): Promise<Hex> {
    const orgId = /^0x[0-9a-fA-F]{64}$/.test(grantee) ? (grantee.toLowerCase() as Hex) : orgIdOf(grantee);
    if (!(await getParticipant(this.deps.storage, orgId))) throw invalid(`grantee ${grantee} is not a registered organization`);
    return orgId;
  }

  /** Signs with the patient's custodial key (passphrase) and relays. */
  async grantForCustodyPatient(actor: Actor, q: { patientId: string; passphrase: string; grantee: string; scope: Scope; purpose: PurposeCode; days: number }) {
    const account = await this.deps.patients.custodyAccount(q.patientId, q.passphrase);
    const now = BigInt(Math.floor(Date.now() / 1000));
    const grant: GrantMessage = {
      patient: account.address,
      grantee: await this.granteeId(q.grantee),
      scopeHash: scopeHash(q.scope),
      purpose: purposeToChain(q.purpose),
      start: now - 60n,
      expiry: now + BigInt(Math.round(q.days * 86400)),
      nonce: await this.nonce(account.address),
    };
    return this.relay(actor, { kind: 'grant', grant, scope: q.scope, signature: await signGrant(account, this.domain, grant) });
  }

  async revokeForCustodyPatient(actor: Actor, q: { patientId: string; passphrase: string; grantId: Hex }) {
    const account = await this.deps.patients.custodyAccount(q.patientId, q.passphrase);
    const nonce = await this.nonce(account.address);
    const signature = await signRevoke(account, this.domain, { patient: account.address, grantId: q.grantId, nonce });
    return this.relay(actor, { kind: 'revoke', patient: account.address, grantId: q.grantId, nonce, signature });
  }

  grantsOf(patient: Address): Promise<GrantRow[]> {
    return grantsOf(this.deps.storage, patient);
  }

  grantById(grantId: Hex): Promise<GrantRow | undefined> {
    return grantById(this.deps.storage, grantId);
  }

  /** The scope document of a grant, if this node has seen it. */
  async scopeOf(scopeHashValue: Hex): Promise<Scope | undefined> {
    const doc = await this.deps.storage.get<{ document: string }>('SELECT document FROM consent_scopes WHERE scope_hash = ?', [scopeHashValue]);
    return doc ? scopeSchema.parse(JSON.parse(doc.document)) : undefined;
  }

  /** Which organizations hold records of an address (their registry entries). */
  async locate(address: Address): Promise<Participant[]> {
    const ids = await custodiansOf(this.deps.storage, address);
    return (await Promise.all(ids.map((id) => getParticipant(this.deps.storage, id)))).filter((p): p is Participant => !!p);
  }

  participant(orgId: Hex): Promise<Participant | undefined> {
    return getParticipant(this.deps.storage, orgId);
  }

  localPatientOf(address: Address): Promise<string | undefined> {
    return this.deps.patients.patientsWithAddress(address).then((ids) => ids[0]);
  }

  identityOf(patientId: string) {
    return this.deps.patients.identityOf(patientId);
  }
}
