/**
 * A Slack Web API failure as one line for the log. Slack's `missing_scope` answer names the scope the
 * app lacks in `needed`; without it in the log an operator has to guess which scope to add and
 * reinstall for.
 */
export function slackErrorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (typeof error !== 'object' || error === null || !('data' in error)) return text;
  const data: unknown = error.data;
  if (typeof data !== 'object' || data === null || !('error' in data) || data.error !== 'missing_scope')
    return text;
  const needed = 'needed' in data && typeof data.needed === 'string' ? data.needed : 'unknown';
  return `${text} (the app needs the ${needed} scope: add it under OAuth & Permissions, then reinstall the app)`;
}
