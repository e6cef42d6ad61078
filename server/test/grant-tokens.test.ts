import { describe, expect, it } from 'vitest';
import { grantToken, issueToken, tokenOf } from '../src/services/grants/tokens';

describe('grant tokens', () => {
  const secret = Buffer.alloc(32, 1);
  it('shows the token minted at issue for the same row, and derives the same one for any other copy', () => {
    const row = { id: 'grt_1' };
    const minted = issueToken(secret, row);
    expect(minted).toBe(grantToken(secret, 'grt_1'));
    expect(tokenOf(secret, row)).toBe(minted);
    expect(tokenOf(secret, { id: 'grt_1' })).toBe(minted);
  });

  it('never shows a remembered token under another secret', () => {
    const row = { id: 'grt_2' };
    issueToken(secret, row);
    const other = Buffer.alloc(32, 2);
    expect(tokenOf(other, row)).toBe(grantToken(other, 'grt_2'));
    expect(tokenOf(other, row)).not.toBe(grantToken(secret, 'grt_2'));
  });

  it('derives anew for a row whose id is no longer the one the token was minted for', () => {
    const row = { id: 'grt_3' };
    issueToken(secret, row);
    row.id = 'grt_4';
    expect(tokenOf(secret, row)).toBe(grantToken(secret, 'grt_4'));
  });
});
