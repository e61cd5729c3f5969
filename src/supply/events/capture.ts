/**
 * EPCIS 2.0 capture (REST binding `POST /capture`, §12.4 of EPCIS 2.0): a document is validated against
 * GS1's EPCIS 2.0 JSON schema and the CBV 2.0 vocabularies, every event gets its CBV 2.0 hash ID, and
 * the events are stored in one transaction (capture error behaviour "rollback": all or none). A capture
 * job records the outcome (`GET /capture/{captureID}`).
 *
 * Rules:
 * - an event whose eventID and hash ID are both stored already is a duplicate and skipped (capture is
 *   idempotent); the same eventID with other content is refused (409): eventIDs are unique;
 * - an error declaration (§7.4.1.4) is stored as its own event and marks the events it declares
 *   erroneous, which queries then show with the corrective event IDs;
 * - every GLN an event names (read point, business location, source, destination) that no participant
 *   declared on the ledger raises an unknown-GLN exception.
 */
import { randomUUID } from 'node:crypto';
import type { Actor } from '../../identity/principal.ts';
import { locationOwner } from '../../indexer/projectors/serial-registry.ts';
import { conflict, DomainError } from '../../shared/errors.ts';
import type { Tx } from '../../storage/engine.ts';
import { checkCbv, epcisDocumentKind, eventsOf, formatValidationErrors, validateEpcisDocument, type EpcisEventView } from '../epcis/index.ts';
import { gs1CheckDigit, parseGs1Identifier } from '../gs1/index.ts';
import { auditSupply, type SupplyContext } from '../context.ts';
import type { ExceptionService } from '../exceptions/service.ts';
import type { EventQuery } from './query-params.ts';
import type { StoredEvent } from './store.ts';

export interface CaptureResult {
  captureID: string;
  createdAt: string;
  finishedAt: string;
  running: false;
  success: true;
  captureErrorBehaviour: 'rollback';
  errors: [];
  eventCount: number;
  duplicates: number;
  eventIDs: string[];
  /** Exceptions the capture raised (unknown GLNs). */
  exceptions: string[];
}

/** An EPCIS validation failure (the REST binding's ValidationException). */
export const validationError = (message: string) => new DomainError('invalid', message, { code: 'epcis-validation' });

/** The GLN an EPCIS location or party identifier names, if it names one. */
export function glnOf(value: string): string | null {
  const pgln = /^urn:epc:id:pgln:(\d+)\.(\d*)$/.exec(value);
  if (pgln) {
    const body = `${pgln[1]}${pgln[2]}`;
    return body.length === 12 ? `${body}${gs1CheckDigit(body)}` : null;
  }
  const dl = /\/417\/(\d{13})(?:[/?#]|$)/.exec(value);
  if (dl) return dl[1]!;
  try {
    const { id } = parseGs1Identifier(value);
    return id.scheme === 'sgln' ? id.gln : null;
  } catch {
    return null;
  }
}

/** Every GLN the events name. */
export function glnsOf(views: readonly EpcisEventView[]): string[] {
  const out = new Set<string>();
  for (const v of views) {
    for (const id of [v.readPoint, v.bizLocation, ...v.sourceList.map((s) => s.id), ...v.destinationList.map((d) => d.id)]) {
      const g = id ? glnOf(id) : null;
      if (g) out.add(g);
    }
  }
  return [...out];
}

export class CaptureService {
  constructor(
    private readonly ctx: SupplyContext,
    private readonly exceptions: ExceptionService,
  ) {}

  /**
   * Captures an EPCISDocument (or the events of an EPCISQueryDocument, or one event) from `source`
   * ('own' for this organization's systems, an organization id for data a trading partner sent).
   */
  async capture(actor: Actor, document: unknown, source = 'own'): Promise<CaptureResult> {
    const kind = (() => {
      try {
        return epcisDocumentKind(document);
      } catch (err) {
        throw validationError((err as Error).message);
      }
    })();
    const validation = validateEpcisDocument(document);
    if (!validation.valid) throw validationError(`the ${kind} does not conform to the EPCIS 2.0 JSON schema:\n${formatValidationErrors(validation.errors.slice(0, 20))}`);
    const views = eventsOf(document);
    const issues = views.flatMap((v) => checkCbv(v.raw).map((i) => `event ${v.index} ${i.path}: ${i.message}`));
    if (issues.length) throw validationError(`CBV 2.0 vocabulary: ${issues.slice(0, 20).join('; ')}`);
    return this.store(actor, views, source, kind);
  }

  /** Stores events this node generated itself (built to the standard; not re-validated against the schema). */
  async captureOwn(actor: Actor, document: unknown): Promise<CaptureResult> {
    return this.store(actor, eventsOf(document), 'own', 'EPCISDocument');
  }

  /** Stores already-parsed events inside the caller's transaction (no capture job, no exceptions, no audit). */
  async appendIn(tx: Tx, views: readonly EpcisEventView[], source: string, captureId: string, recordTimeMs = Date.now()): Promise<{ stored: string[]; duplicates: number }> {
    const stored: string[] = [];
    let duplicates = 0;
    for (const v of views) {
      if (v.errorDeclaration) {
        const same = await tx.get('SELECT 1 AS x FROM supply_events WHERE event_id = ? AND hash_id = ? AND error_declared = 1', [v.eventID, v.hashId]);
        if (same) {
          duplicates++;
          continue;
        }
        await this.ctx.events.append(tx, v, { source, captureId, recordTimeMs });
        await this.ctx.events.markCorrected(tx, v.eventID, v.errorDeclaration.correctiveEventIDs);
      } else if (await this.ctx.events.hasEventId(v.eventID, tx)) {
        if (await tx.get('SELECT 1 AS x FROM supply_events WHERE event_id = ? AND hash_id = ?', [v.eventID, v.hashId])) {
          duplicates++;
          continue;
        }
        throw conflict(`eventID ${v.eventID} is already used by another event: eventIDs must be unique (use an error declaration to correct an event)`, 'duplicate');
      } else {
        await this.ctx.events.append(tx, v, { source, captureId, recordTimeMs });
      }
      stored.push(v.eventID);
    }
    return { stored, duplicates };
  }

  private async store(actor: Actor, views: EpcisEventView[], source: string, kind: string): Promise<CaptureResult> {
    const captureID = randomUUID();
    const created = Date.now();
    let result: { stored: string[]; duplicates: number };
    try {
      result = await this.ctx.queue.run(async (tx) => {
        const r = await this.appendIn(tx, views, source, captureID, created);
        await tx.run('INSERT INTO supply_captures (capture_id, created_ms, finished_ms, success, events, errors, source) VALUES (?, ?, ?, 1, ?, NULL, ?)', [captureID, created, Date.now(), r.stored.length, source]);
        return r;
      });
    } catch (err) {
      await auditSupply(this.ctx, actor, 'capture', '4', `${kind} of ${views.length} event(s) refused: ${(err as Error).message}`);
      throw err;
    }
    const exceptions: string[] = [];
    for (const gln of glnsOf(views)) {
      if (await locationOwner(this.ctx.storage, gln)) continue;
      const e = await this.exceptions.raise('unknown-gln', gln, { source, captureID, events: views.filter((v) => glnsOf([v]).includes(gln)).map((v) => v.eventID).slice(0, 20) }, null, 'no participant declared this GLN on the ledger');
      exceptions.push(e.id);
    }
    await auditSupply(this.ctx, actor, 'capture', '0', `${kind}: ${result.stored.length} event(s) stored, ${result.duplicates} duplicate(s)`, [`EpcisCapture/${captureID}`], 'C');
    return {
      captureID,
      createdAt: new Date(created).toISOString(),
      finishedAt: new Date().toISOString(),
      running: false,
      success: true,
      captureErrorBehaviour: 'rollback',
      errors: [],
      eventCount: result.stored.length,
      duplicates: result.duplicates,
      eventIDs: result.stored,
      exceptions,
    };
  }

  /** Runs an EPCIS query for a caller (audited: who asked what). */
  async query(actor: Actor, q: EventQuery, url: string): Promise<{ events: StoredEvent[]; nextPageToken?: string }> {
    const page = await this.ctx.events.query(q);
    await auditSupply(this.ctx, actor, 'query', '0', `${page.events.length} event(s)`, [], 'R').catch(() => {});
    void url;
    return page;
  }

  /** The stored events with an event ID (the original, and any error declaration of it). */
  async byEventId(actor: Actor, eventId: string): Promise<StoredEvent[]> {
    const events = await this.ctx.events.byEventId(eventId);
    await auditSupply(this.ctx, actor, 'read-event', events.length ? '0' : '4', eventId.slice(0, 200), [], 'R');
    return events;
  }

  /** A capture job. */
  async job(captureId: string): Promise<Omit<CaptureResult, 'eventIDs' | 'exceptions' | 'duplicates'> | undefined> {
    const r = await this.ctx.storage.get<{ capture_id: string; created_ms: number; finished_ms: number; events: number }>('SELECT * FROM supply_captures WHERE capture_id = ?', [captureId]);
    if (!r) return undefined;
    return {
      captureID: r.capture_id,
      createdAt: new Date(Number(r.created_ms)).toISOString(),
      finishedAt: new Date(Number(r.finished_ms)).toISOString(),
      running: false,
      success: true,
      captureErrorBehaviour: 'rollback',
      errors: [],
      eventCount: Number(r.events),
    };
  }
}
