/**
 * One normalisation for every email that names a person (Slack profiles, keys, policy groups, agent
 * owners, later the identity provider). Two spellings are the same person only when they differ by
 * ASCII letter case or surrounding white space; anything else that would change under normalisation
 * is refused, never mapped, because mapping is how `Kim@example.com` (U+212A KELVIN SIGN) became
 * `kim@example.com` and approved as her. Runs in browsers too: no node: imports, punycode by WHATWG URL.
 */
export type EmailCheck = { ok: true; email: string } | { ok: false; reason: string };

export const NO_USABLE_IDENTITY = 'no usable identity';

// RFC 5322 atext as a dot-atom; quoted local parts and non-ASCII (SMTPUTF8) local parts are refused,
// since lower-casing them is not the identity mapping mail systems agree on.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const ASCII_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const isAscii = (s: string): boolean => [...s].every((ch) => ch.charCodeAt(0) < 0x80);

const refuse = (why: string): EmailCheck => ({ ok: false, reason: `${NO_USABLE_IDENTITY}: ${why}` });

/** The address in its one canonical form, or why it names no usable identity. */
export function normalizeEmail(input: string): EmailCheck {
  const trimmed = input.trim();
  if (trimmed.normalize('NFKC') !== trimmed)
    return refuse('it contains characters that change under Unicode normalisation (NFKC), e.g. look-alikes');
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1 || trimmed.indexOf('@') !== at)
    return refuse('not an email address (one "@" between a name and a domain)');
  const local = trimmed.slice(0, at);
  if (local.length > 64 || !LOCAL.test(local))
    return refuse('the part before "@" must be plain ASCII letters, digits and . _ + - (at most 64)');
  const domain = asciiDomain(trimmed.slice(at + 1));
  if (typeof domain !== 'string') return refuse(domain.why);
  const email = `${local.toLowerCase()}@${domain}`;
  if (email.length > 254) return refuse('longer than 254 characters');
  return { ok: true, email };
}

/** The domain in lower-case ASCII (IDNA labels as `xn--…`), or why not. */
function asciiDomain(domain: string): string | { why: string } {
  const labels = domain.split('.');
  if (labels.length < 2 || labels.some((l) => l === ''))
    return { why: 'the domain needs at least two non-empty labels (example.com)' };
  let encoded = domain.toLowerCase();
  if (!isAscii(domain)) {
    // Unicode letter case is not ASCII case: BÜCHER.de and bücher.de would otherwise merge.
    if ([...domain].some((ch) => !isAscii(ch) && ch.toLowerCase() !== ch))
      return { why: 'the domain has non-ASCII capital letters' };
    // Percent-escapes and URL syntax would be decoded by the URL parser into another host.
    if (/[%/\\?#:@[\]\s]/.test(domain)) return { why: 'the domain is not a host name' };
    try {
      encoded = new URL(`http://${domain}/`).hostname;
    } catch {
      return { why: 'the domain is not a valid internationalised domain name' };
    }
  }
  const out = encoded.split('.');
  // UTS 46 maps some characters away (soft hyphen) or into dots (U+3002): the label structure must
  // survive unchanged, each ASCII label as itself and each non-ASCII label as its own xn-- label.
  if (out.length !== labels.length) return { why: 'the domain changes under IDNA mapping' };
  for (const [i, label] of out.entries()) {
    const given = labels[i] ?? '';
    const expected = isAscii(given) ? given.toLowerCase() : undefined;
    if (expected !== undefined ? label !== expected : !label.startsWith('xn--'))
      return { why: 'the domain changes under IDNA mapping' };
    if (!ASCII_LABEL.test(label)) return { why: `"${given}" is not a valid domain label` };
  }
  if (/^[0-9]+$/.test(out.at(-1) ?? '')) return { why: 'the domain is an IP address, not a name' };
  return encoded;
}
