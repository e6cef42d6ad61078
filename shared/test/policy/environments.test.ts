import { describe, expect, it } from 'vitest';
import { load, problems, yaml } from './helpers';

describe('environments: the declared list', () => {
  it('loads the list as written', () => {
    expect(load(yaml('version: 1', 'environments: [prod, staging, dev]')).environments).toEqual([
      'prod',
      'staging',
      'dev',
    ]);
    expect(load(yaml('version: 1')).environments).toBeUndefined();
  });

  it('reports an empty list, a bad name and a name listed twice, with file:line:column', () => {
    expect(problems(yaml('version: 1', 'environments: []'))).toEqual([
      'test.yaml:2:15 environments: must not be an empty list; leave it out to accept any environment',
    ]);
    expect(problems(yaml('version: 1', 'environments: [prod, "pr od", Prod]'))).toEqual([
      'test.yaml:2:22 environments[1]: an environment is 1–64 letters, digits, ".", "_", ":" or "-"',
      'test.yaml:2:31 environments[2]: "Prod" is listed more than once',
    ]);
  });

  it('reports a rule whose environment glob matches no declared environment', () => {
    const text = yaml(
      'version: 1',
      'environments: [prod, staging]',
      'rules:',
      '  - name: drops',
      '    match: { action: "db.drop*", environment: [production, "stag*"] }',
      '    effect: deny',
      '    reason: never',
    );
    expect(problems(text)).toEqual([
      'test.yaml:5:48 rules[0].match.environment[0]: "production" matches none of the declared environments (prod, staging)',
    ]);
  });

  it('reports a console rule with a fixed environment that is not declared', () => {
    const text = yaml(
      'version: 1',
      'environments: [prod]',
      'consoles:',
      '  - name: c',
      '    match: { url: "https://console.example.com/:region/x" }',
      '    action: example.x',
      '    environment: production',
      '  - name: d',
      '    match: { url: "https://console.example.com/:region/y" }',
      '    action: example.y',
      '    environment: "{region}"',
    );
    expect(problems(text)).toEqual([
      'test.yaml:7:18 consoles[0].environment: "production" is not one of the declared environments (prod); the server would refuse these requests',
    ]);
  });
});
