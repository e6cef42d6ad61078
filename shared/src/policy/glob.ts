import picomatch from 'picomatch';

/**
 * How a glob treats separators: `dotted` (actions: `*` stays in one `.` segment, `**` crosses them),
 * `path` (resources: the same with `/`), `plain` (`*` matches anything).
 */
export type GlobKind = 'dotted' | 'path' | 'plain';
export type Matcher = (value: string) => boolean;

// A private-use character no real environment, principal or source contains, so that in `plain` globs
// picomatch sees no separator at all.
const NO_SEPARATOR = '\uE000';

function toPicomatch(kind: GlobKind, text: string): string {
  switch (kind) {
    case 'dotted':
      // Swapping rather than replacing keeps a literal `/` in an action an ordinary character.
      return text.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
    case 'path':
      return text;
    case 'plain':
      return text.replaceAll('/', NO_SEPARATOR);
  }
}

function options(nocase: boolean): picomatch.PicomatchOptions {
  // `windows: false` so a browser or a Windows CLI reads `\` as an escape, never as a separator.
  return { dot: true, nocase, strictBrackets: true, windows: false };
}

/** A value in the form a prepared matcher takes: convert it once, then test it against many rules. */
export function prepareValue(kind: GlobKind, value: string): string {
  return toPicomatch(kind, value);
}

/** Like compileGlobs, for a value already passed through prepareValue with the same kind. */
export function compilePreparedGlobs(kind: GlobKind, patterns: readonly string[], nocase: boolean): Matcher {
  const globs = patterns.map((p) => toPicomatch(kind, p));
  // picomatch's own matcher builds a result object per pattern per call; one alternation of its
  // regular expressions answers the same (a value equal to the glob's text matches too, as picomatch
  // says) at a fraction of the cost, which matters with a thousand rules.
  const sources = globs.map((glob) => picomatch.makeRe(glob, options(nocase)).source);
  const any = new RegExp(sources.map((source) => `(?:${source})`).join('|'), nocase ? 'i' : '');
  const literal = new Set(globs);
  return (prepared) => prepared !== '' && (literal.has(prepared) || any.test(prepared));
}

/** Compiles globs once; the matcher answers true when any of them matches. Throws on an invalid glob. */
export function compileGlobs(kind: GlobKind, patterns: readonly string[], nocase: boolean): Matcher {
  const test = compilePreparedGlobs(kind, patterns, nocase);
  return (value) => test(toPicomatch(kind, value));
}

/** Why a glob cannot be compiled, or undefined when it can. */
export function globError(kind: GlobKind, pattern: string): string | undefined {
  if (pattern.trim() === '') return 'a glob must not be empty';
  try {
    picomatch.makeRe(toPicomatch(kind, pattern), options(false));
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `invalid glob "${pattern}": ${reason}`;
  }
}
