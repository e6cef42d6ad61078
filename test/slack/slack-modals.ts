import { expect } from 'vitest';
import type { JsonObject, RecordedCall, SlackEmulator } from '../slack-emulator';
import { shown } from './slack-flows';
import {
  type ButtonAction,
  type ButtonWhere,
  buttonClick,
  PEOPLE,
  postToSlackEvents,
  type Signed,
  type SlackTest,
  type Who,
} from './slack-harness';

/** A modal's submission as Slack posts it: the view the bot opened, with what `who` typed in it. */
export function viewSubmission(
  who: Who,
  view: JsonObject,
  values: Record<string, Record<string, JsonObject>>,
): Signed {
  const user = PEOPLE[who];
  const payload = {
    type: 'view_submission',
    team: { id: 'T0TEST', domain: 'test' },
    user: { id: user.id, username: who, name: who, team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    token: 'legacy-verification-token',
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    view: { ...view, id: 'V0MODAL', state: { values }, hash: 'h', team_id: 'T0TEST', app_id: 'A0TEST' },
  };
  return {
    contentType: 'application/x-www-form-urlencoded',
    body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
  };
}

/** One text input's value, as Slack reports it in a submission's state. */
export const typed = (block: string, input: string, value: string) => ({
  [block]: { [input]: { type: 'plain_text_input', value } },
});

/** Submits a modal and returns what the bot answered: '' (closed) or its `response_action: errors`. */
export async function submitModal(
  s: Pick<SlackTest, 't'>,
  who: Who,
  view: JsonObject,
  values: Record<string, Record<string, JsonObject>>,
): Promise<{ closed: boolean; errors: Record<string, string> }> {
  const reply = await postToSlackEvents(s.t, viewSubmission(who, view, values));
  expect(reply.status).toBe(200);
  const text = await reply.text();
  if (text === '') return { closed: true, errors: {} };
  const body = JSON.parse(text) as { response_action?: string; errors?: Record<string, string> };
  expect(body.response_action).toBe('errors');
  return { closed: false, errors: body.errors ?? {} };
}

/** Clicks a button as `who` (on a message, or on the Home tab); Slack's answer must be a 200. */
export async function click(
  s: Pick<SlackTest, 't' | 'slack'>,
  who: Who,
  action: ButtonAction,
  value: string,
  where: ButtonWhere,
): Promise<string> {
  const signed = buttonClick(s.slack, who, action, value, where);
  expect((await postToSlackEvents(s.t, signed)).status).toBe(200);
  return JSON.parse(new URLSearchParams(signed.body).get('payload') ?? '{}').trigger_id;
}

/** Clicks a button as `who` and returns the modal the bot opened for that click. */
export async function openModal(
  s: Pick<SlackTest, 't' | 'slack'>,
  who: Who,
  action: ButtonAction,
  value: string,
  where: ButtonWhere,
): Promise<JsonObject> {
  const trigger = await click(s, who, action, value, where);
  const opened = await s.slack.waitFor('views.open', (c) => c.args.trigger_id === trigger);
  return opened.args.view as JsonObject;
}

/** The action_ids of every button in these blocks: in actions blocks and as section accessories. */
export function buttonsIn(blocks: unknown): string[] {
  const list = Array.isArray(blocks) ? (blocks as JsonObject[]) : [];
  return list.flatMap((b) => {
    const elements = b.type === 'actions' && Array.isArray(b.elements) ? (b.elements as JsonObject[]) : [];
    const accessory =
      b.accessory !== null && typeof b.accessory === 'object' && !Array.isArray(b.accessory)
        ? [b.accessory as JsonObject]
        : [];
    return [...elements, ...accessory].filter((e) => e.type === 'button').map((e) => String(e.action_id));
  });
}

/** The button with this action_id and value in these blocks (to read its confirm dialog, its style). */
export function buttonIn(blocks: unknown, action: string, value: string): JsonObject | undefined {
  const list = Array.isArray(blocks) ? (blocks as JsonObject[]) : [];
  for (const b of list) {
    const elements = Array.isArray(b.elements) ? (b.elements as JsonObject[]) : [];
    const accessory = b.accessory as JsonObject | undefined;
    for (const e of [...elements, ...(accessory ? [accessory] : [])])
      if (e.action_id === action && e.value === value) return e;
  }
  return undefined;
}

/**
 * The first Home tab published for `who` from call number `since` on (slack.calls.length before the
 * step that should republish it) whose blocks satisfy `check`.
 */
export function homePublished(
  slack: SlackEmulator,
  who: Who,
  check: (blocks: unknown, text: string) => boolean,
  since = 0,
): Promise<RecordedCall> {
  return slack.waitFor('views.publish', (c) => {
    if (c.args.user_id !== PEOPLE[who].id || slack.calls.indexOf(c) < since) return false;
    const view = c.args.view as JsonObject;
    return check(view.blocks, shown(view));
  });
}
