import browser from 'webextension-polyfill';
import { FINAL_STATES } from '../../lib/holds-model';
import { ask } from '../../lib/messages';

const $ = (id: string) => document.getElementById(id) as HTMLElement;

async function render(): Promise<void> {
  const status = await ask('status', {});
  $('user').textContent = status.user ? (status.user.email ?? status.user.id) : 'not paired';
  $('server').textContent = status.serverUrl
    ? `${status.serverUrl} — ${status.health === 'ok' ? 'reachable' : 'unreachable'}`
    : 'none';
  $('server').className = status.health === 'ok' ? 'ok' : 'error';
  const { rules } = status;
  $('rules').textContent =
    `${rules.count} rules, ${rules.from === 'server' ? `from the server (${rules.version})` : 'built-in only: gated actions are held back'}` +
    (rules.error ? ` — last fetch failed: ${rules.error}` : '') +
    (rules.problems.length
      ? ` — ${rules.problems.length} rules left out: ${rules.problems.join('; ')}`
      : '') +
    (rules.unenforced.length ? ` — no network block for: ${rules.unenforced.join('; ')}` : '');
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
