#!/usr/bin/env node
// `pnpm countersign …`: the built CLI, rebuilt first if a source changed since (a stat walk, a few
// ms), in this same process so the command pays for one Node start-up, not two.
const { buildIfStale } = await import('./build.mjs');
if (await buildIfStale()) process.stderr.write('countersign: rebuilt server/dist/cli/main.js\n');
await import('../server/dist/cli/main.js');
