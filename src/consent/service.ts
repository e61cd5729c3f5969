/**
 * Consent on a node.
 * - Custodian side: a patient's key is linked only by the patient (activation code sent to their
 *   contact on file, proof of possession), or held in custody under the passphrase they chose; grants,
 *   revocations and proxy appointments the patient signed are relayed to the ConsentRegistry; what the
 *   patient disclosed to open a grant's commitments is kept, and the grantee is sent a signed notice.
 * - Grantee side: notices are checked against the ledger and kept, so a clinician can ask for the
 *   records later.
 * Every step is audited as its actor's.
 */
import type { Address, Hex } from 'viem';
import { recoverMessageAddress, getAddress } from 'viem';
import type { AuditTrail } from '../audit/trail.ts';
import type { ChainConnection } from '../chain/client.ts';
import type { Deployment } from '../chain/deployment.ts';
import { consentRegistryAbi, recordLocatorAbi } from '../chain/generated/contracts.ts';
import { orgIdOf, purposeToChain, type PurposeCode } from '../chain/ids.ts';
import type { Ledger } from '../chain/submit.ts';
import type { OrgKeys } from '../crypto/org-keys.ts';
import type { Resource } from '../fhir/types.ts';
import type { Contact, Notifier } from '../identity/notifier.ts';
import { maskContact } from '../identity/notifier.ts';
import { envelope, signRequest, SIGNATURE_HEADER, type OrgRequestVerifier } from '../identity/org-requests.ts';
import type { PatientIdentities } from '../identity/patients.ts';
import type { Actor, Caller } from '../identity/principal.ts';
import { grantById, grantsOf, type GrantRow } from '../indexer/projectors/consent.ts';
import { getParticipant, type Participant } from '../indexer/projectors/participants.ts';
import { custodiansOf } from '../indexer/projectors/record-locator.ts';
import type { RecordStore } from '../records/store.ts';
import { forbidden, gone, invalid, notFound, unprocessable } from '../shared/errors.ts';
import type { Storage } from '../storage/engine.ts';
import type { WriteQueue } from '../storage/write-queue.ts';
import type { FetchLike } from '../tls/peer-fetch.ts';
import { granteeCommitment, granteeIdOf, newSalt, opens, scopeCommitment, type Disclosure } from './commitments.ts';
import { NOTICE_PURPOSE, noticeMessage, noticeSchema, type Notice } from './protocol.ts';
import { scopeSchema, type Scope } from './scope.ts';
import { consentDomain, signGrant, signRevoke, type GrantMessage } from './typed-data.ts';

export interface ConsentServiceDeps {
  storage: Storage;
  queue: WriteQueue;
  audit: AuditTrail;
  ledger: Ledger;
  conn: ChainConnection;
  deployment: Deployment;
  orgId: Hex;
  keys: OrgKeys;
  peerFetch: FetchLike;
  records: RecordStore;
  patients: PatientIdentities;
  notifier: Notifier;
  verifier: OrgRequestVerifier;
  indexer: { readonly indexedBlock: number; waitForBlock(block: number, timeoutMs: number): Promise<void> };
}

/** What a patient (or proxy) signs and any node relays. */
export type Relayed =
  | { kind: 'grant'; grant: GrantMessage; signature: Hex; disclosure: Disclosure; granteePatient?: { address: Address; signature: Hex } }
  | { kind: 'revoke'; patient: Address; grantId: Hex; nonce: bigint; signature: Hex }
  | { kind: 'proxy'; patient: Address; proxy: Address; expiry: bigint; nonce: bigint; signature: Hex };

/** A grant this organization may use, from a custodian's notice. */
export interface GrantNotice {
  grantId: Hex;
  custodian: Hex;
  patient: Address;
  salt: Hex;
  practitioner?: string;
  scope: Scope;
  patientHere?: Address;
}

export class ConsentService {
  constructor(private readonly deps: ConsentServiceDeps) {}

  get domain() {
    return consentDomain(this.deps.conn.chain.id, this.deps.deployment.contracts.ConsentRegistry.address);
  }

  /** This organization, as patients address it (their key here is derived from its id). */
  async custodian(): Promise<{ orgId: Hex; name: string }> {
    const me = await getParticipant(this.deps.storage, this.deps.orgId);
    return { orgId: this.deps.orgId, name: me?.name ?? this.deps.orgId };
  }

  get indexedBlock(): number {
    return this.deps.indexer.indexedBlock;
  }

  /** The patient's next consent nonce, from the chain (signatures must use it). */
  nonce(patient: Address): Promise<bigint> {
    return this.deps.conn.client.readContract({ address: this.deps.deployment.contracts.ConsentRegistry.address, abi: consentRegistryAbi, functionName: 'nonces', args: [patient] });
  }

  // --- the patient's identity at this custodian -------------------------------------------------------

  /**
   * Staff ask for an activation code to be sent to the patient's contact on file. The code never
   * reaches the staff member; they see where it went.
   */
  async requestActivation(actor: Actor, patientId: string): Promise<{ sentTo: string; expiresAt: string }> {
    const contact = contactOf(await this.livePatient(patientId));
    if (!contact) throw unprocessable(`Patient/${patientId} has no phone or e-mail on file to send an activation code to`, 'no-contact');
    const { code, expiresAt } = await this.deps.queue.run(async (tx) => {
      const issued = await this.deps.patients.issueActivation(tx, patientId, actor.agent);
      await this.deps.audit.append(tx, actor, { action: 'C', subtype: 'patient-activation', outcome: '0', patientId, outcomeDesc: `activation code sent to ${maskContact(contact)}` });
      return issued;
    });
    await this.deps.notifier.send(contact, {
      subject: 'Your Carechain activation code',
      body: `Your activation code is ${code}. It lets you link your own key to your record (or choose a passphrase for a key we keep for you). It expires at ${expiresAt}. If you did not ask for it, tell us.`,
      data: { kind: 'activation', patientId, code, organization: this.deps.orgId },
    });
    return { sentTo: maskContact(contact), expiresAt };
  }

  /** The patient links their own key, proving possession, with the activation code they received. */
  async linkKey(network: string | undefined, q: { patientId: string; code: string; address: Address; signature: Hex; tagSecret: Hex }): Promise<{ address: Address }> {
    const patient = await this.livePatient(q.patientId);
    const actor: Actor = { agent: `Patient/${getAddress(q.address)}`, network };
    try {
      await this.deps.queue.run(async (tx) => {
        const { issuedBy } = await this.deps.patients.link(tx, this.deps.orgId, q);
        await this.deps.audit.append(tx, actor, { action: 'C', subtype: 'patient-key-link', outcome: '0', patientId: q.patientId, outcomeDesc: `key ${getAddress(q.address)} linked by its holder (activation issued by ${issuedBy})` });
      });
    } catch (err) {
      await this.deps.audit.record(actor, { action: 'C', subtype: 'patient-key-link', outcome: '4', patientId: q.patientId, outcomeDesc: `refused: ${(err as Error).message}`.slice(0, 500) });
      throw err;
    }
    await this.registerCustodian(q.address);
    await this.tellPatient(patient, 'A key was linked to your record', `The key ${getAddress(q.address)} was linked to your record at this organization. If this was not you, tell us at once.`);
    return { address: getAddress(q.address) };
  }

  /** The patient asks the node to hold a key for them, sealed under the passphrase they choose. */
  async createCustody(network: string | undefined, q: { patientId: string; code: string; passphrase: string }): Promise<{ address: Address }> {
    const patient = await this.livePatient(q.patientId);
    const actor: Actor = { agent: `Patient/${q.patientId}`, network };
    let address: Address;
    try {
      address = await this.deps.queue.run(async (tx) => {
        const r = await this.deps.patients.createCustody(tx, q);
        await this.deps.audit.append(tx, actor, { action: 'C', subtype: 'patient-key-custody', outcome: '0', patientId: q.patientId, outcomeDesc: `key ${r.address} held in custody under the patient's passphrase (activation issued by ${r.issuedBy})` });
        return r.address;
      });
    } catch (err) {
      await this.deps.audit.record(actor, { action: 'C', subtype: 'patient-key-custody', outcome: '4', patientId: q.patientId, outcomeDesc: `refused: ${(err as Error).message}`.slice(0, 500) });
      throw err;
    }
    await this.registerCustodian(address);
    await this.tellPatient(patient, 'A key is held for you', `This organization now holds a key for you, sealed under the passphrase you chose (${address}). If this was not you, tell us at once.`);
    return { address };
  }

  /** Declares on the ledger that this organization holds records of the patient (record locator). */
  private async registerCustodian(address: Address): Promise<void> {
    await this.deps.ledger.submit({ address: this.deps.deployment.contracts.RecordLocator.address, abi: recordLocatorAbi, functionName: 'registerCustodian', args: [address], label: `record locator ${address}` });
  }

  private async livePatient(patientId: string): Promise<Resource> {
    if (await this.deps.patients.isErased(patientId)) throw gone(`Patient/${patientId} (erased at the patient's request)`);
    return this.deps.records.read('Patient', patientId);
  }

  private async tellPatient(patient: Resource, subject: string, body: string): Promise<void> {
    const contact = contactOf(patient);
    if (contact) await this.deps.notifier.send(contact, { subject, body }).catch(() => {});
  }

  // --- relaying what patients signed ----------------------------------------------------------------

  /**
   * Relays what a patient (or proxy) signed. A patient may relay only for their own address (or one
   * they are a proxy for); node users with a role relay for anyone who signed. A grant must come with
   * the disclosure that opens its commitments; it is kept here, and the grantee gets a signed notice.
   */
  async relay(caller: Caller, r: Relayed): Promise<{ grantId?: Hex; blockNumber: number; notice?: { delivered: boolean; problem?: string } }> {
    const registry = this.deps.deployment.contracts.ConsentRegistry.address;
    const patient = r.kind === 'grant' ? r.grant.patient : r.patient;
    if (caller.principal.kind === 'patient' && !caller.principal.addresses!.some((a) => a.toLowerCase() === patient.toLowerCase())) {
      throw forbidden('a patient relays only what concerns their own address (or one they are a proxy for)');
    }
    const localPatient = (await this.deps.patients.patientsWithAddress(patient))[0];
    if (r.kind === 'grant') {
      const o = opens({ grantee: r.grant.grantee, scopeHash: r.grant.scopeHash }, r.disclosure);
      if (!o.grantee) throw invalid('the disclosed grantee and salt do not open the signed grantee commitment');
      if (!o.scope) throw invalid('the disclosed scope and salt do not open the signed scope commitment');
      if (!(await getParticipant(this.deps.storage, r.disclosure.grantee.org))) throw invalid(`grantee ${r.disclosure.grantee.org} is not a registered organization`);
      if (localPatient && (await this.deps.patients.isErased(localPatient))) throw gone(`Patient/${localPatient} (erased at the patient's request)`);
    }
    const { blockNumber } =
      r.kind === 'grant'
        ? await this.deps.ledger.submit({ address: registry, abi: consentRegistryAbi, functionName: 'grant', args: [r.grant, r.signature], label: `consent grant ${patient}#${r.grant.nonce}` })
        : r.kind === 'revoke'
          ? await this.deps.ledger.submit({ address: registry, abi: consentRegistryAbi, functionName: 'revoke', args: [r.patient, r.grantId, r.nonce, r.signature], label: `consent revoke ${r.grantId}` })
          : await this.deps.ledger.submit({ address: registry, abi: consentRegistryAbi, functionName: 'appointProxy', args: [r.patient, r.proxy, r.expiry, r.nonce, r.signature], label: `consent proxy ${r.patient}->${r.proxy}` });
    const grantId = r.kind === 'grant' ? await this.deps.conn.client.readContract({ address: registry, abi: consentRegistryAbi, functionName: 'grantId', args: [patient, r.grant.nonce] }) : undefined;
    await this.deps.queue.run(async (tx) => {
      if (r.kind === 'grant') {
        await tx.run(
          'INSERT INTO consent_grant_details (grant_id, patient, salt, grantee_org, grantee_practitioner, scope) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (grant_id) DO NOTHING',
          [grantId!, patient.toLowerCase(), r.disclosure.salt, r.disclosure.grantee.org, r.disclosure.grantee.practitioner ?? null, JSON.stringify(r.disclosure.scope)],
        );
      }
      await this.deps.audit.append(tx, caller, {
        action: r.kind === 'grant' ? 'C' : 'U',
        subtype: `consent-${r.kind}`,
        outcome: '0',
        patientId: localPatient,
        ...(r.kind === 'proxy' ? { outcomeDesc: `proxy ${r.proxy} until ${r.expiry}` } : { what: [`Consent/${grantId ?? (r as { grantId: Hex }).grantId}`] }),
      });
    });
    const notice = r.kind === 'grant' ? await this.sendNotice({ grantId: grantId!, patient, disclosure: r.disclosure, granteePatient: r.granteePatient }, blockNumber) : undefined;
    return { ...(grantId ? { grantId } : {}), blockNumber, ...(notice ? { notice } : {}) };
  }

  /** Tells the grantee (signed, organization to organization) about a grant it may use. */
  private async sendNotice(n: { grantId: Hex; patient: Address; disclosure: Disclosure; granteePatient?: { address: Address; signature: Hex } }, minBlock: number): Promise<{ delivered: boolean; problem?: string }> {
    const grantee = await getParticipant(this.deps.storage, n.disclosure.grantee.org);
    if (!grantee?.active) return { delivered: false, problem: 'the grantee is not an active participant' };
    if (grantee.orgId === this.deps.orgId) return { delivered: true };
    const { body, signature } = await signRequest(this.deps.keys, NOTICE_PURPOSE, {
      ...envelope(this.deps.orgId, grantee.orgId),
      grantId: n.grantId,
      patient: n.patient,
      disclosure: n.disclosure,
      ...(n.granteePatient ? { granteePatient: n.granteePatient } : {}),
      minBlock,
    });
    try {
      const res = await this.deps.peerFetch(`${grantee.endpoint.replace(/\/$/, '')}/api/consent/notices`, { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature }, body, signal: AbortSignal.timeout(15_000) });
      if (res.ok) return { delivered: true };
      return { delivered: false, problem: `${grantee.name} answered ${res.status}: ${((await res.json().catch(() => ({}))) as { error?: { message?: string } }).error?.message ?? ''}` };
    } catch (err) {
      return { delivered: false, problem: `${grantee.name} unreachable: ${(err as Error).message}` };
    }
  }

  /**
   * Grantee side: a custodian's notice of a grant to this organization. Kept only if the grant is on
   * the ledger for that patient and its commitments open to this organization and the disclosed scope;
   * the patient's address here is linked only with that key's signature.
   */
  async receiveNotice(body: unknown, signatureHeader: string): Promise<{ grantId: Hex }> {
    const parsed = noticeSchema.safeParse(body);
    if (!parsed.success) throw invalid(`invalid consent notice: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
    const n: Notice = parsed.data;
    const custodian = await this.deps.verifier.verify(NOTICE_PURPOSE, body as never, signatureHeader);
    if (n.minBlock > this.deps.indexer.indexedBlock) await this.deps.indexer.waitForBlock(n.minBlock, 15_000).catch(() => {});
    const grant = await grantById(this.deps.storage, n.grantId);
    if (!grant || grant.patient.toLowerCase() !== n.patient.toLowerCase()) throw unprocessable('no such grant for this patient on the ledger');
    if (n.disclosure.grantee.org !== this.deps.orgId) throw forbidden('the notice is about a grant to another organization');
    const o = opens({ grantee: grant.grantee, scopeHash: grant.scope_hash }, n.disclosure);
    if (!o.grantee || !o.scope) throw unprocessable("the disclosure does not open the grant's commitments");
    let patientHere: Address | undefined;
    if (n.granteePatient) {
      const signer = await recoverMessageAddress({ message: noticeMessage(n.grantId, n.patient), signature: n.granteePatient.signature }).catch(() => undefined);
      if (!signer || getAddress(signer) !== getAddress(n.granteePatient.address)) throw forbidden("the patient's signature for this organization does not match");
      patientHere = getAddress(n.granteePatient.address);
    }
    await this.deps.queue.run(async (tx) => {
      await tx.run(
        `INSERT INTO consent_notices (grant_id, custodian, patient, salt, grantee_practitioner, scope, patient_here, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (grant_id) DO NOTHING`,
        [n.grantId, custodian.orgId, n.patient.toLowerCase(), n.disclosure.salt, n.disclosure.grantee.practitioner ?? null, JSON.stringify(n.disclosure.scope), patientHere?.toLowerCase() ?? null, new Date().toISOString()],
      );
      const localPatient = patientHere ? (await this.deps.patients.patientsWithAddress(patientHere, tx))[0] : undefined;
      await this.deps.audit.append(tx, { agent: `Organization/${custodian.orgId}` }, { action: 'C', subtype: 'consent-notice', outcome: '0', patientId: localPatient, what: [`Consent/${n.grantId}`] });
    });
    return { grantId: n.grantId };
  }

  /** The grants this organization may use for a patient (by their address here or at a custodian). */
  async noticesFor(patient: Address): Promise<GrantNotice[]> {
    const rows = await this.deps.storage.all<{ grant_id: Hex; custodian: Hex; patient: Address; salt: Hex; grantee_practitioner: string | null; scope: string; patient_here: Address | null }>(
      'SELECT * FROM consent_notices WHERE patient_here = ? OR patient = ? ORDER BY received_at',
      [patient.toLowerCase(), patient.toLowerCase()],
    );
    return rows.map((r) => ({
      grantId: r.grant_id,
      custodian: r.custodian,
      patient: getAddress(r.patient),
      salt: r.salt,
      ...(r.grantee_practitioner ? { practitioner: r.grantee_practitioner } : {}),
      scope: scopeSchema.parse(JSON.parse(r.scope)),
      ...(r.patient_here ? { patientHere: getAddress(r.patient_here) } : {}),
    }));
  }

  // --- custody signing (the patient's passphrase, never staff) ----------------------------------------

  /** Signs with the patient's custodial key (their passphrase) and relays; the grantee gets a notice. */
  async grantAsCustodyPatient(network: string | undefined, q: { patientId: string; passphrase: string; grantee: string; practitioner?: string; scope: Scope; purpose: PurposeCode; days: number }) {
    const account = await this.custodyAccount(network, q.patientId, q.passphrase);
    const now = BigInt(Math.floor(Date.now() / 1000));
    const salt = newSalt();
    const disclosure: Disclosure = { salt, grantee: { org: await this.granteeOrg(q.grantee), ...(q.practitioner ? { practitioner: q.practitioner } : {}) }, scope: q.scope };
    const grant: GrantMessage = {
      patient: account.address,
      grantee: granteeCommitment(salt, granteeIdOf(disclosure.grantee)),
      scopeHash: scopeCommitment(salt, q.scope),
      purpose: purposeToChain(q.purpose),
      start: now - 60n,
      expiry: now + BigInt(Math.round(q.days * 86400)),
      nonce: await this.nonce(account.address),
    };
    return this.relay(patientCaller(account.address, network), { kind: 'grant', grant, signature: await signGrant(account, this.domain, grant), disclosure });
  }

  async revokeAsCustodyPatient(network: string | undefined, q: { patientId: string; passphrase: string; grantId: Hex }) {
    const account = await this.custodyAccount(network, q.patientId, q.passphrase);
    const nonce = await this.nonce(account.address);
    const signature = await signRevoke(account, this.domain, { patient: account.address, grantId: q.grantId, nonce });
    return this.relay(patientCaller(account.address, network), { kind: 'revoke', patient: account.address, grantId: q.grantId, nonce, signature });
  }

  /** The custodial key, with every failed passphrase audited against the patient. */
  private async custodyAccount(network: string | undefined, patientId: string, passphrase: string) {
    try {
      return await this.deps.patients.custodyAccount(patientId, passphrase);
    } catch (err) {
      await this.deps.audit.record({ agent: `Patient/${patientId}`, network }, { action: 'E', subtype: 'custody-passphrase', outcome: '4', patientId, outcomeDesc: (err as Error).message.slice(0, 500) });
      throw err;
    }
  }

  /** A grantee as given by a user: an organization slug or id. */
  async granteeOrg(grantee: string): Promise<Hex> {
    const orgId = /^0x[0-9a-fA-F]{64}$/.test(grantee) ? (grantee.toLowerCase() as Hex) : orgIdOf(grantee);
    if (!(await getParticipant(this.deps.storage, orgId))) throw invalid(`grantee ${grantee} is not a registered organization`);
    return orgId;
  }

  // --- reads ------------------------------------------------------------------------------------------

  grantsOf(patient: Address): Promise<GrantRow[]> {
    return grantsOf(this.deps.storage, patient);
  }

  grantById(grantId: Hex): Promise<GrantRow | undefined> {
    return grantById(this.deps.storage, grantId);
  }

  /** What the patient disclosed about a grant relayed here (grantee and scope), if it was. */
  async detailsOf(grantId: Hex): Promise<{ grantee: { org: Hex; practitioner?: string }; scope: Scope } | undefined> {
    const d = await this.deps.storage.get<{ grantee_org: Hex; grantee_practitioner: string | null; scope: string }>('SELECT grantee_org, grantee_practitioner, scope FROM consent_grant_details WHERE grant_id = ?', [grantId.toLowerCase()]);
    return d && { grantee: { org: d.grantee_org, ...(d.grantee_practitioner ? { practitioner: d.grantee_practitioner } : {}) }, scope: scopeSchema.parse(JSON.parse(d.scope)) };
  }

  /** The whole disclosure of a grant relayed here (salt included), for this node's own decisions (research enrolment); never sent out. */
  async disclosureOf(grantId: Hex): Promise<Disclosure | undefined> {
    const d = await this.deps.storage.get<{ salt: Hex; grantee_org: Hex; grantee_practitioner: string | null; scope: string }>('SELECT salt, grantee_org, grantee_practitioner, scope FROM consent_grant_details WHERE grant_id = ?', [grantId.toLowerCase()]);
    return d && { salt: d.salt, grantee: { org: d.grantee_org, ...(d.grantee_practitioner ? { practitioner: d.grantee_practitioner } : {}) }, scope: scopeSchema.parse(JSON.parse(d.scope)) };
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

/** A patient acting with their own key (relays they sign). */
function patientCaller(address: Address, network: string | undefined): Caller {
  return { principal: { kind: 'patient', username: address, roles: ['patient'], practitioner: null, agent: `Patient/${address}`, addresses: [address] }, agent: `Patient/${address}`, network, purpose: 'HOPERAT' };
}

/** The patient's contact on file for codes and notices: a mobile or phone number, else an e-mail. */
function contactOf(patient: Resource): Contact | undefined {
  const telecom = (patient.telecom as { system?: string; value?: string; use?: string }[] | undefined) ?? [];
  const pick = telecom.find((t) => t.system === 'sms' && t.value) ?? telecom.find((t) => t.system === 'phone' && t.use === 'mobile' && t.value) ?? telecom.find((t) => t.system === 'phone' && t.value) ?? telecom.find((t) => t.system === 'email' && t.value);
  return pick && { system: pick.system as Contact['system'], value: pick.value! };
}
