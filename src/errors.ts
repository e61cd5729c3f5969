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
  if (err instanceof Error) {
    // viem errors carry a long multi-line message; the short one is what an operator needs.
    const short = (err as { shortMessage?: string }).shortMessage;
    return (short ?? err.message).split('\n')[0]!;
  }
  return String(err);
}
