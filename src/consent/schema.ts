import type { Migration } from '../storage/engine.ts';

/** The tables the consent feature owns. */
export const consentMigrations: Migration[] = [
  (tx) =>
    tx.exec(`
      -- Scope documents of grants this node has seen (their commitment is on chain).
      CREATE TABLE consent_scopes (scope_hash TEXT PRIMARY KEY, document TEXT NOT NULL);
    `),
];
