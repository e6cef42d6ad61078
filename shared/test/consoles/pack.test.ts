import { describe, expect, it } from 'vitest';
import type { CompiledConsoleRules, ConsoleRequest, NetworkBackstopRule } from '../../src/consoles/index';
import { compileConsoleRules, matchConsoleRequest, networkBackstopRules } from '../../src/consoles/index';
import { formatProblem, parsePolicy } from '../../src/policy/index';
import { awsFixtures, awsNearMisses } from './fixtures/aws';
import { azureFixtures, azureNearMisses } from './fixtures/azure';
import { gcpFixtures, gcpNearMisses } from './fixtures/gcp';
import { PACK_FILE, packRules, packText } from './pack';
import { urlPattern } from './url-pattern';

const fixtures = [...awsFixtures, ...gcpFixtures, ...azureFixtures];
const nearMisses = [...awsNearMisses, ...gcpNearMisses, ...azureNearMisses];

// The pack's header comment lists these as enforceable by URL and method alone.
const BACKSTOP = [
  'aws-s3-put-bucket-policy-direct',
  'aws-s3-delete-bucket-direct',
  'gcp-project-set-iam-policy',
  'gcp-storage-bucket-delete',
  'gcp-compute-instance-delete',
  'gcp-service-account-key-create',
  'gcp-sql-instance-delete',
  'azure-role-assignment-write',
  'azure-role-assignment-write-any-scope',
  'azure-resource-group-delete',
  'azure-vm-delete',
  'azure-storage-list-keys',
  'azure-keyvault-secret-get',
];

describe('the default console pack', () => {
  it('loads with parsePolicy with no problems', () => {
    const result = parsePolicy(packText, PACK_FILE);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
    expect(result.ok && result.policy.rules).toEqual([]);
  });

  it('has recorded request shapes for every rule, and names no rule it lacks', () => {
    const names = packRules().map((r) => r.name);
    expect(new Set(fixtures.map((f) => f.expected.rule))).toEqual(new Set(names));
  });

  it('covers the three consoles with actions under their own prefixes', () => {
    const prefixes = packRules().map((r) => `${r.name.split('-')[0]}:${r.action.split('.')[0]}`);
    expect(new Set(prefixes)).toEqual(new Set(['aws:aws', 'gcp:gcp', 'azure:azure']));
  });

  it('comments every rule with its confidence', () => {
    for (const name of packRules().map((r) => r.name)) {
      expect(packText, name).toMatch(new RegExp(`- name: ${name} # .*\\b(doc|seen|inferred)\\b`));
    }
  });
});

describe(`the default pack against recorded requests`, () => {
  let cache: CompiledConsoleRules | undefined;
  const compiled = () => {
    cache ??= compileConsoleRules(packRules(), { URLPattern: urlPattern() });
    return cache;
  };

  it('compiles every rule', () => {
    const { rules, problems } = compiled();
    expect(problems).toEqual([]);
    expect(rules).toHaveLength(packRules().length);
  });

  it.each(fixtures)('$expected.rule: $about', ({ request, expected }) => {
    expect(matchConsoleRequest(compiled(), request)).toEqual(expected);
  });

  it.each(nearMisses)('near miss, nothing matches: $about', ({ request }) => {
    expect(matchConsoleRequest(compiled(), request)).toBeUndefined();
  });
});

describe(`the default pack's network backstop`, () => {
  let cache: NetworkBackstopRule[] | undefined;
  const backstop = () => {
    cache ??= networkBackstopRules(compileConsoleRules(packRules(), { URLPattern: urlPattern() }));
    return cache;
  };
  const blocks = (request: ConsoleRequest) =>
    backstop().filter(
      ({ condition }) =>
        condition !== undefined &&
        new RegExp(condition.regexFilter, 'i').test(request.url) &&
        (condition.requestMethods ?? [request.method.toLowerCase()]).includes(request.method.toLowerCase()),
    );

  it('is exactly the rules the header comment lists, each with a DNR condition', () => {
    const rules = backstop();
    expect(rules.map((r) => r.rule)).toEqual(BACKSTOP);
    for (const rule of rules) expect(rule.condition, rule.rule).toBeDefined();
    for (const name of BACKSTOP) expect(packText).toContain(name);
  });

  it('blocks every recorded request of those rules, by the same rule', () => {
    for (const { request, expected } of fixtures.filter((f) => BACKSTOP.includes(f.expected.rule))) {
      expect(
        blocks(request).map((r) => r.rule),
        request.url,
      ).toContain(expected.rule);
    }
  });

  it('blocks no near miss and no envelope request', () => {
    for (const { request } of nearMisses) expect(blocks(request), request.url).toEqual([]);
    for (const { request } of fixtures.filter((f) => !BACKSTOP.includes(f.expected.rule))) {
      expect(blocks(request), request.url).toEqual([]);
    }
  });
});
