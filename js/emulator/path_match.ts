/**
 * @module emulator/path_match
 * Path patterns for fault rules, matched in time linear in the path for a given pattern: a prefix string, or a
 * glob where `*` is any run of characters except `/` (possibly empty), `**` is any run of characters at all
 * (possibly empty) and every other character stands for itself. No RegExp is ever built from the pattern, so a
 * pattern sent over the control path cannot stall the emulator (`^/(a+)+$` once froze it for 31 s).
 */

/** Longest glob accepted; together with the URL length this bounds the matching work of one request. */
export const MAX_GLOB_LENGTH = 512;

/** One step of a compiled glob: a literal character, `*` (one segment's characters) or `**` (anything). */
type Token = { kind: 'char'; ch: string } | { kind: 'star' } | { kind: 'globstar' };

/** A compiled glob, matched against a whole path. */
export class PathGlob {
  /** The glob as written. */
  readonly source: string;
  private readonly tokens: Token[];

  /** Compiles a glob; throws when it is empty, too long, or contains a character outside a URL path. */
  constructor(source: string) {
    if (source === '') throw new Error('a glob must not be empty');
    if (source.length > MAX_GLOB_LENGTH) throw new Error(`a glob must be at most ${MAX_GLOB_LENGTH} characters, got ${source.length}`);
    if (/[\s?#]/.test(source)) throw new Error(`a glob matches a path only: it must not contain whitespace, '?' or '#'`);
    this.source = source;
    const tokens: Token[] = [];
    for (let i = 0; i < source.length; i++) {
      if (source[i] !== '*') {
        tokens.push({ kind: 'char', ch: source[i] });
        continue;
      }
      let run = 1;
      while (source[i + 1] === '*') {
        run++;
        i++;
      }
      // `**` (or any longer run) means anything; a lone `*` stops at `/`.
      const token: Token = run >= 2 ? { kind: 'globstar' } : { kind: 'star' };
      const prev = tokens[tokens.length - 1];
      if (prev && prev.kind !== 'char') {
        // Adjacent stars (`**` then `*`, once split by nothing) collapse into the broader one.
        if (token.kind === 'globstar') tokens[tokens.length - 1] = token;
        continue;
      }
      tokens.push(token);
    }
    this.tokens = tokens;
  }

  /**
   * Whether the whole path matches. A simulation of the glob's automaton: the set of pattern positions reachable
   * after each path character, so the work is at most (path length × pattern length) with no backtracking.
   */
  test(path: string): boolean {
    const n = this.tokens.length;
    let current = new Uint8Array(n + 1);
    let next = new Uint8Array(n + 1);
    current[0] = 1;
    this.close(current);
    for (let p = 0; p < path.length; p++) {
      const ch = path[p];
      next.fill(0);
      let any = false;
      for (let i = 0; i < n; i++) {
        if (!current[i]) continue;
        const t = this.tokens[i];
        if (t.kind === 'char') {
          if (t.ch === ch) {
            next[i + 1] = 1;
            any = true;
          }
        } else if (t.kind === 'globstar' || ch !== '/') {
          next[i] = 1;
          any = true;
        }
      }
      if (!any) return false;
      this.close(next);
      [current, next] = [next, current];
    }
    return current[n] === 1;
  }

  /** Adds the positions reachable without reading a character: a star may match nothing. */
  private close(states: Uint8Array): void {
    for (let i = 0; i < this.tokens.length; i++) {
      if (states[i] && this.tokens[i].kind !== 'char') states[i + 1] = 1;
    }
  }

  /** The glob as written. */
  toString(): string {
    return this.source;
  }
}
