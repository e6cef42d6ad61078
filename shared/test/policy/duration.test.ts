import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/policy/index';
import { problems, yaml } from './helpers';

describe('parseDuration', () => {
  it('reads seconds, minutes, hours, days and milliseconds', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('250ms')).toBe(250);
  });

  it('adds up compound durations', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1d2h3m4s')).toBe(93_784_000);
  });

  it('refuses anything else', () => {
    for (const bad of ['', '15', 'm', '15 m', '1.5h', '-5m', '15min', '2w', 'h1']) {
      expect(parseDuration(bad), bad).toBeUndefined();
    }
  });
});

describe('formatDuration', () => {
  it('spells milliseconds in the largest units', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(300_000)).toBe('5m');
    expect(formatDuration(90_061_001)).toBe('1d1h1m1s1ms');
    expect(formatDuration(0)).toBe('0s');
  });
});

describe('durations in a policy', () => {
  it('are refused when malformed, zero, too long or not a string', () => {
    expect(
      problems(
        yaml(
          'version: 1',
          'defaults:',
          '  timeout: 15 minutes',
          '  grantTtl: 0s',
          'default: { effect: review, approvers: [sre], timeout: 400d, grantTtl: 300 }',
          'groups: { sre: [a@b.co] }',
        ),
      ),
    ).toEqual([
      'test.yaml:3:12 defaults.timeout: expected a duration like 30s, 15m, 2h or 1d, not "15 minutes"',
      'test.yaml:4:13 defaults.grantTtl: must be more than 0s and at most 365d, not "0s"',
      'test.yaml:5:55 default.timeout: must be more than 0s and at most 365d, not "400d"',
      'test.yaml:5:71 default.grantTtl: expected a duration like 30s, 15m, 2h or 1d',
    ]);
  });
});
