import { describe, expect, it } from 'vitest';
import type { ConsoleRequest, ConsoleRule } from '../../src/consoles/index';
import { compileConsoleRules, consoleRequestMayMatch, matchConsoleRequest } from '../../src/consoles/index';
import { canonicalConsoleResource } from '../../src/consoles/resource';
import { resourceProblem } from '../../src/schemas/resource';
import { urlPattern } from './url-pattern';

const rule = (name: string, match: ConsoleRule['match'], extra: Partial<ConsoleRule> = {}): ConsoleRule => ({
  name,
  match,
  action: `test.${name}`,
  ...extra,
});

const request = (method: string, url: string, extra: Partial<ConsoleRequest> = {}): ConsoleRequest => ({
  method,
  url,
  headers: {},
  ...extra,
});

function first(rules: ConsoleRule[], req: ConsoleRequest): string | undefined {
  return matchConsoleRequest(compileConsoleRules(rules, { URLPattern: urlPattern() }), req)?.rule;
}

const ARM = 'https://management.azure.com';

describe(`matching a request to console rules`, () => {
  it('takes any method when the rule names none, and compares methods without case', () => {
    const any = rule('any', { url: `${ARM}/x` });
    const put = rule('put', { url: `${ARM}/x`, method: ['put', 'PATCH'] });
    expect(first([any], request('OPTIONS', `${ARM}/x`))).toBe('any');
    expect(first([put], request('Put', `${ARM}/x`))).toBe('put');
    expect(first([put], request('patch', `${ARM}/x`))).toBe('put');
    expect(first([put], request('POST', `${ARM}/x`))).toBeUndefined();
  });

  it('matches the URL pattern without case, groups and all', () => {
    const r = rule(
      'rg',
      { url: `${ARM}/subscriptions/:sub/resourceGroups/:rg` },
      { resource: '{sub}/{rg}', environment: '{query.api-version}' },
    );
    const compiled = compileConsoleRules([r], { URLPattern: urlPattern() });
    expect(
      matchConsoleRequest(
        compiled,
        request('DELETE', `${ARM}/SUBSCRIPTIONS/S1/RESOURCEGROUPS/Prod?api-version=2021`),
      ),
    ).toEqual({ rule: 'rg', action: 'test.rg', resource: 'S1/Prod', environment: '2021' });
  });

  it('does not match a lookalike host, a longer path or a relative URL', () => {
    const r = rule('s3', { url: 'https://:region.console.aws.amazon.com/s3/proxy' });
    expect(first([r], request('POST', 'https://us-east-1.console.aws.amazon.com/s3/proxy'))).toBe('s3');
    expect(
      first([r], request('POST', 'https://us-east-1.console.aws.amazon.com.evil.example/s3/proxy')),
    ).toBeUndefined();
    expect(
      first([r], request('POST', 'https://evil.example/us-east-1.console.aws.amazon.com/s3/proxy')),
    ).toBeUndefined();
    expect(
      first([r], request('POST', 'https://us-east-1.console.aws.amazon.com/s3/proxy/x')),
    ).toBeUndefined();
    expect(first([r], request('POST', '/s3/proxy'))).toBeUndefined();
  });

  it('needs every header glob to match, header names in any case', () => {
    const r = rule('kms', {
      url: 'https://kms.:region.amazonaws.com/',
      headers: { 'X-Amz-Target': 'TrentService.Schedule*', 'content-type': 'application/x-amz-json-*' },
    });
    const headers = {
      'x-amz-target': 'TrentService.ScheduleKeyDeletion',
      'Content-Type': 'application/x-amz-json-1.1',
    };
    const url = 'https://kms.us-east-1.amazonaws.com/';
    expect(first([r], request('POST', url, { headers }))).toBe('kms');
    expect(
      first(
        [r],
        request('POST', url, { headers: { ...headers, 'x-amz-target': 'trentservice.schedulekeydeletion' } }),
      ),
    ).toBe('kms');
    expect(
      first(
        [r],
        request('POST', url, { headers: { ...headers, 'x-amz-target': 'TrentService.DescribeKey' } }),
      ),
    ).toBeUndefined();
    expect(
      first([r], request('POST', url, { headers: { 'x-amz-target': 'TrentService.ScheduleKeyDeletion' } })),
    ).toBeUndefined();
  });

  it('reads a string body rule as a regular expression on the raw body, without case', () => {
    const r = rule('raw', { url: `${ARM}/batch`, body: '"httpMethod":\\s*"(PUT|DELETE)"' });
    const body = '{"requests":[{"httpMethod": "put","url":"/x"}]}';
    expect(first([r], request('POST', `${ARM}/batch`, { body }))).toBe('raw');
    expect(
      first([r], request('POST', `${ARM}/batch`, { body: '{"requests":[{"httpMethod":"GET"}]}' })),
    ).toBeUndefined();
    expect(first([r], request('POST', `${ARM}/batch`))).toBeUndefined();
  });

  it('matches a body pattern against the parsed body, and nothing when it does not parse', () => {
    const r = rule('op', { url: `${ARM}/x`, body: { operation: 'delete*' } });
    const json = { 'content-type': 'application/json' };
    expect(
      first([r], request('POST', `${ARM}/x`, { headers: json, body: '{"operation":"deleteBucket"}' })),
    ).toBe('op');
    expect(first([r], request('POST', `${ARM}/x`, { body: 'operation=deleteBucket' }))).toBe('op');
    expect(first([r], request('POST', `${ARM}/x`, { headers: json, body: '{"operation":' }))).toBeUndefined();
    expect(
      first([r], request('POST', `${ARM}/x`, { body: '{"operation":"deleteBucket"}', bodyType: 'text' })),
    ).toBeUndefined();
  });

  it('lets the first matching rule win', () => {
    const narrow = rule('narrow', { url: `${ARM}/subscriptions/:sub/*`, method: ['DELETE'] });
    const broad = rule('broad', { url: `${ARM}/*` });
    const req = request('DELETE', `${ARM}/subscriptions/s/resourcegroups/rg`);
    expect(first([narrow, broad], req)).toBe('narrow');
    expect(first([broad, narrow], req)).toBe('broad');
    expect(first([narrow, broad], request('GET', `${ARM}/subscriptions/s`))).toBe('broad');
  });

  it('tries later rules when a body pattern fails on an earlier one', () => {
    const put = rule('put', { url: `${ARM}/batch`, body: { requests: [{ httpMethod: 'PUT' }] } });
    const del = rule('del', { url: `${ARM}/batch`, body: { requests: [{ httpMethod: 'DELETE' }] } });
    const body = JSON.stringify({ requests: [{ httpMethod: 'GET' }, { httpMethod: 'DELETE', url: '/rg' }] });
    expect(first([put, del], request('POST', `${ARM}/batch`, { body }))).toBe('del');
  });

  it('renders the matched batch entry through {body.requests.*}', () => {
    const r = rule(
      'batch',
      { url: `${ARM}/batch`, body: { requests: [{ httpMethod: 'PUT', url: '*/roleAssignments/*' }] } },
      { resource: '{body.requests.*.url}', environment: '{body.requests.*.name}' },
    );
    const body = JSON.stringify({
      requests: [
        { httpMethod: 'GET', url: '/subscriptions/s/roleAssignments/r0', name: 'read' },
        { httpMethod: 'PUT', url: '/subscriptions/s/roleAssignments/r1', name: 'write' },
      ],
    });
    const compiled = compileConsoleRules([r], { URLPattern: urlPattern() });
    expect(matchConsoleRequest(compiled, request('POST', `${ARM}/batch`, { body }))).toEqual({
      rule: 'batch',
      action: 'test.batch',
      resource: 'subscriptions/s/roleAssignments/r1',
      environment: 'write',
    });
  });

  it('leaves out a field whose template has a missing part, keeping the other', () => {
    const r = rule(
      'iam',
      { url: 'https://iam.amazonaws.com/', body: { Action: 'CreateAccessKey' } },
      { resource: 'user/{body.UserName}', environment: '{query.region}{header.x-env}' },
    );
    const compiled = compileConsoleRules([r], { URLPattern: urlPattern() });
    const req = request('POST', 'https://iam.amazonaws.com/?region=us-east-1', {
      headers: { 'X-Env': '-prod' },
      body: 'Action=CreateAccessKey',
    });
    expect(matchConsoleRequest(compiled, req)).toEqual({
      rule: 'iam',
      action: 'test.iam',
      environment: 'us-east-1-prod',
    });
  });

  it('reads numbered groups, pathname first, and decodes percent-escapes', () => {
    const r = rule('n', { url: 'https://*.example.com/keys/*' }, { resource: '{0}' });
    const compiled = compileConsoleRules([r], { URLPattern: urlPattern() });
    expect(
      matchConsoleRequest(compiled, request('GET', 'https://a.example.com/keys/sa%40p.iam'))?.resource,
    ).toBe('sa@p.iam');
  });

  it('names rules that do not compile and keeps the others working', () => {
    const bad = [
      rule('bad-url', { url: 'https://x.example/(unclosed' }),
      rule('bad-template', { url: 'https://x.example/' }, { resource: '{cookie.x}' }),
      rule('bad-glob', { url: 'https://x.example/', headers: { a: '[' } }),
      rule('bad-regex', { url: 'https://x.example/', body: '(' }),
    ];
    const good = rule('good', { url: 'https://x.example/' });
    const compiled = compileConsoleRules([...bad, good], { URLPattern: urlPattern() });
    expect(compiled.problems.map((p) => p.rule)).toEqual([
      'bad-url',
      'bad-template',
      'bad-glob',
      'bad-regex',
    ]);
    expect(compiled.rules.map((r) => r.rule.name)).toEqual(['good']);
    expect(matchConsoleRequest(compiled, request('GET', 'https://x.example/'))?.rule).toBe('good');
  });
});

describe("consoleRequestMayMatch: the page hook's cheap first look", () => {
  const compiled = compileConsoleRules(
    [
      rule('batch', { url: `${ARM}/batch`, method: ['POST'], body: { requests: [{ httpMethod: 'PUT' }] } }),
      rule('hdr', { url: `${ARM}/api/invoke`, headers: { 'x-ms-path-query': '*roleAssignments*' } }),
    ],
    { URLPattern: urlPattern() },
  );

  it('says yes when method and URL fit a rule, whatever the body and headers turn out to be', () => {
    expect(consoleRequestMayMatch(compiled, 'post', `${ARM}/batch?api-version=2020-06-01`)).toBe(true);
    expect(consoleRequestMayMatch(compiled, 'GET', `${ARM}/api/invoke`)).toBe(true);
    expect(
      matchConsoleRequest(compiled, request('POST', `${ARM}/batch`, { body: '{"requests":[]}' })),
    ).toBeUndefined();
  });

  it('says no for another method, another URL, or a URL that does not parse', () => {
    expect(consoleRequestMayMatch(compiled, 'GET', `${ARM}/batch`)).toBe(false);
    expect(consoleRequestMayMatch(compiled, 'POST', `${ARM}/subscriptions`)).toBe(false);
    expect(consoleRequestMayMatch(compiled, 'POST', '/batch')).toBe(false);
  });
});

describe('console resources in the server spelling', () => {
  it.each([
    ['/subscriptions/s/resourceGroups/rg', 'subscriptions/s/resourceGroups/rg'],
    [
      'https://management.azure.com/subscriptions/s//providers/x?api-version=1',
      'subscriptions/s/providers/x',
    ],
    ['/subscriptions/s/roleAssignments/r?api-version=2022-04-01#frag', 'subscriptions/s/roleAssignments/r'],
    ['s3/bucket/what?.txt', 's3/bucket/what?.txt'],
    ['role/deploy', 'role/deploy'],
    ['/', ''],
    // Left for the server to refuse, so the extension fails closed.
    ['/subscriptions/a/../b', 'subscriptions/a/../b'],
  ])('%s → %s', (rendered, canonical) => {
    expect(canonicalConsoleResource(rendered)).toBe(canonical);
    if (canonical && !canonical.includes('..')) expect(resourceProblem(canonical)).toBeUndefined();
  });
});
