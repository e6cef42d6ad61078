import browser from 'webextension-polyfill';
import { FINAL_STATES } from '../../lib/holds-model';
import { ask } from '../../lib/messages';

const $ = (id: string) => document.getElementById(id) as HTMLElement;

function line(text: string, className = ''): HTMLElement {
  const div = document.createElement('div');
  div.className = className;
  div.textContent = text;
  return div;
}

async function render(): Promise<void> {
  const status = await ask('status', {});
  $('user').textContent = status.user ? (status.user.email ?? status.user.id) : 'not paired';
  $('server').textContent = status.serverUrl
    ? `${status.serverUrl} — ${status.health === 'ok' ? 'reachable' : 'unreachable'}`
    : 'none';
  $('server').className = status.health === 'ok' ? 'ok' : 'error';
  const { rules } = status;
  // The version is a hash: it wraps as a whole, never mid-word (the rest of the text may wrap anywhere).
  const version = document.createElement('code');
  version.className = 'nowrap';
  version.textContent = rules.version;
  $('rules').replaceChildren(
    ...(rules.from === 'server'
      ? [`${rules.count} rules, from the server (`, version, ')']
      : [`${rules.count} rules, built-in only: gated actions are held back`]),
    ...(rules.error ? [line(`Last fetch failed: ${rules.error}`, 'error')] : []),
    ...(rules.problems.length
      ? [line(`${rules.problems.length} rules left out: ${rules.problems.join('; ')}`, 'error')]
      : []),
  );
  $('backstop').replaceChildren(
    `${rules.blocked} rules blocked at the network layer too`,
    ...(rules.broadened.length
      ? [
          line(
            `Blocked more broadly than the rule (any length where it counts): ${rules.broadened.join(', ')}`,
          ),
        ]
      : []),
    ...(rules.unenforced.length
      ? [line(`No network block for: ${rules.unenforced.join('; ')}`, 'error')]
      : []),
  );
  const list = $('holds');
  const items = status.holds
    .filter((h) => !FINAL_STATES.has(h.state))
    .map((h) => {
      const li = document.createElement('li');
      const approvals = h.approvals ? ` — approvals ${h.approvals.received} of ${h.approvals.required}` : '';
      li.textContent = `${h.action}${h.resource ? ` on ${h.resource}` : ''}${approvals}${h.channel ? ` · ${h.channel}` : ''}`;
      return li;
    });
  if (items.length === 0) {
    const none = document.createElement('li');
    none.className = 'none';
    none.textContent = 'None.';
    items.push(none);
  }
  list.replaceChildren(...items);
}

$('options').addEventListener('click', () => {
  void browser.runtime.openOptionsPage();
});

void render();
setInterval(() => void render(), 2_000);
