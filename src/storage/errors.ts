/**
 * Storage failures that mean the node's storage, not the request, is at fault: a full disk, a
 * database that turned read-only, an I/O error, a lost connection. Engines translate their own
 * errors into these `DomainError`s (kinds `storage-full` and `unavailable`, code `storage`), so
 * everything above answers 507 / 503 with a reason and the node reports itself not ready.
 */
import { DomainError, isDomainError } from '../shared/errors.ts';

export const STORAGE_CODE = 'storage';

export function storageFull(cause?: unknown): DomainError {
  return new DomainError('storage-full', "the node's storage is full: nothing was stored", { code: STORAGE_CODE, cause });
}

export function storageUnavailable(reason: string, cause?: unknown): DomainError {
  return new DomainError('unavailable', `the node's database ${reason}: nothing was stored`, { code: STORAGE_CODE, cause });
}

/** Is this the storage's fault (full, read-only, I/O error) rather than the request's? */
export function isStorageFailure(err: unknown): err is DomainError {
  return isDomainError(err) && err.code === STORAGE_CODE;
}

/** SQLite's result codes for storage at fault, as better-sqlite3 reports them. */
export function translateSqliteError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err;
  if (code === 'SQLITE_FULL') return storageFull(err);
  if (code.startsWith('SQLITE_READONLY')) return storageUnavailable('is read-only', err);
  if (code.startsWith('SQLITE_IOERR')) return storageUnavailable('disk failed (I/O error)', err);
  return err;
}
