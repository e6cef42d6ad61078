/**
 * The overlay a console user sees while an action is held: in a closed shadow root (page CSS and
 * page scripts cannot reach into it), one card per held request of this tab — what was held, the
 * approvals it waits for, from whom and where ("Approvals 0 of 1 from sre · #ops-approvals"), the
 * request id an approver can use (`/approve <id>`), a live countdown, Cancel; then the outcome, who
 * decided and why.
 */
import type { HoldView } from './holds-model';
import { FINAL_STATES } from './holds-model';

const STYLE = `
:host { all: initial; }
.stack { position: fixed; right: 16px; bottom: 16px; z-index: 2147483647; display: flex; flex-direction: column;
  gap: 8px; width: 380px; max-width: calc(100vw - 32px); font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
.card { background: #fff; color: #1d1d1f; border-radius: 10px; box-shadow: 0 6px 24px rgba(0,0,0,.25);
  border-left: 5px solid #d97706; padding: 12px 14px; }
.card.released { border-left-color: #15803d; }
.card.refused { border-left-color: #b91c1c; }
.head { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; }
.title { font-weight: 600; font-size: 13px; }
.close { background: none; border: 0; font-size: 16px; cursor: pointer; color: #555; padding: 0 2px; }
.action { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; margin-top: 6px;
  word-break: break-all; }
.meta { color: #555; margin-top: 4px; word-break: break-all; }
.wait { margin-top: 8px; display: flex; justify-content: space-between; align-items: center; gap: 8px; }
.count { font-variant-numeric: tabular-nums; color: #92400e; font-weight: 600; }
.cancel { background: #f3f4f6; border: 1px solid #d1d5db; border-radius: 6px; padding: 4px 10px; cursor: pointer;
  font: inherit; }
.message { margin-top: 8px; }
.id { color: #555; margin-top: 4px; }
.id code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; color: #1d1d1f;
  user-select: all; white-space: nowrap; }
.nowrap { white-space: nowrap; }
.fix { margin-top: 4px; color: #555; }
`;

const TITLES: Record<HoldView['state'], string> = {
  submitting: 'Countersign is holding this action',
  waiting: 'Countersign is holding this action',
  released: 'Countersign: approved',
  refused: 'Countersign: not sent',
};

function remaining(expiresAt: string | undefined, now: number): string {
  if (!expiresAt) return '';
  const ms = Date.parse(expiresAt) - now;
  if (!(ms > 0)) return 'expiring…';
  const s = Math.ceil(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `expires in ${h}:${String(m).padStart(2, '0')}:${sec}` : `expires in ${m}:${sec}`;
}

/** "Approvals 0 of 1 from sre · #ops-approvals": group names and the channel never wrap inside. */
function waitingFor(hold: HoldView, doc: Document): (string | Node)[] {
  if (!hold.approvals) return ['Asking Countersign…'];
  const whole = (text: string) => {
    const span = doc.createElement('span');
    span.className = 'nowrap';
    span.textContent = text;
    return span;
  };
  const parts: (string | Node)[] = [`Approvals ${hold.approvals.received} of ${hold.approvals.required}`];
  for (const [i, group] of (hold.approvers ?? []).entries())
    parts.push(i === 0 ? ' from ' : ', ', whole(group));
  if (hold.channel) parts.push(' · ', whole(hold.channel));
  return parts;
}

export class Overlay {
  readonly #root: ShadowRoot;
  readonly #stack: HTMLDivElement;
  readonly #onCancel: (holdId: string) => void;
  readonly #dismissed = new Set<string>();
  #holds: HoldView[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(doc: Document, onCancel: (holdId: string) => void) {
    this.#onCancel = onCancel;
    const host = doc.createElement('countersign-overlay');
    this.#root = host.attachShadow({ mode: 'closed' });
    const style = doc.createElement('style');
    style.textContent = STYLE;
    this.#stack = doc.createElement('div');
    this.#stack.className = 'stack';
    this.#stack.setAttribute('role', 'status');
    this.#stack.setAttribute('aria-live', 'polite');
    this.#root.append(style, this.#stack);
    (doc.body ?? doc.documentElement).append(host);
  }

  render(holds: HoldView[]): void {
    this.#holds = holds.filter((h) => !this.#dismissed.has(h.holdId) && h.action !== '(no rule)');
    this.#draw();
    const ticking = this.#holds.some((h) => !FINAL_STATES.has(h.state));
    if (ticking && !this.#timer) this.#timer = setInterval(() => this.#tick(), 1000);
    if (!ticking && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  #tick(): void {
    const now = Date.now();
    for (const el of this.#stack.querySelectorAll<HTMLElement>('[data-expires]')) {
      el.textContent = remaining(el.dataset.expires, now);
    }
  }

  #draw(): void {
    const doc = this.#stack.ownerDocument;
    const el = (tag: string, className: string, text?: string) => {
      const node = doc.createElement(tag);
      node.className = className;
      if (text !== undefined) node.textContent = text;
      return node;
    };
    const cards = this.#holds.map((hold) => {
      const card = el('section', `card ${hold.state}`);
      card.dataset.holdId = hold.holdId;
      card.dataset.state = hold.state;
      if (hold.outcome) card.dataset.outcome = hold.outcome;
      const head = el('div', 'head');
      head.append(el('span', 'title', TITLES[hold.state]));
      if (FINAL_STATES.has(hold.state)) {
        const close = el('button', 'close', '×');
        close.setAttribute('aria-label', 'Dismiss');
        close.addEventListener('click', () => {
          this.#dismissed.add(hold.holdId);
          this.render(this.#holds);
        });
        head.append(close);
      }
      card.append(head, el('div', 'action', hold.action));
      const where = [hold.resource, hold.environment].filter(Boolean).join(' · ');
      if (where) card.append(el('div', 'meta', where));
      if (hold.copilot) card.append(el('div', 'meta', `Initiated from ${hold.copilot}`));
      if (hold.actionId) {
        // The id is what an approver types in Slack (`/approve <id>`) or finds in the audit log.
        const waiting = !FINAL_STATES.has(hold.state);
        const id = el('div', 'id', waiting ? 'For approvers: ' : 'Request ');
        id.append(el('code', '', waiting ? `/approve ${hold.actionId}` : hold.actionId));
        card.append(id);
      }
      if (!FINAL_STATES.has(hold.state)) {
        const wait = el('div', 'wait');
        const left = el('div', '');
        const approvals = el('div', 'approvals');
        approvals.append(...waitingFor(hold, doc));
        left.append(approvals);
        const count = el('div', 'count', remaining(hold.expiresAt, Date.now()));
        if (hold.expiresAt) count.dataset.expires = hold.expiresAt;
        left.append(count);
        const cancel = el('button', 'cancel', 'Cancel');
        cancel.addEventListener('click', () => {
          (cancel as HTMLButtonElement).disabled = true;
          this.#onCancel(hold.holdId);
        });
        wait.append(left, cancel);
        card.append(wait);
      } else {
        if (hold.message) card.append(el('div', 'message', hold.message));
        if (hold.fix) card.append(el('div', 'fix', hold.fix));
      }
      return card;
    });
    this.#stack.replaceChildren(...cards);
  }
}
