const WORDS: Record<string, string> = {
  pending: 'Pending',
  approved: 'Approved',
  allowed: 'Allowed',
  denied: 'Denied',
  blocked: 'Blocked',
  expired: 'Expired',
  cancelled: 'Cancelled',
};

/** A status as a word in a coloured pill: the colour helps, the word carries it. */
export function Status(props: { status: string }) {
  return <span class={`status s-${props.status}`}>{WORDS[props.status] ?? props.status}</span>;
}

/** "in 4 min", "3 h ago": relative times for lists, with the exact time in a <time> element. */
export function When(props: { iso: string; now: number }) {
  const ms = Date.parse(props.iso) - props.now;
  const abs = Math.abs(ms);
  const text =
    abs < 60_000
      ? `${Math.round(abs / 1000)} s`
      : abs < 3_600_000
        ? `${Math.round(abs / 60_000)} min`
        : abs < 86_400_000
          ? `${Math.round(abs / 3_600_000)} h`
          : `${Math.round(abs / 86_400_000)} d`;
  return (
    <time datetime={props.iso} title={props.iso}>
      {ms >= 0 ? `in ${text}` : `${text} ago`}
    </time>
  );
}
