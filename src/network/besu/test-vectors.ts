/**
 * Test support: reads the Besu test vectors copied into `test/vectors/besu/` (see the README there
 * for sources, commits and licence). The hex strings are taken from the copied Besu sources
 * themselves, not re-typed, so a test compares against exactly what Besu's own tests assert.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../../test/vectors/besu/', import.meta.url));

export function besuVector(name: string): string {
  return readFileSync(dir + name, 'utf8');
}

/**
 * The value of the Java string expression (`"ab" + "cd"`, escapes undone) that follows the anchors
 * in `source`, each anchor searched for after the previous one.
 */
export function javaStringAfter(source: string, ...anchors: string[]): string {
  let at = 0;
  for (const anchor of anchors) {
    const found = source.indexOf(anchor, at);
    if (found < 0) throw new Error(`anchor not found in Java source: ${anchor}`);
    at = found + anchor.length;
  }
  const literal = String.raw`"((?:[^"\\]|\\.)*)"`;
  const expr = new RegExp(String.raw`^\s*((?:${literal}\s*(?:\+\s*)?)+)`).exec(source.slice(at));
  if (!expr) throw new Error(`no string literal after ${anchors.join(' … ')}`);
  return [...expr[1]!.matchAll(new RegExp(literal, 'g'))].map((m) => m[1]!.replace(/\\(.)/g, '$1')).join('');
}

/** The body of the first fenced code block after the anchors (searched in turn) in a Markdown document. */
export function markdownBlockAfter(markdown: string, ...anchors: string[]): string {
  let at = 0;
  for (const anchor of anchors) {
    const found = markdown.indexOf(anchor, at);
    if (found < 0) throw new Error(`anchor not found in Markdown: ${anchor}`);
    at = found + anchor.length;
  }
  const block = /```[^\n]*\n([\s\S]*?)```/.exec(markdown.slice(at));
  if (!block) throw new Error(`no code block after ${anchors.join(' … ')}`);
  return block[1]!;
}
