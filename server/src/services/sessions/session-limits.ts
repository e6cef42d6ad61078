/**
 * How long a console session lives. Idle: a laptop left open stops being a signed-in approver.
 * Absolute: even a busy session signs in again each working day, so a revoked IdP account or a
 * policy change that removes someone reaches the console within a day at worst.
 */
export type SessionLimits = { idleMs: number; maxMs: number };

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 60 * 60_000, maxMs: 12 * 60 * 60_000 };

/** Writing last-seen on every page view would put a write on every read; once a minute is enough. */
export const TOUCH_EVERY_MS = 60_000;
