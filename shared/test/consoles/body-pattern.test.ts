import { describe, expect, it } from 'vitest';
import type { Witnesses } from '../../src/consoles/body-pattern';
import { compileBodyPattern } from '../../src/consoles/body-pattern';
import type { BodyValue } from '../../src/consoles/index';
import type { BodyPattern } from '../../src/policy/index';

const matches = (pattern: BodyPattern, body: BodyValue, witnesses: Witnesses = new Map()) =>
  compileBodyPattern(pattern)(body, '', witnesses);

const read = {
  httpMethod: 'GET',
  url: 'https://management.azure.com/subscriptions/s/resourcegroups?api-version=1',
};
const assign = {
  httpMethod: 'PUT',
  url: 'https://management.azure.com/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/a1?api-version=2',
};
const privileged = {
  requests: [{ httpMethod: 'PUT', url: '*/providers/Microsoft.Authorization/roleAssignments/*' }],
};

describe('body patterns', () => {
  it('match a map key by key, ignoring keys the pattern does not name', () => {
    expect(matches({ operation: 'putBucketPolicy' }, { operation: 'putBucketPolicy', path: '/b' })).toBe(
      true,
    );
    expect(matches({ operation: 'putBucketPolicy', path: '/b' }, { operation: 'putBucketPolicy' })).toBe(
      false,
    );
    expect(matches({ operation: 'putBucketPolicy' }, { operation: 'listObjects' })).toBe(false);
  });

  it('read string values as globs, ignoring case, with * crossing slashes', () => {
    expect(matches({ url: '*/roleAssignments/*' }, { url: 'https://x/a/b/ROLEASSIGNMENTS/c?v=1' })).toBe(
      true,
    );
    expect(matches({ op: 'Put?ucket*' }, { op: 'putBucketPolicy' })).toBe(true);
    expect(matches({ op: 'Put*' }, { op: 'GetBucket' })).toBe(false);
  });

  it('compare globs with numbers and booleans as text, and never with maps, lists or null', () => {
    expect(matches({ n: '7*' }, { n: 75 })).toBe(true);
    expect(matches({ n: '*' }, { n: { a: 1 } })).toBe(false);
    expect(matches({ n: '*' }, { n: null })).toBe(false);
  });

  it('compare numbers and booleans for equality, also with a form body string', () => {
    expect(matches({ days: 7, force: true }, { days: 7, force: true })).toBe(true);
    expect(matches({ days: 7 }, { days: 30 })).toBe(false);
    expect(matches({ force: true }, { force: 'true' })).toBe(true);
    expect(matches({ force: true }, { force: 1 })).toBe(false);
  });

  it('match null only with null', () => {
    expect(matches({ x: null }, { x: null })).toBe(true);
    expect(matches({ x: null }, {})).toBe(false);
    expect(matches({ x: null }, { x: 'null' })).toBe(false);
  });

  it('recurse into nested maps', () => {
    const body = { headers: { 'x-amz-s3-console-op-name': 'DeleteBucket' }, region: 'us-east-1' };
    expect(matches({ headers: { 'x-amz-s3-console-op-name': 'DeleteBucket' } }, body)).toBe(true);
    expect(matches({ headers: { 'x-amz-s3-console-op-name': 'PutBucketPolicy' } }, body)).toBe(false);
    expect(matches({ headers: { other: '*' } }, body)).toBe(false);
  });

  it('find keys in any case (envelope headers vary)', () => {
    const body = { headers: { 'X-Amz-Target': 'AWSIdentityManagementV20100508.CreateAccessKey' } };
    expect(matches({ headers: { 'x-amz-target': '*.CreateAccessKey' } }, body)).toBe(true);
    expect(matches({ Headers: { 'x-amz-target': '*.CreateAccessKey' } }, body)).toBe(true);
    // Either of two keys that differ only in case may match: a server might read either.
    expect(matches({ a: 'x' }, { a: 'y', A: 'x' })).toBe(true);
    expect(matches({ a: 'x' }, { a: 'y', A: 'z' })).toBe(false);
  });

  it('look into JSON held in a string (an envelope contentString)', () => {
    const body = { contentString: '{"RoleName":"deploy","Tags":[{"Key":"env","Value":"prod"}]}' };
    expect(matches({ contentString: { RoleName: 'deploy' } }, body)).toBe(true);
    expect(matches({ contentString: { Tags: [{ Value: 'prod' }] } }, body)).toBe(true);
    expect(matches({ contentString: { RoleName: 'other' } }, body)).toBe(false);
    expect(matches({ contentString: { RoleName: 'deploy' } }, { contentString: 'not json' })).toBe(false);
  });

  it('catch a privileged entry in a batch among reads', () => {
    expect(matches(privileged, { requests: [read, read, assign, read] })).toBe(true);
  });

  it('let a batch of reads through, even one reading the privileged path', () => {
    expect(matches(privileged, { requests: [read, { ...assign, httpMethod: 'GET' }] })).toBe(false);
    expect(matches(privileged, { requests: [] })).toBe(false);
    expect(matches(privileged, { requests: 'nothing' })).toBe(false);
  });

  it('need each entry of a list pattern to match some element, not the same one', () => {
    const both = { requests: [{ httpMethod: 'PUT' }, { httpMethod: 'DELETE' }] };
    expect(matches(both, { requests: [{ httpMethod: 'DELETE' }, read, { httpMethod: 'PUT' }] })).toBe(true);
    expect(matches(both, { requests: [{ httpMethod: 'PUT' }, read] })).toBe(false);
  });

  it('take a single value for a one-element list (a form key given once)', () => {
    expect(matches({ InstanceId: ['i-1'] }, { InstanceId: 'i-1' })).toBe(true);
    expect(matches({ InstanceId: ['i-1'] }, { InstanceId: ['i-0', 'i-1'] })).toBe(true);
    expect(matches({ InstanceId: ['i-1'] }, {})).toBe(false);
  });

  it('record the element that matched the first entry of each list pattern', () => {
    const witnesses: Witnesses = new Map();
    expect(matches(privileged, { requests: [read, assign] }, witnesses)).toBe(true);
    expect(witnesses.get('requests')).toEqual(assign);
  });

  it('keep the witness of the first entry when a list pattern has several', () => {
    const witnesses: Witnesses = new Map();
    const put = { httpMethod: 'PUT', url: '/a' };
    const del = { httpMethod: 'DELETE', url: '/b' };
    const pattern = { requests: [{ httpMethod: 'PUT' }, { httpMethod: 'DELETE' }] };
    expect(matches(pattern, { requests: [del, put] }, witnesses)).toBe(true);
    expect(witnesses.get('requests')).toEqual(put);
  });

  it('record witnesses of nested lists by their path, and none from a branch that failed', () => {
    const pattern = { jobs: [{ steps: [{ run: 'rm*' }], name: 'deploy' }] };
    const body = {
      jobs: [
        { name: 'test', steps: [{ run: 'rm -rf tmp' }] },
        { name: 'deploy', steps: [{ run: 'echo' }, { run: 'rm -rf /' }] },
      ],
    };
    const witnesses: Witnesses = new Map();
    expect(matches(pattern, body, witnesses)).toBe(true);
    expect(witnesses.get('jobs')).toEqual(body.jobs[1]);
    expect(witnesses.get('jobs.*.steps')).toEqual({ run: 'rm -rf /' });

    const failed: Witnesses = new Map();
    expect(matches({ jobs: [{ steps: [{ run: 'rm*' }], name: 'none' }] }, body, failed)).toBe(false);
    expect([...failed]).toEqual([]);
  });

  it('match a list at the top of the body, a lone map standing for a list of one', () => {
    expect(matches([{ op: 'delete' }], [{ op: 'get' }, { op: 'delete' }])).toBe(true);
    expect(matches([{ op: 'delete' }], [{ op: 'get' }])).toBe(false);
    expect(matches([{ op: 'delete' }], { op: 'delete' })).toBe(true);
  });
});
