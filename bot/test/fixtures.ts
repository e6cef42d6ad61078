import type { ActionRequest } from '@countersign/shared';
import type { KnownBlock } from '@slack/types';
import { validateMessage, validateView } from '../../test/slack-emulator/block-kit-validator';
import type { BlockKitIssue, Json, JsonObject } from '../../test/slack-emulator/index';

const BASE = Date.parse('2030-01-01T00:00:00.000Z');
let counter = 0;

/** A request as the core hands it to the bot; each call gets its own id. */
export function aRequest(overrides: Partial<ActionRequest> = {}): ActionRequest {
  counter += 1;
  const ulid = `01JBQ3Z7X5K9M2N4P6R8T${String(counter).padStart(5, '0')}`;
  return {
    id: `act_${ulid}`,
    status: 'pending',
    action: 'terraform.apply',
    resource: 'stack/payments',
    environment: 'prod',
    params: { workspace: 'payments', autoApprove: true },
    justification: 'Roll out the new payment queue.',
    source: 'api',
    context: {},
    requester: { id: 'agent:deploy-bot', owner: 'erin@example.com' },
    digest: `sha256:${'a'.repeat(64)}`,
    rule: { name: 'default', effect: 'review' },
    matched: { rule: 'default' },
    policyVersion: `sha256:${'b'.repeat(64)}`,
    approvals: { required: 1, received: 0 },
    approvers: ['sre'],
    reviews: [],
    createdAt: new Date(BASE).toISOString(),
    expiresAt: new Date(BASE + 15 * 60_000).toISOString(),
    ...overrides,
  };
}

export const SECRETS = {
  password: 'hunter2-correct-horse',
  apiToken: 'tok-live-9f8e7d6c5b4a',
  awsKeyId: 'AKIAIOSFODNN7EXAMPLE',
  slackToken: 'xoxb-1234567890-abcdefghijkl',
  githubToken: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
  bearer: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl',
  privateKey: '-----BEGIN PRIVATE KEY-----MIIEvQIBADAN',
} as const;

/** Params holding secrets under telling key names and as telling values under bland names. */
export function secretParams(): Record<string, unknown> {
  return {
    password: SECRETS.password,
    apiToken: SECRETS.apiToken,
    accessKeyId: SECRETS.awsKeyId,
    notify: SECRETS.slackToken,
    repo: { clone: SECRETS.githubToken },
    headers: { Authorization: `Bearer ${SECRETS.bearer}` },
    upstream: [SECRETS.bearer],
    tls: { private_key: SECRETS.privateKey },
  };
}

let hugeParams: Record<string, unknown> | undefined;

/** Secrets first, then 5,000 keys with long values: far more than any message can show. Built once. */
function theHugeParams(): Record<string, unknown> {
  if (hugeParams) return hugeParams;
  hugeParams = secretParams();
  for (let i = 0; i < 5000; i += 1)
    hugeParams[`key_${String(i).padStart(4, '0')}`] = `value-${i}-${'v'.repeat(400)}`;
  return hugeParams;
}

/** Every field at (or past) the longest the API accepts, and params no message could hold. */
export function aHugeRequest(overrides: Partial<ActionRequest> = {}): ActionRequest {
  const params = theHugeParams();
  return aRequest({
    action: `${'x'.repeat(190)}.exportAll`,
    resource: `customers/${'r'.repeat(1014)}`,
    environment: 'e'.repeat(64),
    justification: 'j'.repeat(4000),
    params,
    requester: { id: `agent:${'a'.repeat(120)}`, owner: 'erin@example.com' },
    rule: { name: 'n'.repeat(200), effect: 'review' },
    matched: { rule: 'n' },
    approvers: Array.from({ length: 40 }, (_, i) => `group-${i}-${'g'.repeat(40)}`),
    context: { pageUrl: `https://console.example.com/${'p'.repeat(2000)}` },
    ...overrides,
  });
}

/** Text that Slack's mrkdwn treats as markup: escaping makes it longer than it was. */
export const MARKUP = 'a < b && c > d '.repeat(300).slice(0, 4000);

/** A builder's output as the JSON Slack receives. */
export const asJson = (value: unknown): JsonObject => JSON.parse(JSON.stringify(value)) as JsonObject;

export const messageIssues = (message: { text: string; blocks?: KnownBlock[] }): BlockKitIssue[] =>
  validateMessage(asJson(message));

export const viewIssues = (view: unknown): BlockKitIssue[] => validateView(asJson(view));

/** Every piece of text a payload shows, joined: what a reader (or a leak) could see. */
export function shownText(value: unknown): string {
  const texts: string[] = [];
  const walk = (node: Json | undefined): void => {
    if (typeof node === 'string') texts.push(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') Object.values(node).forEach(walk);
  };
  walk(typeof value === 'string' ? value : asJson(value));
  return texts.join('\n');
}
