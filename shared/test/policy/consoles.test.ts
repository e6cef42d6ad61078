import { describe, expect, it } from 'vitest';
import { load, problems, yaml } from './helpers';

describe('consoles section', () => {
  it("keeps the contract's example, with methods upper-cased and header names lower-cased", () => {
    const policy = load(
      yaml(
        'version: 1',
        'consoles:',
        '  - name: aws-s3-bucket-policy',
        '    match:',
        '      method: post',
        '      url: "https://:region.console.aws.amazon.com/s3/proxy"',
        '      headers: { X-Amz-Target: "AmazonS3.*" }',
        '      body: { operation: putBucketPolicy, requests: [{ httpMethod: PUT, count: 2, dry: false, x: null }] }',
        '    action: aws.s3.PutBucketPolicy',
        '    resource: "s3{body.path}"',
        '    environment: "{region}-{query.stage}-{header.x-env}-{0}"',
        '  - name: raw-body',
        '    match: { method: [GET, delete], url: "https://example.com/*", body: "^\\\\{\\"op\\":" }',
        '    action: example.op',
      ),
    );
    expect(policy.consoles).toEqual([
      {
        name: 'aws-s3-bucket-policy',
        match: {
          method: ['POST'],
          url: 'https://:region.console.aws.amazon.com/s3/proxy',
          headers: { 'x-amz-target': 'AmazonS3.*' },
          body: {
            operation: 'putBucketPolicy',
            requests: [{ httpMethod: 'PUT', count: 2, dry: false, x: null }],
          },
        },
        action: 'aws.s3.PutBucketPolicy',
        resource: 's3{body.path}',
        environment: '{region}-{query.stage}-{header.x-env}-{0}',
      },
      {
        name: 'raw-body',
        match: { method: ['GET', 'DELETE'], url: 'https://example.com/*', body: '^\\{"op":' },
        action: 'example.op',
      },
    ]);
  });

  it('reports structural problems with their positions', () => {
    expect(
      problems(
        yaml(
          'version: 1',
          'consoles:',
          '  - name: a',
          '    match:',
          '      method: [POST, "GET /"]',
          '      headers: { "bad header": x, ok: "[y" }',
          '      body: { ops: [{ name: "put[" }] }',
          '      urll: "https://x"',
          '    action: a.b',
          '    rules: []',
          '  - name: a',
          '    match: { url: "https://y", body: 42 }',
          '  - name: c',
          '    match: { url: "https://z", body: "(unclosed" }',
          '    action: c.d',
        ),
      ),
    ).toEqual([
      'test.yaml:4:5 consoles[0].match: missing required key "url"',
      'test.yaml:5:22 consoles[0].match.method[1]: "GET /" is not an HTTP method',
      'test.yaml:6:18 consoles[0].match.headers.bad header: "bad header" is not a header name',
      'test.yaml:6:39 consoles[0].match.headers.ok: invalid glob "[y": Missing closing: "]" - use "\\\\]" to match literal characters',
      'test.yaml:7:29 consoles[0].match.body.ops[0].name: invalid glob "put[": Missing closing: "]" - use "\\\\]" to match literal characters',
      'test.yaml:8:7 consoles[0].match.urll: unknown key "urll" (did you mean "url"?)',
      'test.yaml:10:5 consoles[0].rules: unknown key "rules"',
      'test.yaml:11:5 consoles[1]: missing required key "action"',
      'test.yaml:11:11 consoles[1].name: duplicate console rule name "a" (first at line 3)',
      'test.yaml:12:38 consoles[1].match.body: expected a regular expression (a string) or a pattern (a map)',
      'test.yaml:14:38 consoles[2].match.body: the regular expression does not compile: Invalid regular expression: /(unclosed/: Unterminated group',
    ]);
  });

  it('reports templates that name no URL group, an unknown part, or unbalanced braces', () => {
    expect(
      problems(
        yaml(
          'version: 1',
          'consoles:',
          '  - name: t',
          '    match: { url: "https://:region.example.com/:bucket" }',
          '    action: a.b',
          '    resource: "s3/{bukket}/{cookie.x}"',
          '    environment: "{region"',
        ),
      ),
    ).toEqual([
      'test.yaml:6:15 consoles[0].resource: {bukket} names no :bukket group of the url pattern',
      'test.yaml:6:15 consoles[0].resource: {cookie.x} is not a template part; use {name}, {body.a.b}, {query.x} or {header.x}',
      'test.yaml:7:18 consoles[0].environment: unbalanced braces in template "{region"',
    ]);
  });

  it('checks templates even when the same console rule has other problems', () => {
    expect(
      problems(
        yaml(
          'version: 1',
          'consoles:',
          '  - name: t',
          '    match: { url: "https://x/:id", method: 7 }',
          '    action: a.b',
          '    resource: "{idd}"',
        ),
      ),
    ).toEqual([
      'test.yaml:4:44 consoles[0].match.method: expected an HTTP method or a list of them',
      'test.yaml:6:15 consoles[0].resource: {idd} names no :idd group of the url pattern',
    ]);
  });
});
