/**
 * A parser for the small subset of FHIRPath (http://hl7.org/fhirpath/N1/) that the R4 search
 * parameter expressions use, so they can be compiled into direct property accessors
 * (`compile.ts`) instead of being interpreted for every stored resource:
 *
 *   paths `Observation.code`, `name.given`   unions `a | b`            `%resource.x`
 *   `(x as Quantity)`, `x.as(Period)`, `x.ofType(Age)`                  indexer `entry[0]`
 *   `.where(resolve() is Patient)`            `.where(system='email')`   parentheses
 *   boolean tests: `x.exists()`, `x.empty()`, `x.not()`, `x = 'lit'`, `x != false`, `and`, `or`
 *
 * Anything else (other functions, arithmetic, `is`, `implies`…) makes `parseSubset` return
 * `undefined`, and the caller falls back to a full FHIRPath engine. Operator precedence follows
 * FHIRPath: `.` and `[]` bind tightest, then `as`, `|`, `=` / `!=`, `and`, `or`.
 */

export type PathNode =
  | { readonly k: 'ident'; readonly name: string }
  | { readonly k: 'resource' }
  | { readonly k: 'member'; readonly base: PathNode; readonly name: string }
  | { readonly k: 'index'; readonly base: PathNode; readonly n: number }
  | { readonly k: 'as'; readonly base: PathNode; readonly type: string }
  | { readonly k: 'whereResolveIs'; readonly base: PathNode; readonly type: string }
  | { readonly k: 'whereEq'; readonly base: PathNode; readonly name: string; readonly value: string }
  | { readonly k: 'union'; readonly items: readonly PathNode[] }
  | { readonly k: 'literal'; readonly value: string | boolean }
  | { readonly k: 'exists' | 'empty' | 'not'; readonly base: PathNode }
  | { readonly k: 'eq' | 'ne'; readonly left: PathNode; readonly right: PathNode }
  | { readonly k: 'and' | 'or'; readonly left: PathNode; readonly right: PathNode };

type Tok =
  | { t: 'id'; v: string }
  | { t: 'str'; v: string }
  | { t: 'int'; v: number }
  | { t: 'punct'; v: string }
  | { t: 'var'; v: string };

class Unsupported extends Error {}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j]!)) j++;
      out.push({ t: 'id', v: src.slice(i, j) });
      i = j;
    } else if (c === '%') {
      let j = i + 1;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j]!)) j++;
      out.push({ t: 'var', v: src.slice(i + 1, j) });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[0-9]/.test(src[j]!)) j++;
      if (src[j] === '.' && /[0-9]/.test(src[j + 1] ?? '')) throw new Unsupported('decimal literal');
      out.push({ t: 'int', v: Number(src.slice(i, j)) });
      i = j;
    } else if (c === "'") {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== "'") {
        if (src[j] === '\\') {
          const e = src[j + 1];
          if (e === undefined) throw new Unsupported('bad escape');
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
          j += 2;
        } else {
          s += src[j];
          j++;
        }
      }
      if (j >= src.length) throw new Unsupported('unterminated string');
      out.push({ t: 'str', v: s });
      i = j + 1;
    } else if (c === '!' && src[i + 1] === '=') {
      out.push({ t: 'punct', v: '!=' });
      i += 2;
    } else if ('.|()[]='.includes(c)) {
      out.push({ t: 'punct', v: c });
      i++;
    } else {
      throw new Unsupported(`character ${c}`);
    }
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(offset = 0): Tok | undefined {
    return this.toks[this.i + offset];
  }
  private isPunct(v: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.t === 'punct' && t.v === v;
  }
  private expectPunct(v: string): void {
    if (!this.isPunct(v)) throw new Unsupported(`expected ${v}`);
    this.i++;
  }
  private ident(): string {
    const t = this.peek();
    if (t?.t !== 'id') throw new Unsupported('expected identifier');
    this.i++;
    return t.v;
  }
  /** A type specifier, optionally qualified (`FHIR.Patient`, `System.String`). */
  private typeName(): string {
    let name = this.ident();
    if ((name === 'FHIR' || name === 'System') && this.isPunct('.')) {
      this.i++;
      const inner = this.ident();
      name = name === 'System' ? systemType(inner) : inner;
    }
    return name;
  }

  parse(): PathNode {
    const n = this.orExpr();
    if (this.i !== this.toks.length) throw new Unsupported('trailing tokens');
    return n;
  }

  private isKeyword(v: string): boolean {
    const t = this.peek();
    return t?.t === 'id' && t.v === v;
  }

  private orExpr(): PathNode {
    let n = this.andExpr();
    while (this.isKeyword('or')) {
      this.i++;
      n = { k: 'or', left: n, right: this.andExpr() };
    }
    return n;
  }

  private andExpr(): PathNode {
    let n = this.eqExpr();
    while (this.isKeyword('and')) {
      this.i++;
      n = { k: 'and', left: n, right: this.eqExpr() };
    }
    return n;
  }

  private eqExpr(): PathNode {
    const left = this.union();
    if (this.isPunct('=') || this.isPunct('!=')) {
      const k = this.isPunct('=') ? 'eq' : 'ne';
      this.i++;
      return { k, left, right: this.union() };
    }
    return left;
  }

  private union(): PathNode {
    const items = [this.asExpr()];
    while (this.isPunct('|')) {
      this.i++;
      items.push(this.asExpr());
    }
    return items.length === 1 ? items[0]! : { k: 'union', items };
  }

  private asExpr(): PathNode {
    let n = this.postfix();
    for (;;) {
      const t = this.peek();
      if (t?.t === 'id' && t.v === 'as' && this.peek(1)?.t === 'id') {
        this.i++;
        n = { k: 'as', base: n, type: this.typeName() };
      } else if (t?.t === 'id' && t.v !== 'and' && t.v !== 'or') {
        throw new Unsupported(`operator ${t.v}`);
      } else {
        return n;
      }
    }
  }

  private postfix(): PathNode {
    let n = this.primary();
    for (;;) {
      if (this.isPunct('.')) {
        this.i++;
        const name = this.ident();
        n = this.isPunct('(') ? this.call(n, name) : { k: 'member', base: n, name };
      } else if (this.isPunct('[')) {
        this.i++;
        const t = this.peek();
        if (t?.t !== 'int') throw new Unsupported('non-integer index');
        this.i++;
        this.expectPunct(']');
        n = { k: 'index', base: n, n: t.v };
      } else {
        return n;
      }
    }
  }

  private primary(): PathNode {
    const t = this.peek();
    if (this.isPunct('(')) {
      this.i++;
      const n = this.orExpr();
      this.expectPunct(')');
      return n;
    }
    if (t?.t === 'str') {
      this.i++;
      return { k: 'literal', value: t.v };
    }
    if (t?.t === 'id' && (t.v === 'true' || t.v === 'false')) {
      this.i++;
      return { k: 'literal', value: t.v === 'true' };
    }
    if (t?.t === 'var') {
      if (t.v !== 'resource') throw new Unsupported(`%${t.v}`);
      this.i++;
      return { k: 'resource' };
    }
    if (t?.t === 'id') {
      this.i++;
      if (this.isPunct('(')) throw new Unsupported(`function ${t.v} at root`);
      return { k: 'ident', name: t.v };
    }
    throw new Unsupported('expected a path');
  }

  private call(base: PathNode, name: string): PathNode {
    this.expectPunct('(');
    let n: PathNode;
    if (name === 'as' || name === 'ofType') {
      n = { k: 'as', base, type: this.typeName() };
    } else if (name === 'where') {
      const first = this.ident();
      if (first === 'resolve') {
        this.expectPunct('(');
        this.expectPunct(')');
        if (this.ident() !== 'is') throw new Unsupported('resolve() without is');
        n = { k: 'whereResolveIs', base, type: this.typeName() };
      } else {
        this.expectPunct('=');
        const lit = this.peek();
        if (lit?.t !== 'str') throw new Unsupported('where() with a non-string literal');
        this.i++;
        n = { k: 'whereEq', base, name: first, value: lit.v };
      }
    } else if (name === 'exists' || name === 'empty' || name === 'not') {
      n = { k: name, base };
    } else {
      throw new Unsupported(`function ${name}()`);
    }
    this.expectPunct(')');
    return n;
  }
}

/** FHIRPath System types as the FHIR primitive they are used for (`System.DateTime` → `dateTime`). */
function systemType(name: string): string {
  return name === 'DateTime' ? 'dateTime' : name.charAt(0).toLowerCase() + name.slice(1);
}

/** The normalised type name of a type specifier: System types map to FHIR primitives. */
export function normalizeTypeName(name: string): string {
  const system: Record<string, string> = {
    String: 'string',
    Boolean: 'boolean',
    Integer: 'integer',
    Decimal: 'decimal',
    Date: 'date',
    DateTime: 'dateTime',
    Time: 'time',
  };
  return system[name] ?? name;
}

/** The expression's syntax tree, or `undefined` when it uses anything outside the subset. */
export function parseSubset(expression: string): PathNode | undefined {
  try {
    return new Parser(tokenize(expression)).parse();
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}
