// Summarises a V8 .cpuprofile by where the self time went: a package under node_modules, a file of
// ours, or V8's own buckets (garbage collector, program, idle).
import { readFile } from 'node:fs/promises';

type Node = { id: number; callFrame: { functionName: string; url: string } };
type Profile = { nodes: Node[]; samples: number[] };

export type Bucket = { name: string; share: number };

function bucketOf(node: Node): string {
  const { url, functionName } = node.callFrame;
  if (!url) return `(${functionName.replace(/[()]/g, '') || 'native'})`;
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  // node:internal/streams/writable → node:internal/streams: which part of Node, not which file.
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/').slice(0, 2).join('/')}`;
  // The profiled server runs from the sources (tsx), so our own files keep their names.
  return /\/((?:server|shared|bot)\/src\/.*)$/.exec(url)?.[1] ?? url;
}

/** The `top` buckets by share of all samples, idle excluded. */
export async function summarise(file: string, top = 12): Promise<Bucket[]> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map<string, number>();
  let total = 0;
  for (const id of profile.samples) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    const name = bucketOf(node);
    counts.set(name, (counts.get(name) ?? 0) + 1);
    total += 1;
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, n]) => ({ name, share: n / total }));
}
