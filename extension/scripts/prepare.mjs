// The postinstall's `wxt prepare`, readable in a log that is not a terminal (`pnpm install` in CI).
// NO_COLOR quiets WXT's logger, but its banner goes through Node 20's util.styleText with an array of
// styles, which ignores NO_COLOR and the stream alike; what is left is stripped here. At a terminal
// WXT runs untouched, colours and all.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

// wxt exports no package.json to resolve from; its bin is where pnpm links the package.
const wxt = fileURLToPath(new URL('../node_modules/wxt/bin/wxt.mjs', import.meta.url));
const tty = Boolean(process.stdout.isTTY);
const child = spawn(process.execPath, [wxt, 'prepare'], {
  env: tty ? process.env : { ...process.env, NO_COLOR: '1' },
  stdio: tty ? 'inherit' : ['inherit', 'pipe', 'pipe'],
});
if (!tty) {
  child.stdout?.on('data', (chunk) => process.stdout.write(stripVTControlCharacters(String(chunk))));
  child.stderr?.on('data', (chunk) => process.stderr.write(stripVTControlCharacters(String(chunk))));
}
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
