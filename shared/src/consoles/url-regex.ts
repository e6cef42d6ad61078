import type { URLComponent, URLPatternLike } from './types';

// Turns a compiled URLPattern back into one regular expression over the whole URL, in the syntax
// both JavaScript and RE2 (declarativeNetRequest's `regexFilter`) read. It works from the pattern's
// normalized component strings, so it follows the URLPattern grammar (fixed text, `:name`, `(regex)`,
// `*`, `{…}` with `?`, `*` or `+`) and gives up, with a reason, on anything it cannot say faithfully.

type Modifier = '' | '?' | '*' | '+';
type Token =
  | {
      type: 'char' | 'escaped' | 'name' | 'regex' | 'asterisk' | 'open' | 'close' | 'modifier';
      value: string;
    }
  | { type: 'end'; value: '' };
type Part =
  | { kind: 'fixed'; value: string; modifier: Modifier }
  | { kind: 'group'; prefix: string; regex: string; suffix: string; modifier: Modifier };

const NAME_START = /[$_\p{ID_Start}]/u;
// ZWNJ and ZWJ continue a name, as in URLPattern's grammar.
const NAME_CONTINUE = /[$_\p{ID_Continue}]|\u200C|\u200D/u;

class Unsupported extends Error {}

function lex(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] ?? '';
    if (c === '*') tokens.push({ type: 'asterisk', value: c });
    else if (c === '+' || c === '?') tokens.push({ type: 'modifier', value: c });
    else if (c === '{') tokens.push({ type: 'open', value: c });
    else if (c === '}') tokens.push({ type: 'close', value: c });
    else if (c === '\\') tokens.push({ type: 'escaped', value: pattern[++i] ?? '' });
    else if (c === ':' && NAME_START.test(pattern[i + 1] ?? '')) {
      let name = '';
      while (i + 1 < pattern.length && NAME_CONTINUE.test(pattern[i + 1] ?? '')) name += pattern[++i];
      tokens.push({ type: 'name', value: name });
    } else if (c === '(') {
      let depth = 1;
      let regex = '';
      while (depth > 0) {
        const d = pattern[++i];
        if (d === undefined) throw new Unsupported('an unbalanced ( in the URL pattern');
        if (d === '\\') regex += d + (pattern[++i] ?? '');
        else {
          if (d === '(') depth++;
          if (d === ')') depth--;
          if (depth > 0) regex += d;
        }
      }
      tokens.push({ type: 'regex', value: regex });
    } else tokens.push({ type: 'char', value: c });
    i++;
  }
  tokens.push({ type: 'end', value: '' });
  return tokens;
}

/** URLPattern's own parse: a `/` right before a group with a modifier becomes that group's prefix. */
function parse(pattern: string, prefixes: string): Part[] {
  const tokens = lex(pattern);
  const parts: Part[] = [];
  let at = 0;
  let fixed = '';
  const take = (type: Token['type']): string | undefined =>
    tokens[at]?.type === type ? (tokens[at++]?.value ?? '') : undefined;
  const modifier = (): Modifier => (take('modifier') ?? take('asterisk') ?? '') as Modifier;
  const text = (): string => {
    let out = '';
    for (let c = take('char') ?? take('escaped'); c !== undefined; c = take('char') ?? take('escaped'))
      out += c;
    return out;
  };
  const flush = () => {
    if (fixed !== '') parts.push({ kind: 'fixed', value: fixed, modifier: '' });
    fixed = '';
  };
  const group = (prefix: string, name: string | undefined, regex: string | undefined, suffix: string) => {
    const mod = modifier();
    flush();
    if (name === undefined && regex === undefined) {
      if (prefix + suffix !== '') parts.push({ kind: 'fixed', value: prefix + suffix, modifier: mod });
      return;
    }
    parts.push({ kind: 'group', prefix, regex: regex ?? 'segment', suffix, modifier: mod });
  };
  while (at < tokens.length) {
    const char = take('char');
    const name = take('name');
    const regex = take('regex') ?? (name === undefined ? take('asterisk') : undefined);
    if (name !== undefined || regex !== undefined) {
      let prefix = char ?? '';
      if (!prefixes.includes(prefix) || prefix === '') {
        fixed += prefix;
        prefix = '';
      }
      group(prefix, name, regex, '');
      continue;
    }
    const literal = char ?? take('escaped');
    if (literal !== undefined) {
      fixed += literal;
      continue;
    }
    if (take('open') !== undefined) {
      const prefix = text();
      const innerName = take('name');
      const innerRegex = take('regex') ?? (innerName === undefined ? take('asterisk') : undefined);
      const suffix = text();
      if (take('close') === undefined) throw new Unsupported('an unbalanced { in the URL pattern');
      group(prefix, innerName, innerRegex, suffix);
      continue;
    }
    flush();
    if (take('end') === undefined)
      throw new Unsupported(`an unexpected "${tokens[at]?.value}" in the URL pattern`);
  }
  return parts;
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Character classes keep a wildcard inside its component of the full URL.
const SEGMENT: Partial<Record<URLComponent, string>> = {
  hostname: '[^./?#:]+?',
  pathname: '[^/?#]+?',
  search: '[^#]+?',
  protocol: '[a-z0-9+.-]+?',
  port: '[0-9]+?',
};
const ANY: Partial<Record<URLComponent, string>> = {
  hostname: '[^/?#:]*',
  pathname: '[^?#]*',
  search: '[^#]*',
  protocol: '[a-z0-9+.-]*',
  port: '[0-9]*',
};

// RE2 has no lookaround, backreferences or named groups; JavaScript's `[^]` means something else there.
const NOT_RE2 = /\(\?[=!<]|\\[1-9]|\\k<|\[\^\]/;

function groupRegex(component: URLComponent, regex: string): string {
  if (regex === 'segment') return SEGMENT[component] ?? '[^#]+?';
  if (regex === '*') return ANY[component] ?? '[^#]*';
  if (NOT_RE2.test(regex)) throw new Unsupported(`the regular expression (${regex}) is not RE2 syntax`);
  return `(?:${regex})`;
}

function componentRegex(component: URLComponent, pattern: string): string {
  const prefixes = component === 'pathname' ? '/' : '';
  return parse(pattern, prefixes)
    .map((part) => {
      if (part.kind === 'fixed') {
        return part.modifier === ''
          ? escapeRegex(part.value)
          : `(?:${escapeRegex(part.value)})${part.modifier}`;
      }
      const re = groupRegex(component, part.regex);
      const [pre, post] = [escapeRegex(part.prefix), escapeRegex(part.suffix)];
      if (part.modifier === '' || part.modifier === '?') return `(?:${pre}${re}${post})${part.modifier}`;
      const repeated = `(?:${pre}${re}(?:${post}${pre}${re})*${post})`;
      return part.modifier === '*' ? `${repeated}?` : repeated;
    })
    .join('');
}

/**
 * One regular expression, anchored at both ends, over the URLs the pattern matches (for
 * declarativeNetRequest with `isUrlFilterCaseSensitive: false`), or the reason there is none.
 */
export function urlPatternRegex(pattern: URLPatternLike): { regex: string } | { unsupported: string } {
  try {
    for (const component of ['username', 'password', 'hash'] as const) {
      // Requests on the wire carry no credentials in the URL and no fragment.
      if (pattern[component] !== '*' && pattern[component] !== '') {
        throw new Unsupported(`the ${component} component (${pattern[component]}) never reaches the network`);
      }
    }
    const port =
      pattern.port === '*'
        ? '(?::[0-9]+)?'
        : pattern.port === ''
          ? ''
          : `:${componentRegex('port', pattern.port)}`;
    const search =
      pattern.search === '*'
        ? '(?:\\?[^#]*)?'
        : pattern.search === ''
          ? ''
          : `\\?${componentRegex('search', pattern.search)}`;
    const regex = [
      '^',
      componentRegex('protocol', pattern.protocol),
      '://',
      componentRegex('hostname', pattern.hostname),
      port,
      componentRegex('pathname', pattern.pathname),
      search,
      '$',
    ].join('');
    return { regex };
  } catch (error) {
    if (error instanceof Unsupported) return { unsupported: error.message };
    throw error;
  }
}
