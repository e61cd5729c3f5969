import { CarechainError, errorMessage } from '../shared/errors.ts';

/**
 * Runs a CLI action: an operator error prints one line (`carechain: error: ...`) and exits non-zero;
 * anything unexpected prints its message too, and its stack only with CARECHAIN_DEBUG=1.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>) {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      process.stderr.write(`carechain: error: ${errorMessage(err)}\n`);
      if (process.env.CARECHAIN_DEBUG === '1' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
      process.exit(err instanceof CarechainError ? err.exitCode : 1);
    }
  };
}

/** Resolves on the first SIGINT/SIGTERM, or when the parent process that started us goes away. */
export function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
    if (process.send) process.once('disconnect', () => resolve('parent gone'));
  });
}
