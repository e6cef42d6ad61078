// A 1,000,000-event audit log for the verify and export rows, built once and cached in the temp
// folder. Built with the server's own code: `keys create` opens it (migrations, the signed genesis
// checkpoint), the real `appendAudit` chains every event in transactions of 1,000, and `audit
// checkpoint` signs the head, so `audit verify` checks it exactly as it checks a production log.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuditInput, appendAudit } from '../../server/src/audit/emit';
import { openDatabase } from '../../server/src/db/client';

export const AUDIT_EVENTS = 1_000_000;
const BATCH = 1_000;

export type AuditDb = { env: Record<string, string>; key: string; dir: string };

/** Three events per allowed request, as the allow path writes them. */
function eventsFor(i: number): AuditInput[] {
  const id = `act_${i.toString(36).padStart(26, '0')}`;
  const agent = `agent:bench-bot-${i % 7}`;
  return [
    {
      type: 'action.submitted',
      actor: agent,
      subject: id,
      data: {
        action: 'bench.read',
        resource: `bench/items/${i}`,
        environment: 'prod',
        digest: createHash('sha256').update(String(i)).digest('hex'),
      },
    },
    { type: 'action.allowed', actor: 'system:policy', subject: id, data: { rule: 'reads' } },
    { type: 'grant.issued', actor: 'system:policy', subject: id, data: { ttlSeconds: 300 } },
  ];
}

export async function auditDb(
  cli: (args: string[], env: Record<string, string>) => string,
  policy: string,
): Promise<AuditDb> {
  // Keyed by the migrations: a schema change builds a fresh log rather than reading a stale one.
  const journal = await readFile(new URL('../../server/drizzle/meta/_journal.json', import.meta.url), 'utf8');
  const tag = createHash('sha256').update(journal).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `countersign-bench-audit-${AUDIT_EVENTS}-${tag}`);
  const env = { COUNTERSIGN_DB_URL: `file:${join(dir, 'audit.db')}`, COUNTERSIGN_POLICY: policy };
  const done = join(dir, 'key');
  if (existsSync(done)) return { env, key: (await readFile(done, 'utf8')).trim(), dir };

  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const started = performance.now();
  process.stderr.write(
    `bench: building a ${AUDIT_EVENTS.toLocaleString('en')}-event audit log in ${dir} (once)\n`,
  );
  // Admin verbs refuse a database that does not exist yet: init makes it (migrations, secret, genesis).
  cli(['init'], env);
  const key = cli(['keys', 'create', '--user', 'auditor@example.com', '--scopes', 'audit:read'], env);
  const database = await openDatabase(env.COUNTERSIGN_DB_URL);
  try {
    // The log already holds the genesis checkpoint and the key's event.
    const [{ n }] = (await database.client.execute('SELECT count(*) AS n FROM audit_events'))
      .rows as unknown as [{ n: number }];
    let i = 0;
    for (let have = Number(n); have < AUDIT_EVENTS - 1; ) {
      const events: AuditInput[] = [];
      while (events.length < BATCH && have + events.length < AUDIT_EVENTS - 1) events.push(...eventsFor(i++));
      events.length = Math.min(events.length, AUDIT_EVENTS - 1 - have);
      await database.db.transaction((tx) => appendAudit(tx, Date.now(), events));
      have += events.length;
    }
  } finally {
    database.close();
  }
  cli(['audit', 'checkpoint'], env); // the last event: the head, signed
  await writeFile(done, `${key}\n`);
  process.stderr.write(`bench: audit log built in ${Math.round((performance.now() - started) / 1000)} s\n`);
  return { env, key, dir };
}
