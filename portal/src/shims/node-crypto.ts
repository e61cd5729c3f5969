/**
 * The one `node:crypto` function the shared consent code uses (a fresh salt), over WebCrypto, so the
 * browser bundle runs the very code the node and the CLI run (src/consent/commitments.ts).
 */
export function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}
