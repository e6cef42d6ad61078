import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/index';
import { problems, yaml } from './helpers';

const base = [
  'version: 1',
  'groups:',
  '  platform-admins: [root@example.com]',
  '  auditors: [audrey@example.com]',
];

describe('policy access section (who may use the console admin and audit pages)', () => {
  it('is read into the policy', () => {
    const parsed = parsePolicy(
      yaml(...base, 'access: { admin: [platform-admins], audit: [auditors] }'),
      'test.yaml',
    );
    expect(parsed.ok && parsed.policy.access).toEqual({ admin: ['platform-admins'], audit: ['auditors'] });
  });

  it('names an unknown group with a did-you-mean, and an unknown key', () => {
    expect(problems(yaml(...base, 'access:', '  admin: [platform-admin]', '  audits: [auditors]'))).toEqual([
      'test.yaml:6:11 access.admin[0]: unknown group "platform-admin" (did you mean "platform-admins"? groups: platform-admins, auditors)',
      'test.yaml:7:3 access.audits: unknown key "audits" (did you mean "audit"?)',
    ]);
  });

  it('grants nothing when left out', () => {
    const parsed = parsePolicy(yaml(...base), 'test.yaml');
    expect(parsed.ok && parsed.policy.access).toEqual({ admin: [], audit: [] });
  });
});
