import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { lazyChild } from '../src/http/lazy-log';

function capture(level: string) {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (d: Buffer) => {
    for (const line of d.toString().trim().split('\n'))
      lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  return { log: pino({ level }, stream), lines };
}

describe('lazyChild', () => {
  it('makes no pino child until something is logged, then one', () => {
    const { log } = capture('warn');
    const made = vi.spyOn(log, 'child');
    const request = lazyChild(log, { requestId: 'r1' });
    expect(made).not.toHaveBeenCalled();
    request.warn('something');
    request.error('else');
    expect(made).toHaveBeenCalledTimes(1);
  });

  it('logs with its bindings, as a pino child would, at the parent level', async () => {
    const { log, lines } = capture('info');
    const request = lazyChild(log, { requestId: 'r1', actor: 'agent:a' });
    request.debug('hidden');
    request.info({ status: 201 }, 'request');
    request.error({ err: new Error('boom') }, 'unhandled error');
    expect(request.isLevelEnabled('debug')).toBe(false);
    await new Promise((r) => setImmediate(r));
    expect(lines.map(({ requestId, actor, msg }) => ({ requestId, actor, msg }))).toEqual([
      { requestId: 'r1', actor: 'agent:a', msg: 'request' },
      { requestId: 'r1', actor: 'agent:a', msg: 'unhandled error' },
    ]);
    expect(lines[0]?.status).toBe(201);
  });
});
