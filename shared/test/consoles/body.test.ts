import { describe, expect, it } from 'vitest';
import { embeddedJson, parseBody } from '../../src/consoles/body';
import type { ConsoleRequest } from '../../src/consoles/index';

const req = (
  body: string | undefined,
  headers: Record<string, string> = {},
  bodyType?: ConsoleRequest['bodyType'],
) => ({
  method: 'POST',
  url: 'https://example.com/',
  headers,
  body,
  ...(bodyType ? { bodyType } : {}),
});

describe('reading a request body', () => {
  it('parses JSON by Content-Type, including the AWS JSON protocol types', () => {
    expect(parseBody(req('{"KeyId":"k"}', { 'Content-Type': 'application/x-amz-json-1.1' }))).toEqual({
      KeyId: 'k',
    });
    expect(parseBody(req('{"a":1}', { 'content-type': 'application/json; charset=utf-8' }))).toEqual({
      a: 1,
    });
  });

  it('parses a form, a repeated key into the list of its values', () => {
    const body = parseBody(
      req('Action=Run&Id=a&Id=b&Name=x%20y', { 'content-type': 'application/x-www-form-urlencoded' }),
    );
    expect(body).toEqual({ Action: 'Run', Id: ['a', 'b'], Name: 'x y' });
  });

  it('lets bodyType overrule the Content-Type, and never parses text', () => {
    expect(parseBody(req('a=1', { 'content-type': 'application/json' }, 'form'))).toEqual({ a: '1' });
    expect(parseBody(req('{"a":1}', { 'content-type': 'application/json' }, 'text'))).toBeUndefined();
  });

  it('looks at an unlabelled body: JSON first (consoles send JSON as text/plain), then a form', () => {
    expect(parseBody(req('{"requests":[]}', { 'content-type': 'text/plain;charset=UTF-8' }))).toEqual({
      requests: [],
    });
    expect(parseBody(req('Action=DeleteDBInstance&DBInstanceIdentifier=db'))).toEqual({
      Action: 'DeleteDBInstance',
      DBInstanceIdentifier: 'db',
    });
    expect(parseBody(req('hello world'))).toBeUndefined();
  });

  it('has no parsed body for malformed JSON, an empty body or none', () => {
    expect(parseBody(req('{"a":', { 'content-type': 'application/json' }))).toBeUndefined();
    expect(parseBody(req(''))).toBeUndefined();
    expect(parseBody(req(undefined))).toBeUndefined();
  });

  it('reads JSON held in a string, and nothing else', () => {
    expect(embeddedJson('{"RoleName":"deploy"}')).toEqual({ RoleName: 'deploy' });
    expect(embeddedJson(' [1]')).toEqual([1]);
    expect(embeddedJson('deploy')).toBeUndefined();
    expect(embeddedJson('{broken')).toBeUndefined();
    expect(embeddedJson(7)).toBeUndefined();
  });
});
