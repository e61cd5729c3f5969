import { BaseError, ContractFunctionRevertedError } from 'viem';

/**
 * An error meant for the operator: one line that says what is wrong and, where possible, what to do.
 * The CLI prints `carechain: error: <message>` and exits with `exitCode`, without a stack trace.
 */
export class CarechainError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CarechainError';
  }
}

/** Invalid configuration or arguments (exit code 2). */
export class ConfigError extends CarechainError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'ConfigError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof BaseError) {
    // viem errors carry a long multi-line message; the short one plus the decoded revert is enough.
    const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
    const name = revert instanceof ContractFunctionRevertedError ? (revert.data?.errorName ?? revert.reason) : undefined;
    return `${err.shortMessage.split('\n')[0]}${name ? ` (${name})` : ''}`;
  }
  if (err instanceof Error) return err.message.split('\n')[0]!;
  return String(err);
}
