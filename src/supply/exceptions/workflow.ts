/**
 * Exceptions as first-class workflow objects, pure: what kinds there are, the states each goes
 * through, which action moves it where, and the deadline that applies in each state.
 *
 * Data exceptions (EPCIS data and product disagree) are raised by the node itself and worked by staff:
 *   open → investigating → resolved   (or straight to resolved)
 * A suspect product (DSCSA §582: quarantine, investigate, then clear or declare illegitimate):
 *   quarantined → investigating → cleared
 *                               → illegitimate → closed (once FDA and the immediate trading partners
 *                                                 are notified and the product's disposition recorded)
 * A quarantined product cannot be shipped or dispensed: its ledger status is Suspect, which the
 * SerialRegistry refuses to move.
 */
import { conflict } from '../../shared/errors.ts';
import { businessDaysAfter, NOTIFY_WITHIN_MS } from './deadlines.ts';

export const EXCEPTION_KINDS = ['product-without-data', 'data-without-product', 'aggregation-mismatch', 'unknown-gln', 'late-data', 'suspect-product'] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

export const EXCEPTION_STATES = ['open', 'investigating', 'resolved', 'quarantined', 'cleared', 'illegitimate', 'closed'] as const;
export type ExceptionState = (typeof EXCEPTION_STATES)[number];

export const EXCEPTION_ACTIONS = ['investigate', 'resolve', 'clear', 'declare-illegitimate', 'close'] as const;
export type ExceptionAction = (typeof EXCEPTION_ACTIONS)[number];

/** Data exceptions are resolved within this many business days (Carechain's default policy). */
export const RESOLVE_WITHIN_BUSINESS_DAYS = 3;

const TRANSITIONS: Record<'data' | 'suspect', Partial<Record<ExceptionState, Partial<Record<ExceptionAction, ExceptionState>>>>> = {
  data: {
    open: { investigate: 'investigating', resolve: 'resolved' },
    investigating: { resolve: 'resolved' },
  },
  suspect: {
    quarantined: { investigate: 'investigating', clear: 'cleared' },
    investigating: { clear: 'cleared', 'declare-illegitimate': 'illegitimate' },
    illegitimate: { close: 'closed' },
  },
};

const DONE: Record<ExceptionAction, string> = { investigate: 'investigated', resolve: 'resolved', clear: 'cleared', 'declare-illegitimate': 'declared illegitimate', close: 'closed' };

const family = (kind: ExceptionKind) => (kind === 'suspect-product' ? 'suspect' : 'data');

/** The state an exception of `kind` is raised in. */
export const initialState = (kind: ExceptionKind): ExceptionState => (kind === 'suspect-product' ? 'quarantined' : 'open');

/** Is the exception finished? */
export const isTerminal = (state: ExceptionState): boolean => state === 'resolved' || state === 'cleared' || state === 'closed';

/** The actions possible from a state. */
export const actionsFrom = (kind: ExceptionKind, state: ExceptionState): ExceptionAction[] => Object.keys(TRANSITIONS[family(kind)][state] ?? {}) as ExceptionAction[];

/**
 * The state `action` moves an exception to.
 * @throws DomainError('conflict') naming the actions that are possible instead.
 */
export function nextState(kind: ExceptionKind, state: ExceptionState, action: ExceptionAction): ExceptionState {
  const next = TRANSITIONS[family(kind)][state]?.[action];
  if (!next) {
    const possible = actionsFrom(kind, state);
    throw conflict(`a ${kind} exception that is ${state} cannot be ${DONE[action]}: ${possible.length ? `possible: ${possible.join(', ')}` : 'it is finished'}`, 'invalid-transition');
  }
  return next;
}

export interface Deadline {
  /** What must happen by then. */
  what: string;
  dueMs: number;
}

/**
 * The deadline of an exception in a state: data exceptions must be resolved within
 * RESOLVE_WITHIN_BUSINESS_DAYS business days of being raised; an illegitimate product's notifications
 * are due 24 hours after the determination.
 */
export function deadlineOf(kind: ExceptionKind, state: ExceptionState, raisedMs: number, determinedMs: number | null): Deadline | null {
  if (isTerminal(state)) return null;
  if (kind !== 'suspect-product') return { what: `resolve within ${RESOLVE_WITHIN_BUSINESS_DAYS} business days`, dueMs: businessDaysAfter(raisedMs, RESOLVE_WITHIN_BUSINESS_DAYS) };
  if (state === 'illegitimate' && determinedMs !== null) return { what: 'notify FDA (Form 3911) and immediate trading partners within 24 hours of the determination', dueMs: determinedMs + NOTIFY_WITHIN_MS };
  return null;
}
