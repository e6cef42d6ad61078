// GET /v1/audit through the built server on a local file, where the export is written from the
// stored text and streamed as the socket takes it: the three formats carry the same events, a key
// without audit:read is refused before the first byte, and an unknown parameter is a 400.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastLine, runCli, type ServeProcess, startServe, tempDir } from './processes';

let dir: { dir: string; remove(): Promise<void> };
let server: ServeProcess;
let auditor: string;
let agent: string;

beforeAll(async () => {
  dir = await tempDir();
  const policy = join(dir.dir, 'policy.yaml');
  await writeFile(policy, 'version: 1\nrules: []\n');
  const env = { COUNTERSIGN_DB_URL: `file:${dir.dir}/countersign.db`, COUNTERSIGN_POLICY: policy };
  // Only init (or serve) creates the database. The log: the genesis checkpoint, the keys.
  expect((await runCli(['init'], env)).code).toBe(0);
  for (const i of [0, 1, 2]) {
    const made = await runCli(
      ['keys', 'create', '--user', `u${i}@example.com`, '--scopes', 'audit:read'],
      env,
    );
    expect(made.code, made.stderr).toBe(0);
    if (i === 0) auditor = lastLine(made.stdout);
  }
  agent = lastLine(
    (await runCli(['keys', 'create', '--agent', 'bot', '--owner', 'o@example.com'], env)).stdout,
  );
  server = await startServe(env);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await dir?.remove();
});

const get = (path: string, key: string) =>
  fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } });

describe('GET /v1/audit on a local file', () => {
  it('writes the same events as JSON, NDJSON and CSV, in seq order', async () => {
    const json = await get('/v1/audit?format=json', auditor);
    expect(json.status).toBe(200);
    const events = ((await json.json()) as { events: { seq: number; type: string }[] }).events;
    expect(events.length).toBeGreaterThanOrEqual(5);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));

    const ndjson = await get('/v1/audit?format=ndjson', auditor);
    expect(ndjson.headers.get('content-type')).toBe('application/x-ndjson');
    expect(await ndjson.text()).toBe(events.map((e) => `${JSON.stringify(e)}\n`).join(''));

    const csv = await get('/v1/audit?format=csv&type=key.created', auditor);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await csv.text()).trimEnd().split('\n');
    expect(lines[0]).toBe('seq,at,type,actor,subject,data,prevHash,hash');
    expect(lines.length - 1).toBe(events.filter((e) => e.type === 'key.created').length);
  });

  it('refuses a key without audit:read with the error body, before any event', async () => {
    const res = await get('/v1/audit?format=ndjson', agent);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
  });

  it('names an unknown parameter in a 400', async () => {
    const res = await get('/v1/audit?format=ndjson&limit=5', auditor);
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('limit');
  });
});
