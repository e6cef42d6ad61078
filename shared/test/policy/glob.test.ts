import { describe, expect, it } from 'vitest';
import type { EvaluationInput } from '../../src/policy/index';
import { compileGlobs, evaluate, globError } from '../../src/policy/index';
import { oneRule } from './helpers';

const base: EvaluationInput = { action: 'noop', requester: 'agent:bot' };

/** Whether a one-rule policy with `match` catches the request. */
function caught(match: string, input: Partial<EvaluationInput>): boolean {
  return evaluate(oneRule(match), { ...base, ...input }).rule === 'r';
}

describe('action globs', () => {
  it('keeps * inside one dot-separated segment', () => {
    expect(caught('{ action: "db.drop*" }', { action: 'db.dropTable' })).toBe(true);
    expect(caught('{ action: "db.*" }', { action: 'db.users.drop' })).toBe(false);
    expect(caught('{ action: "aws.*.get*" }', { action: 'aws.s3.getObject' })).toBe(true);
  });

  it('lets ** cross segments, including none', () => {
    expect(caught('{ action: "**.get*" }', { action: 'aws.s3.getObject' })).toBe(true);
    expect(caught('{ action: "**.get*" }', { action: 'getUser' })).toBe(true);
    expect(caught('{ action: "**.get*" }', { action: 'aws.s3.putObject' })).toBe(false);
    expect(caught('{ action: "aws.**" }', { action: 'aws.iam.AttachRolePolicy' })).toBe(true);
  });

  it('ignores case so that db.DROP cannot slip past db.drop*', () => {
    expect(caught('{ action: "db.drop*" }', { action: 'db.DROP_TABLE' })).toBe(true);
    expect(caught('{ action: aws.s3.PutBucketPolicy }', { action: 'AWS.S3.putbucketpolicy' })).toBe(true);
  });

  it('treats a literal / in an action as an ordinary character, not a separator', () => {
    expect(caught('{ action: "api.*" }', { action: 'api.v1/users' })).toBe(true);
    expect(caught('{ action: "api.v1/*" }', { action: 'api.v1/users' })).toBe(true);
    expect(caught('{ action: "api.v1/*" }', { action: 'api.v1.users' })).toBe(false);
  });
});

describe('resource globs', () => {
  it('keeps * inside one /-separated segment and lets ** cross them', () => {
    expect(caught('{ resource: "customers/*" }', { resource: 'customers/eu' })).toBe(true);
    expect(caught('{ resource: "customers/*" }', { resource: 'customers/eu/2024' })).toBe(false);
    expect(caught('{ resource: "customers/**" }', { resource: 'customers/eu/2024' })).toBe(true);
    expect(caught('{ resource: "*" }', { resource: 'a.b.c' })).toBe(true);
  });

  it('is case-sensitive', () => {
    expect(caught('{ resource: "customers/**" }', { resource: 'Customers/eu' })).toBe(false);
  });
});

describe('plain globs (environment, requester, source, initiator)', () => {
  it('lets * match anything, separators included', () => {
    expect(caught('{ requester: "agent:*" }', { requester: 'agent:ci/github.actions' })).toBe(true);
    expect(caught('{ environment: "prod*" }', { environment: 'prod-eu/1' })).toBe(true);
    expect(caught('{ requester: "user:*@example.com" }', { requester: 'user:carol@example.com' })).toBe(true);
    expect(caught('{ requester: "user:*@example.com" }', { requester: 'user:carol@evil.com' })).toBe(false);
  });

  it('ignores case', () => {
    expect(caught('{ environment: prod }', { environment: 'PROD' })).toBe(true);
    expect(caught('{ source: extension }', { source: 'Extension' })).toBe(true);
    expect(caught('{ requester: "agent:Billing-*" }', { requester: 'AGENT:billing-bot' })).toBe(true);
    expect(caught('{ initiator: "copilot:*" }', { initiator: 'Copilot:Amazon-Q' })).toBe(true);
  });
});

describe('initiator globs', () => {
  it('tells a copilot, by any name, from the person at the page', () => {
    const copilot = '{ initiator: "copilot:*" }';
    expect(caught(copilot, { initiator: 'copilot:amazon-q' })).toBe(true);
    expect(caught(copilot, { initiator: 'copilot:gemini-cloud-assist' })).toBe(true);
    expect(caught(copilot, { initiator: 'copilot:azure-copilot' })).toBe(true);
    expect(caught(copilot, { initiator: 'page' })).toBe(false);
    expect(caught('{ initiator: page }', { initiator: 'page' })).toBe(true);
  });

  it('names one copilot, or a list of them', () => {
    const some = '{ initiator: ["copilot:amazon-q", "copilot:gemini-*"] }';
    expect(caught(some, { initiator: 'copilot:amazon-q' })).toBe(true);
    expect(caught(some, { initiator: 'copilot:gemini-cloud-assist' })).toBe(true);
    expect(caught(some, { initiator: 'copilot:azure-copilot' })).toBe(false);
  });

  it('never matches a request without an initiator, not even with *', () => {
    expect(caught('{ initiator: "*" }', {})).toBe(false);
    expect(caught('{ initiator: "*" }', { initiator: '' })).toBe(false);
    expect(caught('{ source: extension, initiator: "*" }', { source: 'extension' })).toBe(false);
  });

  it('must match together with the other keys the rule gives', () => {
    const match = '{ source: extension, initiator: "copilot:*" }';
    expect(caught(match, { source: 'extension', initiator: 'copilot:amazon-q' })).toBe(true);
    expect(caught(match, { source: 'api', initiator: 'copilot:amazon-q' })).toBe(false);
  });
});

describe('lists and absent fields', () => {
  it('matches when any glob of a list matches', () => {
    const match = '{ environment: [prod, "staging-*"] }';
    expect(caught(match, { environment: 'staging-eu' })).toBe(true);
    expect(caught(match, { environment: 'prod' })).toBe(true);
    expect(caught(match, { environment: 'dev' })).toBe(false);
  });

  it('requires every given key to match', () => {
    const match = '{ action: "db.drop*", environment: prod }';
    expect(caught(match, { action: 'db.dropTable', environment: 'prod' })).toBe(true);
    expect(caught(match, { action: 'db.dropTable', environment: 'dev' })).toBe(false);
    expect(caught(match, { action: 'db.export', environment: 'prod' })).toBe(false);
  });

  it('never matches a key the request lacks, not even with ** or *', () => {
    expect(caught('{ resource: "**" }', {})).toBe(false);
    expect(caught('{ environment: "*" }', {})).toBe(false);
    expect(caught('{ source: "*" }', { source: '' })).toBe(false);
    expect(caught('{ environment: "*" }', { environment: 'dev' })).toBe(true);
  });

  it('matches every request with an empty match', () => {
    expect(caught('{}', { action: 'anything.at.all' })).toBe(true);
  });
});

describe('compileGlobs and globError', () => {
  it('compiles a list once into one matcher', () => {
    const test = compileGlobs('dotted', ['**.get*', '**.list*'], true);
    expect([test('a.getX'), test('listY'), test('a.putZ')]).toEqual([true, true, false]);
  });

  it('reports unbalanced brackets and empty globs, and accepts ordinary ones', () => {
    expect(globError('dotted', 'db.[drop')).toMatch(/^invalid glob "db\.\[drop": Missing closing: "\]"/);
    expect(globError('plain', 'a(b')).toMatch(/^invalid glob "a\(b"/);
    expect(globError('path', '')).toBe('a glob must not be empty');
    expect(globError('dotted', '{get,list}*.**')).toBeUndefined();
  });
});
