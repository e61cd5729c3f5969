/**
 * The supply feature of a node, as the composition root builds it and the routes call it: every method
 * takes the actor it acts for and audits itself (src/supply/context.ts); the parts live in their own
 * folders (events, ledger, units, trade, verification, exceptions, records-requests).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { bytesToHex, keccak256, stringToHex, type Hex } from 'viem';
import type { LogAnchorer } from '../anchoring/log-anchorer.ts';
import type { AuditTrail } from '../audit/trail.ts';
import type { Deployment } from '../chain/deployment.ts';
import type { Ledger } from '../chain/submit.ts';
import type { OrgKeys } from '../crypto/org-keys.ts';
import { verifyOrgRequest, type OrgRequest } from '../http/org-request.ts';
import type { Actor } from '../identity/principal.ts';
import { getParticipant, type Participant } from '../indexer/projectors/participants.ts';
import { locationsOf, serialLicence } from '../indexer/projectors/serial-registry.ts';
import { forbidden, invalid } from '../shared/errors.ts';
import type { Storage } from '../storage/engine.ts';
import type { WriteQueue } from '../storage/write-queue.ts';
import type { FetchLike } from '../tls/peer-fetch.ts';
import { z } from 'zod';
import { auditSupply, audited, DEFAULT_SUPPLY_SETTINGS, type SupplyContext, type SupplySettings } from './context.ts';
import { CaptureService } from './events/capture.ts';
import type { SupplyEventStore } from './events/store.ts';
import { ExceptionService } from './exceptions/service.ts';
import { validateGln } from './gs1/index.ts';
import { SerialLedger } from './ledger/registry.ts';
import { PeerClient } from '../http/peer-client.ts';
import { RecordsRequests } from './records-requests/service.ts';
import { Commissioning } from './trade/commission.ts';
import { Trading } from './trade/trading.ts';
import { UnitResolver } from './units/resolver.ts';
import { UnitStore } from './units/store.ts';
import { VerificationService } from './verification/service.ts';

export interface SupplyDeps {
  storage: Storage;
  queue: WriteQueue;
  audit: AuditTrail;
  ledger: Ledger;
  deployment: Deployment;
  keys: OrgKeys;
  orgId: Hex;
  org: string;
  events: SupplyEventStore;
  anchorer: LogAnchorer;
  indexer: SupplyContext['indexer'];
  peerFetch: FetchLike;
  settings?: Partial<SupplySettings>;
}

export const noticeSchema = z
  .object({
    kind: z.enum(['illegitimate-product']),
    exceptionId: z.string().max(80),
    products: z.array(z.object({ id: z.string().max(60), gtin: z.string().optional(), serial: z.string().optional(), lot: z.string().optional(), expiry: z.string().optional(), kind: z.string().optional(), sscc: z.string().optional() })).max(10_000),
    determinedAt: z.iso.datetime(),
    notifyBy: z.iso.datetime(),
    reason: z.string().max(2000),
  })
  .strict();

/** The organization kinds that may call the supply peer endpoints (DSCSA trading partners and regulators). */
export const PARTNER_KINDS: ReadonlySet<string> = new Set(['manufacturer', 'distributor', 'pharmacy', 'hospital', 'regulator']);

export class SupplyService {
  readonly ctx: SupplyContext;
  readonly exceptions: ExceptionService;
  readonly capture: CaptureService;
  readonly verification: VerificationService;
  readonly commissioning: Commissioning;
  readonly trading: Trading;
  readonly records: RecordsRequests;

  constructor(deps: SupplyDeps) {
    const units = new UnitStore(deps.storage);
    this.ctx = {
      storage: deps.storage,
      queue: deps.queue,
      audit: deps.audit,
      ledger: new SerialLedger({ ledger: deps.ledger, deployment: deps.deployment }),
      deployment: deps.deployment,
      keys: deps.keys,
      orgId: deps.orgId.toLowerCase() as Hex,
      org: deps.org,
      units,
      resolver: new UnitResolver({ sql: deps.storage, units, indexSecret: deps.keys.indexSecret, orgId: deps.orgId, indexedBlock: () => deps.indexer.indexedBlock }),
      events: deps.events,
      anchorer: deps.anchorer,
      peer: new PeerClient({ sql: deps.storage, keys: deps.keys, orgId: deps.orgId, fetch: deps.peerFetch }),
      indexer: deps.indexer,
      settings: { ...DEFAULT_SUPPLY_SETTINGS, ...deps.settings },
    };
    this.exceptions = new ExceptionService(this.ctx);
    this.capture = new CaptureService(this.ctx, this.exceptions);
    this.verification = new VerificationService(this.ctx);
    this.commissioning = new Commissioning(this.ctx, this.capture);
    this.trading = new Trading(this.ctx, this.capture, this.exceptions, this.verification);
    this.records = new RecordsRequests(this.ctx, this.trading.shipments);
  }

  /** Authenticates a signed request of another organization addressed to this node. */
  authenticatePeer(r: OrgRequest & { headers: Record<string, unknown> }): Promise<Participant> {
    return verifyOrgRequest(
      {
        sql: this.ctx.storage,
        useNonce: async (org, nonce) =>
          (await this.ctx.storage.run('INSERT INTO supply_nonces (org_id, nonce, seen_ms) VALUES (?, ?, ?) ON CONFLICT (org_id, nonce) DO NOTHING', [org.toLowerCase(), nonce, Date.now()])).changes === 1,
      },
      r,
    );
  }

  /**
   * Authenticates a signed request and checks that it comes from a trading partner of the DSCSA kind
   * (manufacturer, repackager/distributor, dispenser: pharmacy or hospital) or a regulator.
   */
  async authenticatePartner(r: OrgRequest & { headers: Record<string, unknown> }): Promise<Participant> {
    const p = await this.authenticatePeer(r);
    if (!PARTNER_KINDS.has(p.kind)) throw forbidden(`${p.name} is a ${p.kind}, not a trading partner or regulator: supply requests come from trading partners only`);
    return p;
  }

  /** Issues a trading licence (this node is its issuer, scoped by governance) and binds it to an organization. */
  async issueLicence(actor: Actor, input: { org: Hex; jurisdiction: string }): Promise<{ credentialId: Hex; org: Hex; txHash: Hex }> {
    return audited(this.ctx, actor, 'licence', [`Organization/${input.org}`], async () => {
      const credentialId = bytesToHex(randomBytes(32));
      // The licence is held by the licensee's registered key; its document is this statement.
      const licensee = await getParticipant(this.ctx.storage, input.org);
      if (!licensee) throw invalid(`organization ${input.org} is not registered`);
      const document = keccak256(stringToHex(JSON.stringify({ type: 'trading-licence', credentialId, org: input.org, jurisdiction: input.jurisdiction })));
      await this.ctx.ledger.registerLicence(credentialId, input.jurisdiction, licensee.signer, document);
      const { hash } = await this.ctx.ledger.bindLicence(input.org, credentialId);
      await auditSupply(this.ctx, actor, 'licence', '0', `trading licence ${credentialId} (${input.jurisdiction}) bound to ${input.org}`, [`Credential/${credentialId}`]);
      return { credentialId, org: input.org, txHash: hash };
    });
  }

  /** Suspends, reinstates or revokes a trading licence this node issued: the SerialRegistry stops (or lets) its holder trade at once. */
  async licenceAction(actor: Actor, credentialId: Hex, action: 'suspend' | 'reinstate' | 'revoke'): Promise<{ credentialId: Hex; action: string; txHash: Hex }> {
    return audited(this.ctx, actor, `licence-${action}`, [`Credential/${credentialId}`], async () => {
      const { hash } = await this.ctx.ledger.licenceStatus(credentialId, action);
      await auditSupply(this.ctx, actor, `licence-${action}`, '0', `trading licence ${credentialId}: ${action}`, [`Credential/${credentialId}`]);
      return { credentialId, action, txHash: hash };
    });
  }

  /** The trading licence bound to an organization, from the index. */
  licenceOf(org: Hex) {
    return serialLicence(this.ctx.storage, org);
  }

  /** Declares one of this organization's locations (GLN) on the ledger. */
  async declareLocation(actor: Actor, input: { gln: string; active?: boolean }): Promise<{ gln: string; txHash: Hex }> {
    return audited(this.ctx, actor, 'location', [], async () => {
      const gln = validateGln(input.gln);
      const { hash } = await this.ctx.ledger.declareLocation(gln, input.active ?? true);
      await auditSupply(this.ctx, actor, 'location', '0', `GLN ${gln} ${input.active === false ? 'withdrawn' : 'declared'}`, [`Location/${gln}`]);
      return { gln, txHash: hash };
    });
  }

  locations(org?: Hex): Promise<string[]> {
    return locationsOf(this.ctx.storage, org ?? this.ctx.orgId);
  }

  /** A notice from another organization (an illegitimate product): kept for this organization to act on. */
  async receiveNotice(from: Participant, body: unknown): Promise<{ noticeId: string }> {
    const parsed = noticeSchema.safeParse(body);
    if (!parsed.success) throw invalid(`invalid notice: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
    const noticeId = randomUUID();
    await this.ctx.queue.run((tx) =>
      tx.run('INSERT INTO supply_notices (notice_id, from_org, kind, received_ms, body) VALUES (?, ?, ?, ?, ?)', [noticeId, from.orgId, parsed.data.kind, Date.now(), JSON.stringify(parsed.data)]),
    );
    await auditSupply(this.ctx, { agent: `Organization/${from.orgId}` }, 'notice', '0', `${parsed.data.kind} from ${from.name}: ${parsed.data.products.length} product(s), notify by ${parsed.data.notifyBy}`, [`SupplyNotice/${noticeId}`], 'C');
    return { noticeId };
  }

  async notices(): Promise<{ noticeId: string; from: Hex; kind: string; receivedAt: string; notice: unknown }[]> {
    const rows = await this.ctx.storage.all<{ notice_id: string; from_org: Hex; kind: string; received_ms: number; body: string }>('SELECT * FROM supply_notices ORDER BY received_ms DESC LIMIT 500');
    return rows.map((r) => ({ noticeId: r.notice_id, from: r.from_org, kind: r.kind, receivedAt: new Date(Number(r.received_ms)).toISOString(), notice: JSON.parse(r.body) as unknown }));
  }
}
