import type { ConsoleMatch } from '@countersign/shared/consoles';
import type { ActionInput } from '@countersign/shared/sdk';
import { copilotById } from './copilots';
import type { PageRequest } from './page-protocol';

/** Bodies up to this size go to the server whole; larger ones are bound by their hash. */
const INLINE_BODY_BYTES = 16_384;
const PREVIEW_CHARS = 2_000;

const CONSOLES: Record<string, string> = {
  aws: 'AWS console',
  gcp: 'Google Cloud console',
  azure: 'Azure portal',
};

/** Which console an action belongs to, from its action name's prefix; else the page's host. */
export function consoleOf(action: string, pageUrl: string | undefined): string {
  const prefix = action.split('.')[0] ?? '';
  if (prefix in CONSOLES) return prefix;
  try {
    return pageUrl ? new URL(pageUrl).host : 'unknown';
  } catch {
    return 'unknown';
  }
}

async function sha256Hex(text: string): Promise<string> {
  const bytes = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The body as reviewers see it and the digest binds it: the text exactly as the page is about to
 * send it, or (when large) the SHA-256 of those bytes. Never the parsed JSON: parsing drops what the
 * wire keeps — key order, a key given twice (which a backend may read differently from the
 * reviewer), number spellings, whitespace — so the grant would bind an interpretation, not the
 * request that goes out.
 */
async function bodyParam(body: string | undefined): Promise<unknown> {
  if (body === undefined || body === '') return undefined;
  const bytes = new TextEncoder().encode(body).length;
  if (bytes > INLINE_BODY_BYTES) {
    return { sha256: await sha256Hex(body), bytes, preview: body.slice(0, PREVIEW_CHARS) };
  }
  return body;
}

/**
 * The action request for a held console request. `params` (bound by the digest, so by the grant)
 * are the method, the URL and the body exactly as the page was about to send them; request headers
 * never leave the browser (they carry the console's credentials). `context` tells reviewers where it
 * came from; `initiator` is what a policy's `initiator` match key reads.
 */
export async function actionInputFor(
  match: ConsoleMatch,
  request: PageRequest,
  where: { pageUrl: string | undefined; frameUrl: string | undefined },
  copilotId: string | undefined,
): Promise<ActionInput> {
  const copilot = copilotById(copilotId);
  const body = await bodyParam(request.body);
  const params: Record<string, unknown> = { method: request.method.toUpperCase(), url: request.url };
  if (body !== undefined) params.body = body;
  const console = consoleOf(match.action, where.pageUrl);
  const context: Record<string, unknown> = {
    console,
    rule: match.rule,
    via: request.via,
    initiator: copilot ? `copilot:${copilot.id}` : 'page',
  };
  if (copilot) context.copilot = copilot.name;
  if (where.pageUrl) context.pageUrl = where.pageUrl;
  if (where.frameUrl && where.frameUrl !== where.pageUrl) context.frameUrl = where.frameUrl;
  const by = copilot
    ? `${copilot.name} in the ${CONSOLES[console] ?? console}`
    : `the ${CONSOLES[console] ?? console}`;
  const input: ActionInput = {
    action: match.action,
    params: params as ActionInput['params'],
    source: 'extension',
    justification: `Held by the Countersign browser extension: ${by} tried to send ${params.method} ${request.url.slice(0, 500)}`,
    context: context as ActionInput['context'],
  };
  if (match.resource !== undefined) input.resource = match.resource;
  if (match.environment !== undefined) input.environment = match.environment;
  return input;
}
