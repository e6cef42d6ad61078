import type { Command } from 'commander';
import { out } from '../io';

export function registerPeople(program: Command): void {
  const people = program.command('people').description('People as the console knows them.');
  people
    .command('release-subject')
    .description(
      'Forget the identity provider subject pinned to EMAIL at first sign-in, e.g. after an account moved at the IdP.',
    )
    .argument('<EMAIL>', "the person's email address")
    .addHelpText(
      'after',
      '\nTheir next console sign-in pins the subject the IdP sends then. Until released, a new subject\n' +
        'for the same email is refused (subject_mismatch). Audited as identity.subject_released.',
    )
    .action((email: string) => releaseSubjectCommand(email));
}

async function releaseSubjectCommand(email: string): Promise<void> {
  const { withCore } = await import('../with-core');
  const { releaseSubject } = await import('../../services/identity/release-subject');
  const done = await withCore((ctx) => releaseSubject({ ctx, email }));
  out(
    `Released ${done.email} from IdP subject ${done.subject} (${done.issuer}); the next sign-in pins a new one.`,
  );
}
