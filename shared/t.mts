import { readFileSync } from 'node:fs';
import { parsePolicy, formatProblem } from './src/policy/index';
const f = process.argv[2] ?? '';
const r = parsePolicy(readFileSync(f, 'utf8'), 'bad.yaml');
console.log(r.ok ? 'OK' : r.problems.map(formatProblem).join('\n'));
