import { ask } from '../../lib/messages';
import { pairingItem } from '../../lib/storage';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('pair-form');
const result = $<HTMLParagraphElement>('result');

async function showPairing(): Promise<void> {
  const pairing = await pairingItem.getValue();
  // Paired: who you are and Unpair, not a form inviting you to pair again. Unpaired: the form.
  $('paired').hidden = !pairing;
  form.hidden = pairing !== null;
  if (!pairing) return;
  $('paired-user').textContent = pairing.user.email ?? pairing.user.id;
  $('paired-server').textContent = pairing.serverUrl;
  $<HTMLInputElement>('server-url').value ||= pairing.serverUrl;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = $<HTMLButtonElement>('pair');
  button.disabled = true;
  result.className = '';
  result.textContent = 'Pairing…';
  const answer = await ask('pair', {
    serverUrl: $<HTMLInputElement>('server-url').value,
    secret: $<HTMLInputElement>('secret').value,
  });
  button.disabled = false;
  if (answer.ok) {
    $<HTMLInputElement>('secret').value = '';
    result.className = 'ok';
    result.textContent = `Paired as ${answer.user.email ?? answer.user.id}.`;
  } else {
    result.className = 'error';
    result.textContent = answer.error;
  }
  await showPairing();
});

$('unpair').addEventListener('click', async () => {
  await ask('unpair', {});
  result.className = '';
  result.textContent = 'Unpaired. Gated console actions are held back until you pair again.';
  await showPairing();
});

void showPairing();
