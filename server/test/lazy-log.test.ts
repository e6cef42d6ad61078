import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
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
  it('makes no pino child until something is logged', () => {
    const { log } = capture('warn');
    let made = 0;
    const child = log.child.bind(log);
    log.child = (...args: Parameters<typeof log.child>) => {
      made += 1;
      return child(...args);
    };
    lazyChild(log, { requestId: 'r1' });
    expect(made).toBe(0);
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
