import { describe, expect, it } from 'vitest';
import { requestMessage } from '../src/blocks/request-message';
import { breakGlassNotice, threadReply } from '../src/blocks/thread-reply';
import { requestCard, threadText as teamsThreadText } from '../src/teams/cards/request-card';
import { aRequest, messageIssues, shownText } from './fixtures';

// Issue 16: reviewers see why a request was held (the rule's condition, in words) and its risk.
const held = aRequest({
  rule: { name: 'pii-to-unknown-bucket', effect: 'review' },
  matched: {
    rule: 'pii-to-unknown-bucket',
    condition: 'params.pii == true && !params.bucket.endsWith(".corp-internal")',
  },
  risk: 'critical',
});

describe('why a request was held, and its risk', () => {
  it('Slack: a Risk field and the condition in words, in a valid message', () => {
    const message = requestMessage(held);
    const text = shownText(message.blocks);
    expect(text).toContain('*Risk*\n:red_circle: Critical');
    expect(text).toContain(
      '*Held because*\nparams.pii is true and params.bucket does not end with ".corp-internal"',
    );
    expect(messageIssues(message)).toEqual([]);
  });

  it('Slack: a rule without condition or risk shows neither', () => {
    const text = shownText(requestMessage(aRequest()).blocks);
    expect(text).not.toContain('Held because');
    expect(text).not.toContain('*Risk*');
  });

  it('Teams: Risk and Held because facts', () => {
    const card = requestCard(held) as unknown as {
      body: Array<{ type: string; facts?: { title: string; value: string }[] }>;
    };
    const facts = card.body.find((b) => b.type === 'FactSet')?.facts ?? [];
    expect(facts).toContainEqual({ title: 'Risk', value: 'Critical' });
    expect(facts).toContainEqual({
      title: 'Held because',
      value: 'params.pii is true and params.bucket does not end with ".corp-internal"',
    });
  });
});

describe('ask before deciding, in the Slack thread', () => {
  const mentions = { 'alice@example.com': 'U0ALICE', 'erin@example.com': 'U0ERIN' };
  it('a question is threaded to the agent’s owner, by mention, with how to answer', () => {
    const request = aRequest();
    const reply = threadReply(
      'action.question',
      { actor: 'user:alice@example.com', comment: 'Which *customers*?' },
      request,
      mentions,
    );
    expect(reply).toContain(':question: <@U0ALICE> asks <@U0ERIN>: “Which *customers*?”');
    // The person answers with the button under the question, not through the API.
    expect(reply).toContain('\nAnswer with *Answer…* below; the request stays pending.');
    expect(reply).not.toContain('/comments');
  });

  it('a break-glass notice points approvers to Sign off and Flag…, not the API', () => {
    const request = aRequest();
    const notice = breakGlassNotice(
      { actor: 'agent:deploy-bot', reason: 'outage, nobody answers', followUpDueAt: 0 },
      request,
      mentions,
    );
    expect(notice).toContain(
      'An approver signs it off or flags it with *Sign off* or *Flag…* in the request’s thread, their DM or their App Home.',
    );
    expect(notice).not.toContain('/follow-up');
  });

  it('the answer is threaded too', () => {
    const reply = threadReply(
      'action.answered',
      { actor: 'agent:deploy-bot', comment: 'EU only' },
      aRequest(),
      mentions,
    );
    expect(reply).toMatch(/^:speech_balloon: .*deploy-bot.* answered: “EU only”$/);
  });
});

describe('Teams threads the new events too', () => {
  it('question, answer, break-glass and its follow-up', () => {
    const request = aRequest();
    expect(
      teamsThreadText('action.question', { actor: 'user:alice@example.com', comment: 'why?' }, request),
    ).toBe(
      // The same words as Slack's: the Answer… form under the threaded question, the API for agents.
      '❓ alice@example.com asks erin@example.com: “why?”\n\nAnswer with **Answer…** below; the request stays pending.',
    );
    expect(teamsThreadText('action.answered', { actor: 'agent:deploy-bot', comment: 'EU' }, request)).toBe(
      '💬 agent:deploy-bot answered: “EU”',
    );
    expect(
      teamsThreadText(
        'action.break_glass',
        { actor: 'agent:deploy-bot', reason: 'outage, nobody answers' },
        request,
      ),
    ).toBe(
      '🚨 **Break-glass**: agent:deploy-bot approved their own request: “outage, nobody answers”. An approver signs it off or flags it with **Sign off** or **Flag…** on the card.',
    );
    expect(
      teamsThreadText(
        'action.follow_up',
        { actor: 'user:alice@example.com', decision: 'flagged', comment: 'no' },
        request,
      ),
    ).toBe('🚩 alice@example.com flagged the break-glass: “no”');
  });
});
