/**
 * The console's only script, served from /assets/passkey.js (the CSP allows scripts from 'self' only):
 * it turns the server's WebAuthn options into navigator.credentials calls and posts the JSON that
 * @simplewebauthn/server verifies. Forms carry the CSRF token; without JavaScript they say so.
 */
export const PASSKEY_SCRIPT = `
const enc = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
const dec = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4)), (c) => c.charCodeAt(0));
async function post(url, fields) {
  const res = await fetch(url, { method: 'POST', body: new URLSearchParams(fields), credentials: 'same-origin' });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error((body.error && body.error.message) || 'Refused (' + res.status + ').');
  return body;
}
function say(form, text) {
  const out = form.querySelector('[data-problem]');
  if (out) { out.textContent = text; out.hidden = false; }
}
for (const form of document.querySelectorAll('form[data-passkey]')) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const fields = Object.fromEntries(new FormData(form));
    const button = form.querySelector('button');
    if (button) button.disabled = true;
    try {
      if (form.dataset.passkey === 'register') {
        const { options } = await post(form.dataset.options, fields);
        const cred = await navigator.credentials.create({ publicKey: {
          ...options,
          challenge: dec(options.challenge),
          user: { ...options.user, id: dec(options.user.id) },
          excludeCredentials: (options.excludeCredentials || []).map((c) => ({ ...c, id: dec(c.id) })),
        } });
        const response = {
          id: cred.id, rawId: enc(cred.rawId), type: cred.type,
          clientExtensionResults: cred.getClientExtensionResults(),
          authenticatorAttachment: cred.authenticatorAttachment || undefined,
          response: {
            clientDataJSON: enc(cred.response.clientDataJSON),
            attestationObject: enc(cred.response.attestationObject),
            transports: cred.response.getTransports ? cred.response.getTransports() : [],
          },
        };
        const done = await post(form.action, { ...fields, response: JSON.stringify(response) });
        location.assign(done.location);
      } else {
        const { stepUp, options } = await post(form.dataset.options, fields);
        const cred = await navigator.credentials.get({ publicKey: {
          ...options,
          challenge: dec(options.challenge),
          allowCredentials: (options.allowCredentials || []).map((c) => ({ ...c, id: dec(c.id) })),
        } });
        const response = {
          id: cred.id, rawId: enc(cred.rawId), type: cred.type,
          clientExtensionResults: cred.getClientExtensionResults(),
          authenticatorAttachment: cred.authenticatorAttachment || undefined,
          response: {
            clientDataJSON: enc(cred.response.clientDataJSON),
            authenticatorData: enc(cred.response.authenticatorData),
            signature: enc(cred.response.signature),
            userHandle: cred.response.userHandle ? enc(cred.response.userHandle) : undefined,
          },
        };
        const done = await post(form.action, { _csrf: fields._csrf, stepUp, response: JSON.stringify(response) });
        location.assign(done.location);
      }
    } catch (error) {
      say(form, error && error.message ? error.message : String(error));
      if (button) button.disabled = false;
    }
  });
}
`;
