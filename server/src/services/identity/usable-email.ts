import { normalizeEmail } from '@countersign/shared';
import { DomainError } from '../../errors';

/**
 * The one normalised form of an email that is about to name a person (a key's user, an agent's owner,
 * a person a transport vouches for), or a refusal: a look-alike is never mapped onto someone else.
 * `path` names the input field in the refusal's details.
 */
export function usableEmail(given: string, path: string): string {
  const checked = normalizeEmail(given);
  if (checked.ok) return checked.email;
  throw new DomainError('identity_unusable', `${path}: ${checked.reason}`, [
    { path, message: checked.reason },
  ]);
}
