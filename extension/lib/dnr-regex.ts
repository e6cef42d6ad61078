/**
 * Chromium compiles a declarativeNetRequest `regexFilter` with RE2 under a 2 KB memory budget, and a
 * counted repetition is compiled as that many copies: `[0-9a-f]{32}` (a Key Vault secret version)
 * alone is fine, but after the rest of a URL pattern it is `memoryLimitExceeded`. The block rule then
 * falls back to a broader regex: every `{n}`, `{n,}` or `{n,m}` becomes `+` (or `*` when n is 0).
 * That matches every URL the exact regex matches, and more — URLs that differ only in how many
 * characters a counted part has, which the cloud APIs do not serve — so the backstop still blocks
 * all the rule names, and the popup says which rules are blocked this broadly.
 */

const COUNT = /^\{(\d+)(?:,(\d*))?\}/;

/** The regex with counted repetitions made open-ended; the same string when it has none. */
export function withoutCounts(regex: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < regex.length; i++) {
    const c = regex[i] ?? '';
    if (c === '\\') {
      out += c + (regex[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      // A `]` right after `[` or `[^` is a literal member of the class, not its end.
      const start = regex[i + 1] === '^' ? 2 : 1;
      out += regex.slice(i, i + start);
      i += start - 1;
      if (regex[i + 1] === ']') {
        out += ']';
        i++;
      }
      continue;
    }
    const count = c === '{' ? COUNT.exec(regex.slice(i)) : null;
    if (count) {
      out += Number(count[1]) >= 1 ? '+' : '*';
      i += count[0].length - 1;
      continue;
    }
    out += c;
  }
  return out;
}
