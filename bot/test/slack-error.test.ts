import { ErrorCode } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { slackErrorText } from '../src/slack-error';

// The shape @slack/web-api gives a platform error (its errors.ts: platformErrorFromResult).
function platformError(data: Record<string, unknown>): Error {
  return Object.assign(new Error(`An API error occurred: ${String(data.error)}`), {
    code: ErrorCode.PlatformError,
    data: { ok: false, ...data },
  });
}

describe('slackErrorText', () => {
  it('names the scope a missing_scope answer says is needed', () => {
    expect(slackErrorText(platformError({ error: 'missing_scope', needed: 'usergroups:read' }))).toBe(
      'An API error occurred: missing_scope (the app needs the usergroups:read scope: add it under OAuth & Permissions, then reinstall the app)',
    );
  });

  it('leaves other errors as they are', () => {
    expect(slackErrorText(platformError({ error: 'channel_not_found' }))).toBe(
      'An API error occurred: channel_not_found',
    );
    expect(slackErrorText('boom')).toBe('boom');
  });
});
