import { Email } from '@countersign/shared';
import type { Command } from 'commander';
import { out } from '../io';
import { parseWith } from './keys';

export function registerLogin(program: Command): void {
  program
    .command('login')
    .description('Print a one-time sign-in link to the web console for a person (10 minutes, single use).')
    .requiredOption('--user <EMAIL>', 'who signs in with it')
    .addHelpText(
      'after',
      '\nThe link starts with COUNTERSIGN_PUBLIC_URL, or http://HOST:PORT of this machine. It is how people\n' +
        'sign in while no identity provider is configured, and how the first admin of any install does.\n' +
        'Issuing it is audited; the link itself is never stored (only its hash).',
    )
    .action((options: { user: string }) => login(options.user));
}

async function login(user: string): Promise<void> {
  // Bad input is a usage error naming the flag (64), as at `keys create --user`, not a refusal (1).
  const email = parseWith(Email, '--user', user);
  const { withCore } = await import('../with-core');
  const { parseEnv } = await import('../../env');
  const { issueLoginLink } = await import('../../services/sessions/login-links');
  const env = parseEnv(process.env);
  const link = await withCore((ctx) => issueLoginLink({ ctx, email }));
  const host = env.HOST === '0.0.0.0' || env.HOST === '::' ? '127.0.0.1' : env.HOST;
  const origin =
    env.COUNTERSIGN_PUBLIC_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${env.PORT}`;
  out(`${origin}/auth/link?token=${link.token}`);
  out(`(for ${link.email}; works once, until ${link.expiresAt})`);
}
