import { describe, expect, it } from 'vitest';
import { amendedLines } from '../src/cli/agent/amended-rerun';
import { parseParams } from '../src/cli/agent/exec-args';

// The command `exec` prints after an amended approval must ask for exactly the approved params: each
// `--param` it writes, read back the way exec reads it, gives the same value (a "2" stays a string).

/** Splits a line as a POSIX shell would, for the quoting amendedLines uses: '…' and \' outside it. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (c === ' ') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const close = line.indexOf("'", i + 1);
      word = (word ?? '') + line.slice(i + 1, close);
      i = close;
    } else if (c === '\\') {
      word = (word ?? '') + line.charAt(i + 1);
      i += 1;
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

const request = (params: Record<string, unknown>) => ({
  id: 'act_1',
  amended: {
    params,
    digest: 'd',
    by: 'user:rita@example.com',
    at: '2026-11-30T00:00:00Z',
    original: { digest: 'o' },
  },
});
const action = { action: 'deploy.app', environment: 'prod', justification: "ticket 42, Rita's" };

describe('the command printed after an amended approval', () => {
  it('asks again with exactly the approved params', () => {
    const approved = { version: 2, tag: '2', note: 'hot fix', dry: false, none: null, quote: "it's" };
    const lines = amendedLines(request(approved), action, ['./deploy.sh', 'up now']);
    expect(lines[0]).toContain('the reviewer approved a changed action');
    expect(lines[1]).toBe(`the approved params: ${JSON.stringify(approved)}`);
    const rerun = lines[2]?.replace(/^to ask again with them: /, '') ?? '';
    const words = shellWords(rerun);
    const dashes = words.indexOf('--');
    expect(words.slice(dashes + 1)).toEqual(['./deploy.sh', 'up now']);
    const flag = (name: string) => words[words.indexOf(name) + 1];
    expect([flag('--action'), flag('--env'), flag('--justification')]).toEqual([
      'deploy.app',
      'prod',
      "ticket 42, Rita's",
    ]);
    const pairs = words.flatMap((w, i) => (words[i - 1] === '--param' ? [w] : []));
    expect(parseParams(pairs)).toEqual(approved);
  });

  it('says when a param is an object or a list, which --param cannot carry', () => {
    const lines = amendedLines(request({ regions: ['eu', 'us'] }), action, ['./deploy.sh']);
    expect(lines.at(-1)).toMatch(/cannot carry: submit them through the SDK or the API/);
    expect(lines.join('\n')).not.toContain('countersign exec');
  });
});
