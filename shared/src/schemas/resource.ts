import { z } from 'zod';
import { isWellFormed } from './json';

// A resource is matched by `/`-separated globs. `customers/../customers/eu`, `/customers/eu` and
// `customers/./eu` name what `customers/eu` names to many systems, yet none of them matches
// `customers/**`: each would skip that rule and land in a weaker one. Only one spelling is accepted.
const CONTROL = /\p{Cc}/u;

/** Why `resource` is not in its one accepted spelling, or undefined when it is. */
export function resourceProblem(resource: string): string | undefined {
  if (CONTROL.test(resource)) return 'contains a control character';
  if (resource.startsWith('/')) return 'starts with "/"; write the path without it';
  if (resource.endsWith('/')) return 'ends with "/"; write the path without it';
  for (const segment of resource.split('/')) {
    if (segment === '') return 'has an empty segment ("//")';
    if (segment === '.' || segment === '..') return `has a "${segment}" segment; name the resource directly`;
  }
  return undefined;
}

export const RESOURCE_RULES =
  '`/`-separated segments: no empty, "." or ".." segment, no leading or trailing "/", no control characters';

/** A resource as submitted: bounded, well-formed, and in its one spelling. */
export const resource = () =>
  z
    .string()
    .min(1)
    .max(1024)
    .superRefine((value, ctx) => {
      const problem = isWellFormed(value) ? resourceProblem(value) : 'contains an unpaired UTF-16 surrogate';
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({
      description: `What the action acts on, matched by the policy's resource globs. ${RESOURCE_RULES}.`,
    });
