import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActionRequest, StandingApproval } from '@countersign/shared';
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../test/e2e/processes';
import { startTestServer, submit, type TestServer } from './harness';

// Closing note: migration 0024 (standing_approvals.environment) had been tried only on a fresh
// database. This one is built at 0023 by drizzle's migrator on the migrations as they stood then, holds
// what an install of that time wrote, and is then opened by the current server, as an upgrade does.
const MIGRATIONS = fileURLToPath(new URL('../drizzle', import.meta.url));
const POLICY = `version: 1
groups:
  sre: [bob@example.com]
rules:
  - name: deploys
    match: { action: "deploy.*" }
    effect: review
    approvers: [sre]
    standing: { max: 12h, uses: 10 }
default: { effect: deny, reason: not covered }
`;

type Journal = { entries: Array<{ idx: number; when: number; tag: string }> };
const journalOf = async (folder: string): Promise<Journal> =>
  JSON.parse(await readFile(join(folder, 'meta', '_journal.json'), 'utf8')) as Journal;

/** The migrations folder as it stood when 0023 was the newest: the journal and its files up to 0023. */
async function migrationsThrough(idx: number, into: string): Promise<void> {
  const journal = await journalOf(MIGRATIONS);
  const entries = journal.entries.filter((e) => e.idx <= idx);
  await mkdir(join(into, 'meta'), { recursive: true });
  for (const e of entries) await copyFile(join(MIGRATIONS, `${e.tag}.sql`), join(into, `${e.tag}.sql`));
  await writeFile(join(into, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }));
}

const columnsOf = async (client: ReturnType<typeof createClient>, table: string, schema = 'main') =>
  (await client.execute(`PRAGMA ${schema}.table_info(${table})`)).rows.map((r) => String(r.name));

/**
 * The rows an install at 0023 wrote. The server's writes have not changed since then but for 0024's
 * own column (its commit adds `environment` to the standing approval row and nothing else to any row
 * or audit event), so they are made through the API of a server of today and copied, every column
 * the 0023 schema has, into the 0023 database: chain, checkpoints and key hashes as they were.
 */
async function writtenAt0023(into: string, make: (donor: TestServer) => Promise<void>): Promise<void> {
  const donor = await startTestServer({ policy: POLICY });
  try {
    await make(donor);
  } finally {
    await donor.stop({ keepDir: true });
  }
  const client = createClient({ url: `file:${join(into, 'countersign.db')}` });
  try {
    await client.execute(`ATTACH '${donor.dbFile}' AS donor`);
    await client.execute('PRAGMA foreign_keys = OFF');
    const tables = (
      await client.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__drizzle_migrations'",
      )
    ).rows.map((r) => String(r.name));
    for (const table of tables) {
      const old = await columnsOf(client, table);
      const now = await columnsOf(client, table, 'donor');
      // 0024 is the only change since 0023: one column, on one table.
      expect(now.filter((c) => !old.includes(c))).toEqual(
        table === 'standing_approvals' ? ['environment'] : [],
      );
      const cols = old.map((c) => `"${c}"`).join(', ');
      await client.execute(`INSERT INTO main."${table}" (${cols}) SELECT ${cols} FROM donor."${table}"`);
    }
  } finally {
    client.close();
  }
  // The same install: its secret (grant tokens, key hashes, the checkpoint key) comes along.
  await copyFile(join(donor.dir, 'countersign.secret'), join(into, 'countersign.secret'));
  await rm(donor.dir, { recursive: true, force: true });
}

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('upgrading a database made at migration 0023', () => {
  it('applies 0024 and 0025; an old standing approval covers the environment of the request it was given on; the log verifies', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'countersign-0023-'));
    dirs.push(dir);
    const at0023 = join(dir, 'migrations-0023');
    await migrationsThrough(23, at0023);
    const built = createClient({ url: `file:${join(dir, 'countersign.db')}` });
    await migrate(drizzle(built), { migrationsFolder: at0023 });
    expect(await columnsOf(built, 'standing_approvals')).not.toContain('environment');
    built.close();

    const keys = { agent: '', bob: '', audra: '' };
    const before: Record<'plain' | 'prod' | 'pendingStaging', string> = {
      plain: '',
      prod: '',
      pendingStaging: '',
    };
    await writtenAt0023(dir, async (donor) => {
      keys.agent = await donor.agentKey('deploy-bot', 'alice@example.com');
      keys.bob = await donor.userKey('bob@example.com');
      keys.audra = await donor.userKey('audra@example.com', ['audit:read']);
      const standing = { standing: { for: '12h', uses: 5 } };
      // Given at 0023 on a request without an environment, and on one in prod (which then covered every environment).
      const plain = await submit(donor, keys.agent, { action: 'deploy.run' });
      const prod = await submit(donor, keys.agent, { action: 'deploy.migrate', environment: 'prod' });
      for (const id of [plain.id, prod.id]) {
        const approved = await donor.call<ActionRequest>('POST', `/v1/actions/${id}/reviews`, {
          key: keys.bob,
          body: { decision: 'approve', ...standing },
        });
        expect(approved.body).toMatchObject({ status: 'approved', standing: { role: 'created' } });
      }
      before.plain = plain.id;
      before.prod = prod.id;
      // A request still pending across the upgrade.
      before.pendingStaging = (
        await submit(donor, keys.agent, { action: 'deploy.restart', environment: 'staging' })
      ).id;
    });

    const t = await startTestServer({ policy: POLICY, dir });
    try {
      // The migrations applied on top of the 0023 ones; 0025 gave each old row its request's environment.
      const raw = t.rawDb();
      expect(await columnsOf(raw, 'standing_approvals')).toContain('environment');
      const applied = await raw.execute('SELECT created_at FROM __drizzle_migrations ORDER BY created_at');
      const journal = await journalOf(MIGRATIONS);
      expect(applied.rows.map((r) => Number(r.created_at))).toEqual(journal.entries.map((e) => e.when));
      const rows = await raw.execute('SELECT from_action_id, environment FROM standing_approvals');
      expect(rows.rows.map((r) => [r.from_action_id, r.environment]).sort()).toEqual(
        [
          [before.plain, null],
          [before.prod, 'prod'],
        ].sort(),
      );

      // Listed with the environment it covers (absent: only requests without one).
      const listed = await t.call<{ items: StandingApproval[] }>('GET', '/v1/standing-approvals', {
        key: keys.bob,
      });
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((s) => [s.fromRequest, s.environment]).sort()).toEqual(
        [
          [before.plain, undefined],
          [before.prod, 'prod'],
        ].sort(),
      );
      const idOf = (from: string) => listed.body.items.find((s) => s.fromRequest === from)?.id;

      // Outside the environment its request had, an old row approves nothing: the one given without an
      // environment does not reach prod or staging, and the one given in prod does not reach a request
      // without an environment (before 0025 it did: its reviewer never saw such a request).
      for (const [action, environment] of [
        ['deploy.run', 'prod'],
        ['deploy.run', 'staging'],
        ['deploy.migrate', 'staging'],
        ['deploy.migrate', undefined],
      ]) {
        const held = await submit(t, keys.agent, { action, environment });
        expect(held, `${action} in ${environment}`).toMatchObject({ status: 'pending' });
        expect(held.standing).toBeUndefined();
      }
      // Inside it, each old row approves as docs/policy.md says of rows from before 0024.
      for (const [action, environment, from] of [
        ['deploy.run', undefined, before.plain],
        ['deploy.migrate', 'prod', before.prod],
      ] as const) {
        const taken = await submit(t, keys.agent, { action, environment });
        expect(taken, action).toMatchObject({
          status: 'approved',
          standing: { id: idOf(from), role: 'used' },
        });
        expect(taken.grant).toBeDefined();
      }

      // The request pending across the upgrade is decided as any other; the standing approval it makes
      // now records its environment and covers that one only.
      const decided = await t.call<ActionRequest>('POST', `/v1/actions/${before.pendingStaging}/reviews`, {
        key: keys.bob,
        body: { decision: 'approve', standing: { for: '1h', uses: 2 } },
      });
      expect(decided.body).toMatchObject({ status: 'approved', standing: { role: 'created' } });
      expect(await submit(t, keys.agent, { action: 'deploy.restart', environment: 'staging' })).toMatchObject(
        {
          status: 'approved',
          standing: { id: decided.body.standing?.id, role: 'used' },
        },
      );
      expect(await submit(t, keys.agent, { action: 'deploy.restart' })).toMatchObject({ status: 'pending' });

      const verified = await t.call<{ ok: boolean; events: number }>('GET', '/v1/audit/verify', {
        key: keys.audra,
      });
      expect(verified.body).toMatchObject({ ok: true });
      expect(verified.body.events).toBeGreaterThan(20);
    } finally {
      await t.stop({ keepDir: true });
    }
    // And `countersign audit verify`, as an operator runs it after the upgrade.
    const cli = await runCli(['audit', 'verify'], {
      COUNTERSIGN_DB_URL: `file:${join(dir, 'countersign.db')}`,
    });
    expect(cli.code, cli.stderr).toBe(0);
  });
});
