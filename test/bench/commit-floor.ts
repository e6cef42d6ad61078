// The disk's own answer time: a bare one-row commit with the server's durability (WAL,
// synchronous=FULL: each COMMIT waits for its fsync), on the same file system as the bench's database.
// Every allow and every approve waits for one such commit before it answers, so no p99 of theirs can
// be lower than this one's, measured in the same run.
import { join } from 'node:path';
import { openConnection } from '../../server/src/db/local';

export function commitFloor(dir: string, seconds = 3): { commits: number; p50: number; p99: number } {
  const db = openConnection(join(dir, 'commit-floor.db'));
  try {
    db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const begin = db.prepare('BEGIN IMMEDIATE');
    const commit = db.prepare('COMMIT');
    const times: number[] = [];
    const row = 'x'.repeat(1_000); // about what an allow writes (the action, two audit events, a grant)
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until) {
      begin.run();
      insert.run(row);
      const started = performance.now();
      commit.run();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
    return { commits: times.length, p50: at(0.5), p99: at(0.99) };
  } finally {
    db.close();
  }
}
