import { describe, expect, it } from 'vitest';
import { Countersign, CountersignError } from '../../src/sdk';

describe('the SDK and numbers the server would refuse', () => {
  it('refuses an integer beyond 2^53−1 before sending anything, naming its path', async () => {
    // Nothing listens on port 9 here: had the SDK sent the request, the error would be `unavailable`.
    const client = new Countersign({
      url: 'http://127.0.0.1:9',
      key: 'csk_test',
      retry: { maxElapsedMs: 0 },
    });
    const refused = await client.request({ action: 'db.export', params: { ids: [1, 2 ** 60] } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(CountersignError);
    if (!(refused instanceof CountersignError)) return;
    expect(refused.code).toBe('invalid_request');
    expect(refused.details).toEqual([
      { path: 'params.ids.1', message: expect.stringContaining('send it as a string') },
    ]);
  });
});
