/**
 * SQLite failures that mean the node's storage, not the request, is at fault: a full disk, a
 * database that turned read-only, an I/O error. They are answered with 507 / 503 and a reason (never
 * a bare 500), and the node reports itself not ready until a write succeeds again.
 */
export interface StorageFailure {
  status: 503 | 507;
  message: string;
}

export function storageFailure(err: unknown): StorageFailure | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  if (code === 'SQLITE_FULL') return { status: 507, message: "the node's storage is full: nothing was stored" };
  if (code.startsWith('SQLITE_READONLY')) return { status: 503, message: "the node's database is read-only: nothing was stored" };
  if (code.startsWith('SQLITE_IOERR')) return { status: 503, message: "the node's disk failed (I/O error): nothing was stored" };
  return undefined;
}
