import { z } from 'zod';
import { parseTrustProxy } from './http/client-address';

const DB_URL = /^(file:|libsql:\/\/|https?:\/\/)/;
// An exported-but-empty variable (FOO=) means "not set", as most tools read it.
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema);

// A list of claim values, separated by spaces or commas: `urn:okta:loa:2fa:any mfa`.
const claimList = z
  .string()
  .max(2000)
  .transform((v) => v.split(/[\s,]+/).filter((s) => s !== ''));

const EnvSchema = z
  .object({
    COUNTERSIGN_DB_URL: optional(
      z
        .string()
        .regex(DB_URL, 'must be a file:, libsql://, http:// or https:// URL')
        .default('file:./data/countersign.db'),
    ),
    COUNTERSIGN_DB_AUTH_TOKEN: optional(z.string().optional()),
    COUNTERSIGN_POLICY: optional(z.string().default('./countersign.policy.yaml')),
    // A `policy test` cases file the Admin page runs against the policy in force (optional).
    COUNTERSIGN_POLICY_CASES: optional(z.string().min(1).optional()),
    PORT: optional(
      z.coerce
        .number()
        .int('must be a whole number')
        .min(0)
        .max(65535, 'must be at most 65535')
        .default(8787),
    ),
    HOST: optional(z.string().default('127.0.0.1')),
    LOG_LEVEL: optional(
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ),
    COUNTERSIGN_SECRET: optional(z.string().min(32, 'must be at least 32 characters').optional()),
    COUNTERSIGN_MAX_BODY_BYTES: optional(z.coerce.number().int().min(1024).max(10_485_760).default(65_536)),
    COUNTERSIGN_RATE_LIMIT: optional(z.coerce.number().min(0).max(1_000_000).default(100)),
    COUNTERSIGN_SWEEP_INTERVAL_MS: optional(z.coerce.number().int().min(100).max(3_600_000).default(1_000)),
    // How long one node may hold an outbox delivery before another node takes it over (a dead node's work).
    COUNTERSIGN_OUTBOX_LEASE_MS: optional(z.coerce.number().int().min(1_000).max(600_000).default(30_000)),
    // A separate listener for GET /metrics, open to anyone who reaches it; off when unset.
    COUNTERSIGN_METRICS_PORT: optional(z.coerce.number().int().min(0).max(65_535).optional()),
    // A signed audit checkpoint after this many events, and this often when anything was appended.
    COUNTERSIGN_AUDIT_CHECKPOINT_EVENTS: optional(
      z.coerce.number().int().min(1).max(1_000_000).default(1_000),
    ),
    COUNTERSIGN_AUDIT_CHECKPOINT_MINUTES: optional(z.coerce.number().min(0.01).max(1_440).default(10)),
    COUNTERSIGN_CONSOLE_PACK: optional(z.string().max(4096).optional()),
    COUNTERSIGN_WEBHOOK_HOSTS: optional(z.string().max(4000).optional()),
    // Off unless set: X-Forwarded-For is believed only from the proxies named here.
    COUNTERSIGN_TRUST_PROXY: optional(
      z
        .string()
        .max(4000)
        .optional()
        .transform((text, ctx) => {
          if (text === undefined) return undefined;
          const trust = parseTrustProxy(text);
          if (trust !== undefined && 'problem' in trust) {
            ctx.addIssue({ code: 'custom', message: trust.problem });
            return z.NEVER;
          }
          return trust;
        }),
    ),
    // The web console: where people reach it (links in Slack, the OIDC redirect), and its IdP.
    COUNTERSIGN_PUBLIC_URL: optional(
      z
        .url()
        .regex(/^https?:\/\/[^/?#]+\/?$/, 'must be an origin like https://countersign.example.com (no path)')
        .transform((u) => u.replace(/\/$/, ''))
        .optional(),
    ),
    COUNTERSIGN_OIDC_ISSUER: optional(z.url().optional()),
    COUNTERSIGN_OIDC_CLIENT_ID: optional(z.string().max(400).optional()),
    COUNTERSIGN_OIDC_CLIENT_SECRET: optional(z.string().max(4000).optional()),
    // "true": this IdP verifies every email it asserts (some omit email_verified, e.g. Entra ID).
    COUNTERSIGN_OIDC_EMAILS_VERIFIED: optional(z.enum(['true', 'false']).default('false')),
    // Step-up `mfa` (issue 14): the acr_values to ask for, and which acr/amr in the ID token count as MFA.
    COUNTERSIGN_OIDC_MFA_ACR: optional(claimList.default([])),
    COUNTERSIGN_OIDC_MFA_AMR: optional(claimList.optional()),
    COUNTERSIGN_SESSION_IDLE_MINUTES: optional(z.coerce.number().min(0.05).max(1_440).default(60)),
    COUNTERSIGN_SESSION_MAX_HOURS: optional(z.coerce.number().min(0.01).max(720).default(12)),
    SLACK_BOT_TOKEN: optional(
      z
        .string()
        .regex(/^xoxb-/, 'must be a bot token (xoxb-…)')
        .optional(),
    ),
    SLACK_SIGNING_SECRET: optional(z.string().min(8, 'is too short to be a signing secret').optional()),
    SLACK_APP_TOKEN: optional(
      z
        .string()
        .regex(/^xapp-/, 'must be an app-level token (xapp-…)')
        .optional(),
    ),
    SLACK_APPROVALS_CHANNEL: optional(z.string().max(80).optional()),
    SLACK_API_URL: optional(z.url().endsWith('/', 'must end with /').default('https://slack.com/api/')),
    // Microsoft Teams (docs/teams.md): the bot's Entra app and where requests go by default.
    TEAMS_APP_ID: optional(
      z
        .string()
        .regex(/^[0-9a-f-]{36}$/i, 'must be the Entra app (client) id, a GUID')
        .optional(),
    ),
    TEAMS_APP_PASSWORD: optional(z.string().min(8, 'is too short to be a client secret').optional()),
    TEAMS_TENANT_ID: optional(z.string().min(1).max(200).optional()),
    TEAMS_APPROVALS_CHANNEL: optional(
      z
        .string()
        .regex(/^[^/]+\/[^/]+$/, 'must be "<team>/<channel>"')
        .optional(),
    ),
    // Test-only: the Microsoft endpoints, pointed at test/teams-emulator (docs/teams.md).
    TEAMS_LOGIN_URL: optional(z.url().default('https://login.microsoftonline.com')),
    TEAMS_GRAPH_URL: optional(
      z.url().endsWith('/', 'must end with /').default('https://graph.microsoft.com/v1.0/'),
    ),
  })
  .superRefine((env, ctx) => {
    // Two listeners cannot share a port; said here, it names both rather than "already in use".
    if (env.COUNTERSIGN_METRICS_PORT !== undefined && env.COUNTERSIGN_METRICS_PORT !== 0)
      if (env.COUNTERSIGN_METRICS_PORT === env.PORT)
        ctx.addIssue({
          code: 'custom',
          path: ['COUNTERSIGN_METRICS_PORT'],
          message: `is the same port as PORT (${env.PORT}): /metrics needs a port of its own`,
        });
    // Sign-in through an IdP needs all of it, and a public URL to come back to.
    if (env.COUNTERSIGN_OIDC_ISSUER) {
      for (const name of ['COUNTERSIGN_OIDC_CLIENT_ID', 'COUNTERSIGN_PUBLIC_URL'] as const)
        if (!env[name])
          ctx.addIssue({ code: 'custom', path: [name], message: 'required with COUNTERSIGN_OIDC_ISSUER' });
    }
    // Half a Teams configuration: the app id is the audience every inbound token is checked against.
    if ((env.TEAMS_APP_PASSWORD || env.TEAMS_TENANT_ID) && !env.TEAMS_APP_ID)
      ctx.addIssue({
        code: 'custom',
        path: ['TEAMS_APP_ID'],
        message: 'required with TEAMS_APP_PASSWORD or TEAMS_TENANT_ID',
      });
    if (env.TEAMS_APP_ID)
      for (const name of ['TEAMS_APP_PASSWORD', 'TEAMS_TENANT_ID'] as const)
        if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'required with TEAMS_APP_ID' });
    // Half a Slack configuration would start a bot that can be reached but not verified: refuse it.
    if (env.SLACK_BOT_TOKEN && !env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_SIGNING_SECRET'],
        message: 'required with SLACK_BOT_TOKEN (or set SLACK_APP_TOKEN for Socket Mode)',
      });
    }
    if (!env.SLACK_BOT_TOKEN && (env.SLACK_SIGNING_SECRET || env.SLACK_APP_TOKEN)) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_BOT_TOKEN'],
        message: 'required when SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set',
      });
    }
  });

export type Env = z.infer<typeof EnvSchema>;

export class EnvError extends Error {
  readonly lines: string[];
  constructor(lines: string[]) {
    super(lines.join('\n'));
    this.name = 'EnvError';
    this.lines = lines;
  }
}

/** Parses the environment once, at start-up; a bad value yields one line naming the variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = EnvSchema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    const got = source[name];
    return `${name}: ${issue.message}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`;
  });
  throw new EnvError(lines);
}
