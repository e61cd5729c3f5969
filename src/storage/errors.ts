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

/**
 * PostgreSQL's SQLSTATE classes for storage at fault (PostgreSQL 15 docs, Appendix A), and a lost or
 * refused connection, which node-postgres reports with a Node error code or no code at all.
 */
export function translatePostgresError(err: unknown): unknown {
  if (isDomainError(err)) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const message = (err as { message?: unknown } | null)?.message;
  if (typeof code === 'string') {
    if (code === '53100') return storageFull(err); // disk_full
    if (code === '25006') return storageUnavailable('is read-only', err); // read_only_sql_transaction
    if (code === '58030') return storageUnavailable('disk failed (I/O error)', err); // io_error
    if (code.startsWith('53')) return storageUnavailable(`server is out of resources (${code})`, err); // memory, connections
    if (code.startsWith('08')) return storageUnavailable('connection failed', err); // connection_exception
    if (code === '57P01' || code === '57P02' || code === '57P03') return storageUnavailable('server is shutting down or starting', err);
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) return storageUnavailable(`cannot be reached (${code})`, err);
  }
  if (typeof message === 'string' && /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message)) {
    return storageUnavailable('connection was lost', err);
  }
  return err;
}
