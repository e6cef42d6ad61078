import type { ActionRequest } from '@countersign/shared';

/**
 * An Approve or Deny button's `value`: the request and the digest of the version its message or card
 * shows. A message is a snapshot; when the request is amended after it was posted, a click on it must
 * not count for what the clicker never saw, so the core is told which version was decided on.
 */
export const decisionValue = (request: Pick<ActionRequest, 'id' | 'digest'>): string =>
  `${request.id} ${request.digest}`;

/**
 * The request and version a click names. A bare id (a message posted before buttons carried the digest)
 * names no version and is checked as the API checks a review without one; anything after the space is
 * passed on as is, so a damaged value is refused by the review's schema rather than read as no digest.
 */
export function decidedOn(value: string | undefined): { id: string; digest?: string } {
  const text = value ?? '';
  const space = text.indexOf(' ');
  return space < 0 ? { id: text } : { id: text.slice(0, space), digest: text.slice(space + 1) };
}
