import { PassFailures } from '@countersign/shared';
import { filePathOf } from '../../secret';
import type { Core } from '../core';

/**
 * How a server's background loop (the expiry sweep, the webhook deliverer) reports failed passes:
 * through the core's log, naming the database as the file when the error names none. One place, so
 * that a full or read-only disk reads the same from every loop (see PassFailures).
 */
export function passFailuresOf(core: Core, paused: string): PassFailures {
  const { url } = core.database;
  // A remote database's address without its query (which may carry a token).
  const file = url.startsWith('file:') ? filePathOf(url) : url.replace(/\?.*$/, '');
  return new PassFailures({ log: core.log, paused, file });
}
