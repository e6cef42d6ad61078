import { describe, expect, it } from 'vitest';
import type { Witnesses } from '../../src/consoles/body-pattern';
import type { BodyValue } from '../../src/consoles/index';
import type { TemplateContext } from '../../src/consoles/template';
import { compileTemplate } from '../../src/consoles/template';

function context(parts: {
  groups?: Record<string, string>;
  url?: string;
  headers?: Record<string, string>;
  body?: BodyValue;
  witnesses?: Witnesses;
}): TemplateContext {
  return {
    groups: new Map(Object.entries(parts.groups ?? {})),
    query: new URL(parts.url ?? 'https://example.com/').searchParams,
    headers: new Map(Object.entries(parts.headers ?? {})),
    body: parts.body,
    witnesses: parts.witnesses ?? new Map(),
  };
}

const render = (template: string, parts: Parameters<typeof context>[0]) =>
  compileTemplate(template)(context(parts));

describe('resource and environment templates', () => {
  it('fill {name} and {0} from URL pattern groups', () => {
    expect(render('s3/{bucket}', { groups: { bucket: 'logs' } })).toBe('s3/logs');
    expect(render('/{0}/x', { groups: { '0': 'providers/mg' } })).toBe('/providers/mg/x');
  });

  it('fill {body.a.b}, with list indexes and JSON held in strings', () => {
    const body = {
      path: '/logs',
      requests: [{ url: '/a' }, { url: '/b' }],
      contentString: '{"RoleName":"deploy"}',
    };
    expect(render('s3{body.path}', { body })).toBe('s3/logs');
    expect(render('{body.requests.1.url}', { body })).toBe('/b');
    expect(render('role/{body.contentString.RoleName}', { body })).toBe('role/deploy');
  });

  it('read numbers and booleans as text', () => {
    expect(render('{body.n}-{body.b}', { body: { n: 7, b: false } })).toBe('7-false');
  });

  it('find form keys that hold dots, and keys in another case', () => {
    expect(
      render('instance/{body.InstanceId.1}', { body: { 'InstanceId.1': 'i-1', 'InstanceId.2': 'i-2' } }),
    ).toBe('instance/i-1');
    expect(render('{body.headers.x-amz-target}', { body: { headers: { 'X-Amz-Target': 'T.Op' } } })).toBe(
      'T.Op',
    );
  });

  it('fill {query.x} (exact name first, then any case) and {header.x} (any case)', () => {
    const url = 'https://example.com/?api-version=2022&Stage=prod';
    expect(render('{query.api-version}/{query.stage}', { url })).toBe('2022/prod');
    expect(render('{header.X-MS-Path-Query}', { headers: { 'x-ms-path-query': '/subscriptions/s' } })).toBe(
      '/subscriptions/s',
    );
  });

  it('read {body.list.*} as the element the rule matched there', () => {
    const requests = [{ url: '/read' }, { url: '/write' }];
    const witnesses: Witnesses = new Map([['requests', requests[1] ?? {}]]);
    expect(render('{body.requests.*.url}', { body: { requests }, witnesses })).toBe('/write');
  });

  it('read {body.list.*} without a witness as the first element that has the rest of the path', () => {
    const body: BodyValue = { requests: [{ name: 'no url' }, { url: '/second' }, { url: '/third' }] };
    expect(render('{body.requests.*.url}', { body })).toBe('/second');
  });

  it('use nested witnesses only below the witness they were recorded under', () => {
    const jobs = [{ steps: [{ run: 'a' }] }, { steps: [{ run: 'b' }, { run: 'c' }] }];
    const witnesses: Witnesses = new Map<string, BodyValue>([
      ['jobs', jobs[1] ?? {}],
      ['jobs.*.steps', { run: 'c' }],
    ]);
    expect(render('{body.jobs.*.steps.*.run}', { body: { jobs }, witnesses })).toBe('c');
    // Through an index the recorded witness no longer applies: first element with the rest.
    expect(render('{body.jobs.0.steps.*.run}', { body: { jobs }, witnesses })).toBe('a');
  });

  it('leave the field out when any part has no value, rather than render half a name', () => {
    expect(render('role/{body.RoleName}', { body: {} })).toBeUndefined();
    expect(render('role/{body.RoleName}', { body: undefined })).toBeUndefined();
    expect(render('{region}', {})).toBeUndefined();
    expect(render('{query.stage}', { url: 'https://example.com/?other=1' })).toBeUndefined();
    expect(render('{header.x-env}', {})).toBeUndefined();
    expect(render('{body.requests.5.url}', { body: { requests: [] } })).toBeUndefined();
  });

  it('count maps, lists and null as no value', () => {
    expect(render('{body.a}', { body: { a: { b: 1 } } })).toBeUndefined();
    expect(render('{body.a}', { body: { a: [1] } })).toBeUndefined();
    expect(render('{body.a}', { body: { a: null } })).toBeUndefined();
  });

  it('never read inherited properties', () => {
    expect(render('{body.constructor}', { body: {} })).toBeUndefined();
    expect(render('{body.a.toString}', { body: { a: {} } })).toBeUndefined();
  });

  it('render an empty value as empty, and a field that renders to nothing as absent', () => {
    expect(render('/subscriptions/{sub}{scope}/x', { groups: { sub: 's', scope: '' } })).toBe(
      '/subscriptions/s/x',
    );
    expect(render('{body.a}', { body: { a: '' } })).toBeUndefined();
  });

  it('keep text without parts as it is', () => {
    expect(render('prod', {})).toBe('prod');
  });

  it('refuse parts it cannot read and unbalanced braces', () => {
    expect(() => compileTemplate('{cookie.x}')).toThrow('{cookie.x} is not a template part');
    expect(() => compileTemplate('{a b}')).toThrow('is not a template part');
    expect(() => compileTemplate('{region')).toThrow('unbalanced braces');
    expect(() => compileTemplate('region}')).toThrow('unbalanced braces');
  });
});
