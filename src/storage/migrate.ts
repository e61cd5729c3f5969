import type { Migration, Tx } from './engine.ts';

/**
 * Applies the steps of `component` newer than its recorded version, each in the transaction given by
 * `inTransaction`, recording the version with it. Shared by every engine. Each step re-reads the
 * version in its own transaction, so processes migrating one database together (replicas, whose
 * engine serializes these transactions with a lock) apply every step exactly once.
 */
export async function applyMigrations(
  inTransaction: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>,
  component: string,
  steps: readonly Migration[],
): Promise<void> {
  await inTransaction((tx) => tx.exec('CREATE TABLE IF NOT EXISTS schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)'));
  const row = await inTransaction((tx) => tx.get<{ version: number }>('SELECT version FROM schema_version WHERE component = ?', [component]));
  const current = Number(row?.version ?? 0);
  if (current > steps.length) {
    throw new Error(`database schema of ${component} is version ${current}, newer than this software (${steps.length})`);
  }
  for (let v = current; v < steps.length; v++) {
    await inTransaction(async (tx) => {
      const now = await tx.get<{ version: number }>('SELECT version FROM schema_version WHERE component = ?', [component]);
      if (Number(now?.version ?? 0) > v) return; // applied meanwhile by another process
      await steps[v]!(tx);
      await tx.run(
        'INSERT INTO schema_version (component, version) VALUES (?, ?) ON CONFLICT (component) DO UPDATE SET version = excluded.version',
        [component, v + 1],
      );
    });
  }
}
