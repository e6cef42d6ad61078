/**
 * Form submissions: the submit event (bubbling, after the page's own handlers) and form.submit(),
 * which fires no event. A gated submission is held; on approval the form is submitted again as it
 * was (with its submitter), and only if it still makes the request that was approved.
 */
import { consoleRequestMayMatch, matchConsoleRequest } from '@countersign/shared/consoles';
import type { PageRequest } from '../page-protocol';
import type { Holder } from './hold';
import type { Natives } from './natives';

/** A navigation has no answer to wait for: give it this long before closing the backstop's gap. */
const FORM_SENT_AFTER_MS = 3_000;

export function wrapForms(win: Window & typeof globalThis, holder: Holder, natives: Natives): void {
  const nativeSubmit = natives.formSubmit;
  /** Forms whose next submit event is the approved one, submitted again by the hook itself. */
  const approvedForms = new WeakSet<HTMLFormElement>();

  async function holdForm(
    form: HTMLFormElement,
    submitter: HTMLElement | null,
    request: Omit<PageRequest, 'via'>,
    viaEvent: boolean,
  ): Promise<void> {
    const { holdId, decision } = holder.hold({ ...request, via: 'form' });
    if (!(await decision).release) return;
    const now = formRequest(form, submitter);
    if (!now || now.method !== request.method || now.url !== request.url || now.body !== request.body) return;
    if (viaEvent) {
      approvedForms.add(form);
      form.requestSubmit(submitter);
    } else {
      nativeSubmit.call(form);
    }
    setTimeout(() => holder.sent(holdId, 0), FORM_SENT_AFTER_MS);
  }

  const gatedForm = (form: HTMLFormElement, submitter: HTMLElement | null) => {
    const request = formRequest(form, submitter);
    const rules = holder.rules();
    if (!request || !rules || !consoleRequestMayMatch(rules, request.method, request.url)) return undefined;
    return matchConsoleRequest(rules, request) ? request : undefined;
  };

  // Bubbling, not capturing: the page's own handlers run first, and a submission they take over
  // (preventDefault, then fetch or XHR) goes through the other wrappers instead.
  win.addEventListener('submit', (event) => {
    const form = event.target;
    if (event.defaultPrevented || !(form instanceof win.HTMLFormElement)) return;
    if (approvedForms.delete(form)) return;
    const submitter = (event as SubmitEvent).submitter;
    const request = gatedForm(form, submitter);
    if (!request) return;
    event.preventDefault();
    void holdForm(form, submitter, request, true);
  });

  win.HTMLFormElement.prototype.submit = function submit(this: HTMLFormElement) {
    const request = gatedForm(this, null);
    if (!request) return nativeSubmit.call(this);
    void holdForm(this, null, request, false);
  };
}

/** The request a form submission makes, as the hook matches it; undefined when it sends none (dialog). */
function formRequest(
  form: HTMLFormElement,
  submitter: HTMLElement | null,
): Omit<PageRequest, 'via'> | undefined {
  // A submit button's formmethod / formaction override the form's; the properties come resolved.
  const button = submitter as HTMLButtonElement | null;
  const method = (
    (button?.hasAttribute('formmethod') && button.formMethod) ||
    form.method ||
    'get'
  ).toUpperCase();
  if (method === 'DIALOG') return undefined;
  const action = button?.hasAttribute('formaction') ? button.formAction : form.action;
  let fields: URLSearchParams;
  try {
    fields = new URLSearchParams(new FormData(form, submitter) as unknown as Record<string, string>);
  } catch {
    fields = new URLSearchParams();
  }
  if (method === 'GET') {
    const url = new URL(action);
    url.search = fields.toString();
    return { method, url: url.href, headers: {} };
  }
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  return { method, url: action, headers, body: fields.toString() };
}
