/**
 * The shape a signed Slack request must have before Bolt sees it. A correct signature proves the
 * request came from Slack (or whoever holds the signing secret), not that it is well formed: `payload=null`
 * or a block_actions without `user` used to reach listeners and surface as 500s. These are the fields
 * Bolt's routing and our listeners read without checking; anything short of them is a 400, decided nothing.
 */
export type Envelope = { ok: true; body: Record<string, unknown> } | { ok: false; reason: string };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

// Interactions Slack sends through the `payload` form field, and what each must carry.
const INTERACTIONS: Record<string, (body: Json) => string | undefined> = {
  block_actions: (b) =>
    Array.isArray(b.actions) && b.actions.every((a) => isObject(a) && isText(a.action_id))
      ? undefined
      : 'block_actions without a list of actions',
  view_submission: (b) => viewProblem(b.view),
  view_closed: (b) => viewProblem(b.view),
  shortcut: (b) => (isText(b.callback_id) ? undefined : 'a shortcut without callback_id'),
  message_action: (b) => (isText(b.callback_id) ? undefined : 'a message action without callback_id'),
  block_suggestion: (b) => (isText(b.action_id) ? undefined : 'a block_suggestion without action_id'),
};

function viewProblem(view: unknown): string | undefined {
  if (!isObject(view)) return 'a view payload without a view';
  if (!isText(view.callback_id)) return 'a view without callback_id';
  if (!isObject(view.state) || !isObject(view.state.values)) return 'a view without state.values';
  if (typeof view.private_metadata !== 'string') return 'a view without private_metadata';
  return undefined;
}

function userProblem(user: unknown): string | undefined {
  return isObject(user) && isText(user.id) ? undefined : 'no user.id';
}

export function checkEnvelope(body: unknown): Envelope {
  if (!isObject(body)) return { ok: false, reason: 'the body is not a JSON object' };
  const type = body.type;
  if (type === 'url_verification' || type === 'app_rate_limited') return { ok: true, body };
  if (type === 'event_callback') {
    const event = body.event;
    if (!isObject(event) || !isText(event.type))
      return { ok: false, reason: 'an event_callback without an event' };
    // Bolt reads authorizations[0].team_id to route the event: a null entry would throw there.
    const authorizations = body.authorizations;
    if (authorizations !== undefined && !(Array.isArray(authorizations) && authorizations.every(isObject)))
      return { ok: false, reason: 'an event_callback whose authorizations are not a list of objects' };
    return { ok: true, body };
  }
  if (typeof type === 'string' && Object.hasOwn(INTERACTIONS, type)) {
    const check = INTERACTIONS[type];
    const problem = userProblem(body.user) ?? check?.(body);
    return problem ? { ok: false, reason: `${type}: ${problem}` } : { ok: true, body };
  }
  if (type === undefined && isText(body.command)) {
    return isText(body.user_id)
      ? { ok: true, body }
      : { ok: false, reason: 'a slash command without user_id' };
  }
  return { ok: false, reason: `not a Slack request this app handles (type ${JSON.stringify(type ?? null)})` };
}
