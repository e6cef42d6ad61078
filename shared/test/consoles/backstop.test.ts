import { describe, expect, it } from 'vitest';
import type { ConsoleRule } from '../../src/consoles/index';
import { compileConsoleRules, networkBackstopRules, urlPatternRegex } from '../../src/consoles/index';
import { urlPattern } from './url-pattern';

const rule = (name: string, match: ConsoleRule['match']): ConsoleRule => ({
  name,
  match,
  action: `t.${name}`,
});
const backstop = (rules: ConsoleRule[]) =>
  networkBackstopRules(compileConsoleRules(rules, { URLPattern: urlPattern() }));

/** The regex for a pattern, checked to agree with URLPattern itself on every URL given. */
function agrees(pattern: string, urls: string[]): string {
  const compiled = new (urlPattern())(pattern, { ignoreCase: true });
  const result = urlPatternRegex(compiled);
  if (!('regex' in result)) throw new Error(result.unsupported);
  const regex = new RegExp(result.regex, 'i');
  for (const url of urls) expect(regex.test(url), `${pattern} on ${url}`).toBe(Boolean(compiled.exec(url)));
  return result.regex;
}

describe(`the network backstop`, () => {
  it('takes only rules matched by method and URL: DNR reads no bodies and no request headers', () => {
    const rules = backstop([
      rule('url-only', { url: 'https://a.example/x', method: ['PUT', 'DELETE'] }),
      rule('with-body', { url: 'https://a.example/x', body: { a: 1 } }),
      rule('with-regex-body', { url: 'https://a.example/x', body: 'x' }),
      rule('with-headers', { url: 'https://a.example/x', headers: { 'x-a': '*' } }),
      rule('any-method', { url: 'https://a.example/y' }),
    ]);
    expect(rules).toEqual([
      {
        rule: 'url-only',
        action: 't.url-only',
        condition: {
          regexFilter: '^https://a\\.example/x(?:\\?[^#]*)?$',
          isUrlFilterCaseSensitive: false,
          requestMethods: ['put', 'delete'],
        },
      },
      {
        rule: 'any-method',
        action: 't.any-method',
        condition: { regexFilter: '^https://a\\.example/y(?:\\?[^#]*)?$', isUrlFilterCaseSensitive: false },
      },
    ]);
  });

  it('maps methods DNR does not know to "other"', () => {
    const [only] = backstop([rule('purge', { url: 'https://a.example/', method: ['PURGE', 'GET'] })]);
    expect(only?.condition?.requestMethods).toEqual(['other', 'get']);
  });

  it('keeps the rule, without a condition and with the reason, when the pattern has no RE2 form', () => {
    const rules = backstop([
      rule('hash', { url: 'https://a.example/x#frag' }),
      rule('lookbehind', { url: 'https://a.example/:id((?<=a)b)' }),
    ]);
    expect(rules.map((r) => [r.rule, r.condition, 'unsupported' in r ? r.unsupported : ''])).toEqual([
      ['hash', undefined, 'the hash component (frag) never reaches the network'],
      ['lookbehind', undefined, 'the regular expression ((?<=a)b) is not RE2 syntax'],
    ]);
  });

  it('agrees with URLPattern on fixed text, named groups and hosts', () => {
    agrees('https://:bucket.s3.:region.amazonaws.com/?policy{=}?', [
      'https://b.s3.us-east-1.amazonaws.com/?policy',
      'https://b.s3.us-east-1.amazonaws.com/?policy=',
      'https://b.s3.us-east-1.amazonaws.com/?policyStatus',
      'https://b.s3.us-east-1.amazonaws.com/',
      'https://a.b.s3.us-east-1.amazonaws.com/?policy',
      'https://b.s3.us-east-1.amazonaws.com.evil.example/?policy',
      'https://evil.example/b.s3.us-east-1.amazonaws.com/?policy',
    ]);
  });

  it('agrees with URLPattern on optional groups, wildcards and custom regexes', () => {
    agrees(
      'https://sqladmin.:d(googleapis\\.com|clients6\\.google\\.com)/{sql/}?:v(v1|v1beta4)/projects/:p/instances/:i',
      [
        'https://sqladmin.googleapis.com/v1/projects/p/instances/i',
        'https://sqladmin.clients6.google.com/sql/v1beta4/projects/p/instances/i?key=k',
        'https://sqladmin.googleapis.com/sql/v1/projects/p/instances/i/restart',
        'https://sqladmin.googleapisxcom/v1/projects/p/instances/i',
        'https://sqladmin.googleapis.com/v2/projects/p/instances/i',
      ],
    );
    agrees(
      'https://management.azure.com/subscriptions/:s{/*}?/providers/Microsoft.Authorization/roleAssignments/:id',
      [
        'https://management.azure.com/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/r?api-version=1',
        'https://management.azure.com/SUBSCRIPTIONS/s/resourcegroups/rg/providers/microsoft.authorization/roleassignments/r',
        'https://management.azure.com/subscriptions/s/providers/Microsoft.Authorization/roleAssignments',
      ],
    );
    agrees('https://*.example.com/a/*', [
      'https://x.y.example.com/a/b/c',
      'https://example.com/a/b',
      'https://x.example.com/b',
      'https://evil.test/x.example.com/a/b',
    ]);
  });

  it('agrees with URLPattern on repeated groups and a fixed port', () => {
    agrees('https://example.com:8443/files/:path+', [
      'https://example.com:8443/files/a',
      'https://example.com:8443/files/a/b/c',
      'https://example.com:8443/files/',
      'https://example.com/files/a',
    ]);
    agrees('https://example.com/files/:path*', [
      'https://example.com/files',
      'https://example.com/files/a/b',
      'https://example.com/filesx',
    ]);
  });

  it('anchors at both ends and fixes the protocol', () => {
    const regex = agrees('https://example.com/x', ['https://example.com/x', 'http://example.com/x']);
    expect(regex.startsWith('^https://') && regex.endsWith('$')).toBe(true);
  });
});
