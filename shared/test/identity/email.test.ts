import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../src/identity/email';
import { NODE_ONLY, reachable, SRC } from '../browser-safe';

const KELVIN = '\u212A';

const email = (input: string) => {
  const r = normalizeEmail(input);
  return r.ok ? r.email : `refused: ${r.reason}`;
};

describe('one email normalisation', () => {
  it('treats ASCII case and surrounding space as the same person', () => {
    expect(email('  Kim@Example.COM ')).toBe('kim@example.com');
    expect(email('kim.o+ops@example.com')).toBe('kim.o+ops@example.com');
  });

  it('refuses the Kelvin sign instead of lower-casing it into kim', () => {
    expect(`${KELVIN}im@example.com`.toLowerCase()).toBe('kim@example.com'); // the attack
    expect(email(`${KELVIN}im@example.com`)).toMatch(/^refused: no usable identity: .*NFKC/);
  });

  it.each([
    ['fullwidth letters', 'ｋim@example.com'],
    ['a ligature', 'ﬁona@example.com'],
    ['a non-ASCII local part', 'kïm@example.com'],
    ['a Turkish dotted capital', 'İnci@example.com'],
    ['an ideographic full stop in the domain', 'kim@example\u3002com'],
    ['a soft hyphen in the domain', 'kim@exa\u00ADmple.com'],
    ['a non-ASCII capital in the domain', 'kim@BÜCHER.de'],
    ['a percent-escape in the domain', 'kim@ex%41mple.com'],
    ['no @', 'kim.example.com'],
    ['two @', 'kim@home@example.com'],
    ['a domain without a dot', 'kim@localhost'],
    ['an empty label', 'kim@example..com'],
    ['an IP address', 'kim@10.0.0.1'],
    ['a quoted local part', '"kim"@example.com'],
    ['a leading dot', '.kim@example.com'],
    ['an empty string', '   '],
    ['a label with an underscore', 'kim@ex_ample.com'],
    ['a 65-character local part', `${'k'.repeat(65)}@example.com`],
  ])('refuses %s', (_why, input) => {
    expect(email(input)).toMatch(/^refused: no usable identity: /);
  });

  it('encodes an internationalised domain as punycode, and the two spellings are one person', () => {
    expect(email('kim@bücher.de')).toBe('kim@xn--bcher-kva.de');
    expect(email('Kim@xn--bcher-kva.DE')).toBe('kim@xn--bcher-kva.de');
  });

  it('is stable: a normalised address normalises to itself', () => {
    for (const input of ['A.B@Example.org', 'kim@bücher.de', 'x_y-z@sub.example.co.uk'])
      expect(email(email(input))).toBe(email(input));
  });

  it('is browser-safe: no Node built-ins, no packages, no Node-only globals', () => {
    const { files, packages } = reachable(join(SRC, 'identity/email.ts'));
    expect(packages).toEqual([]);
    for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toMatch(NODE_ONLY);
  });
});
