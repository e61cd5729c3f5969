/**
 * The facts an insurer's node adjudicates one claim with. Claim history (duplicates, frequency,
 * impossible day) comes from the claims this insurer has received (`InMemoryClaimFacts`, kept by the
 * service); what the ledger and the submission prove comes from an overlay built for this claim:
 * - encounter proofs the provider sent, already verified against its anchored record-log roots
 *   (`encounter-evidence.ts`);
 * - licence status at the date of service from the CredentialStatus history on the ledger, for the
 *   practitioners whose credential ids the provider named (`licenceAt`);
 * - exclusions (OIG LEIE) from this node's imported list;
 * - the patient's birth date, sex and date of death, as far as the payment consent released them.
 * A provider key with no named credential is not checked for licence (null: "cannot tell").
 */
import type { EmTally } from './em-tally.ts';
import type { ClaimTables } from './tables/claim-tables.ts';
import type { InMemoryClaimFacts } from './rules/in-memory-facts.ts';
import type { ClaimFacts, DateRange, DeathRecord, Demographics, EncounterProof, Exclusion, IsoDate, LicenceStatus, MaybePromise } from './rules/types.ts';

export interface ClaimOverlay {
  /** Verified encounter proofs by date of service. */
  encounters: ReadonlyMap<IsoDate, EncounterProof>;
  /** Credential id (bytes32 hex) per provider key. */
  credentials: ReadonlyMap<string, string>;
  demographics?: Demographics;
  death?: DeathRecord;
}

export interface LedgerLookups {
  licenceAt(credentialId: string, date: IsoDate): Promise<LicenceStatus>;
  exclusionAt(npi: string, date: IsoDate): MaybePromise<Exclusion | null>;
}

/** `em`: the insurer's own E/M statistics (upcoding); without it the history's profiles, if any. `tables`: the current tables (an import replaces them), else the history's. */
export function claimFacts(history: InMemoryClaimFacts, overlay: ClaimOverlay, ledger: LedgerLookups, em?: EmTally, tables?: ClaimTables): ClaimFacts {
  return {
    tables: tables ?? history.tables,
    priorClaims: (member: string, provider: string, range: DateRange) => history.priorClaims(member, provider, range),
    memberClaims: (member: string, range: DateRange) => history.memberClaims(member, range),
    providerClaimsOnDay: (provider: string, date: IsoDate) => history.providerClaimsOnDay(provider, date),
    encounterProof: (_provider: string, _patient: string, date: IsoDate) => overlay.encounters.get(date) ?? null,
    licenceStatusAt: (provider: string, date: IsoDate) => {
      const id = overlay.credentials.get(provider);
      return id ? ledger.licenceAt(id, date) : null;
    },
    exclusionAt: (npi: string, date: IsoDate) => ledger.exclusionAt(npi, date),
    deathDate: () => overlay.death ?? null,
    demographics: () => overlay.demographics ?? null,
    inpatientStays: (patient: string, range: DateRange) => history.inpatientStays(patient, range),
    emLevelCounts: (provider: string) => em?.profile(provider) ?? history.emLevelCounts(provider),
  };
}
