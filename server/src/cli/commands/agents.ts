import { AgentName, Email } from '@countersign/shared';
import type { Command } from 'commander';
import { out, usage } from '../io';

export function registerAgents(program: Command): void {
  const agents = program.command('agents').description('Manage agents: who answers for each one.');
  agents
    .command('reassign')
    .description('Give an agent a new owner, e.g. after the identity provider deactivated its owner.')
    .argument('<NAME>', "the agent's name")
    .requiredOption('--owner <EMAIL>', 'the person who answers for the agent from now on')
    .addHelpText('after', '\nUntil reassigned, an agent whose owner left is refused with 403 owner_inactive.')
    .action((name: string, flags: { owner: string }) => reassign(name, flags.owner));
}

async function reassign(name: string, ownerText: string): Promise<void> {
  if (!AgentName.safeParse(name).success) throw usage(`NAME: "${name}" is not an agent name`);
  const owner = Email.safeParse(ownerText);
  if (!owner.success) throw usage(`--owner: "${ownerText}" is not a usable email address`);
  const { withCore } = await import('../with-core');
  const { reassignAgent } = await import('../../services/agents/reassign-agent');
  const done = await withCore((ctx) => reassignAgent({ ctx, name, owner: owner.data }));
  out(`Agent ${done.name} is now owned by ${done.owner} (was ${done.previousOwner}).`);
}
