import { Countersign, type RetryOptions } from '@countersign/shared/sdk';
import { CliError, EXIT } from '../io';

// A command in a terminal should say "unreachable" within seconds, not after the SDK's full minute;
// once a request exists, waiting rides out longer outages with the SDK's default budget.
export const SUBMIT_RETRY: RetryOptions = { maxElapsedMs: 3_000, initialDelayMs: 200, maxDelayMs: 1_000 };

/** The Countersign client named by COUNTERSIGN_URL and COUNTERSIGN_KEY; a missing or bad one is a config error. */
export function clientFromEnv(env: Record<string, string | undefined> = process.env): Countersign {
  const url = env.COUNTERSIGN_URL?.trim();
  const key = env.COUNTERSIGN_KEY?.trim();
  if (!url)
    throw new CliError(
      'COUNTERSIGN_URL: not set (the Countersign server, e.g. http://127.0.0.1:8787)',
      EXIT.config,
    );
  if (!key)
    throw new CliError('COUNTERSIGN_KEY: not set (an agent key from `countersign keys create`)', EXIT.config);
  try {
    return new Countersign({ url, key });
  } catch {
    throw new CliError(`COUNTERSIGN_URL: ${JSON.stringify(url)} is not an http(s) URL`, EXIT.config);
  }
}

/**
 * The environment handed to the command or MCP server that runs after approval: the agent's key is
 * left out (least privilege: the approved program has no use for it), the rest is passed through.
 */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && name !== 'COUNTERSIGN_KEY') env[name] = value;
  }
  return { ...env, ...extra };
}
