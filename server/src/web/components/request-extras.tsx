import type { ActionRequest } from '@countersign/shared';

// Issue 16 on the request page: what was amended, the questions and answers, a break-glass and its
// follow-up, and a standing approval. Pure functions of the request, like every component here.

export function Amended(props: { request: ActionRequest }) {
  const amended = props.request.amended;
  if (!amended) return null;
  return (
    <section class="card" aria-labelledby="amended">
      <h2 id="amended">Amended before approval</h2>
      <p class="small">
        By {amended.by} at <time datetime={amended.at}>{amended.at}</time>. The grant is bound to the amended
        params.
      </p>
      <details>
        <summary>Params as submitted</summary>
        <pre tabindex={0}>{JSON.stringify(amended.original.params ?? {}, null, 2)}</pre>
      </details>
    </section>
  );
}

export function Conversation(props: { request: ActionRequest }) {
  const comments = props.request.comments ?? [];
  if (comments.length === 0) return null;
  return (
    <section class="card" aria-labelledby="questions">
      <h2 id="questions">Questions</h2>
      <ul>
        {comments.map((c) => (
          <li>
            <strong>{c.author}</strong> {c.role === 'reviewer' ? 'asked' : 'answered'}: “{c.comment}”{' '}
            <span class="small muted">
              <time datetime={c.at}>{c.at}</time>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function BreakGlassNote(props: { request: ActionRequest }) {
  const glass = props.request.breakGlass;
  if (!glass?.by) return null;
  const follow = glass.followUp;
  return (
    <section class="card" aria-labelledby="break-glass">
      <h2 id="break-glass">
        <span class="status s-bad">Break-glass</span> approved by its own side
      </h2>
      <p>
        {glass.by}: “{glass.reason}”
      </p>
      {follow && (
        <p class="small">
          Follow-up review: <strong>{follow.status.replace('_', ' ')}</strong>
          {follow.by ? ` by ${follow.by}` : `, due ${follow.dueAt}`}
          {follow.comment ? ` — “${follow.comment}”` : ''}
        </p>
      )}
    </section>
  );
}

export function StandingNote(props: { request: ActionRequest }) {
  const standing = props.request.standing;
  if (!standing) return null;
  const what = `${standing.action}${standing.resource ? ` on ${standing.resource}` : ''}${standing.environment ? ` in ${standing.environment}` : ''}`;
  return (
    <p class="small">
      {standing.role === 'created' ? 'Created' : 'Approved at once by'} standing approval{' '}
      <code>{standing.id}</code> ({what}) by {standing.by}, until{' '}
      <time datetime={standing.until}>{standing.until}</time>, {standing.usesLeft} use
      {standing.usesLeft === 1 ? '' : 's'} left{standing.revoked ? `; revoked by ${standing.revoked.by}` : ''}
      .
    </p>
  );
}
