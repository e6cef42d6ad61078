import type { ActionRequest } from '@countersign/shared/sdk';

/** "14m 05s", "42s": how long until `iso`, never negative. */
export function countdown(iso: string | undefined, now: number): string {
  if (iso === undefined) return 'no deadline';
  const seconds = Math.max(0, Math.round((Date.parse(iso) - now) / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Where reviewers were told, as the server says: never a channel nobody posted to. */
function whereNotified(request: ActionRequest): string {
  // A server from before `notified` existed: say nothing rather than guess.
  if (request.notified === undefined) return '';
  if (request.notified.length === 0)
    return `; no chat transport is configured: reviewers approve with POST /v1/actions/${request.id}/reviews`;
  const places = request.notified.map((n) => `${n.transport}${n.channel ? ` ${n.channel}` : ''}`);
  return `; posted to ${places.join(' and ')}`;
}

/** Where a pending request stands: who must approve, approvals so far, time left. */
export function describeWait(request: ActionRequest, now: number): string {
  const { required, received } = request.approvals;
  const who = request.approvers.length > 0 ? request.approvers.join(' or ') : 'a reviewer';
  const where = whereNotified(request);
  return (
    `${request.id} ${request.action}: waiting for approval by ${who} ` +
    `(${received} of ${required}), expires in ${countdown(request.expiresAt, now)}${where}`
  );
}

/**
 * Shows a waiting request on standard error: one line redrawn every second on a terminal, or a plain
 * line per change when the output is a file or a CI log (a ticking countdown would flood it).
 */
export class WaitDisplay {
  readonly #stream: NodeJS.WriteStream;
  readonly #live: boolean;
  #latest: ActionRequest | undefined;
  #ticker: NodeJS.Timeout | undefined;
  #drawn = false;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
    this.#live = stream.isTTY === true;
  }

  readonly update = (request: ActionRequest): void => {
    const previous = this.#latest;
    this.#latest = request;
    if (request.status !== 'pending') {
      this.stop();
      return;
    }
    if (this.#live) {
      this.#draw();
      this.#ticker ??= setInterval(() => this.#draw(), 1000);
      return;
    }
    const newReviews = request.reviews.slice(previous?.reviews.length ?? 0);
    for (const review of newReviews)
      this.#line(
        `${review.reviewer} approved (${request.approvals.received} of ${request.approvals.required})`,
      );
    if (previous === undefined) this.#line(describeWait(request, Date.now()));
  };

  /** Ends the live line, so what comes next starts on a fresh one. */
  stop(): void {
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = undefined;
    if (this.#drawn) this.#stream.write('\n');
    this.#drawn = false;
  }

  #draw(): void {
    if (!this.#latest) return;
    this.#stream.write(`\r\x1b[2Kcountersign: ${describeWait(this.#latest, Date.now())}`);
    this.#drawn = true;
  }

  #line(text: string): void {
    this.#stream.write(`countersign: ${text}\n`);
  }
}
