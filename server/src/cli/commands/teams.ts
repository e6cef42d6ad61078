import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError, EXIT, out } from '../io';

export function registerTeams(program: Command): void {
  const teams = program.command('teams').description('Microsoft Teams: the app package admins upload.');
  teams
    .command('package')
    .description('Write the Teams app package (manifest.json and icons, zipped) for this install to FILE.')
    .requiredOption('--out <FILE>', 'where the .zip goes (overwritten)')
    .option('--app-id <GUID>', 'the Entra app (client) id (default: TEAMS_APP_ID)')
    .option('--public-url <URL>', "the server's public https:// URL (default: COUNTERSIGN_PUBLIC_URL)")
    .option('--app-version <X.Y.Z>', 'the app version; raise it for every updated upload', '1.0.0')
    .addHelpText(
      'after',
      '\nUpload FILE in the Teams admin center (Manage apps → Upload) or in Teams (Apps → Manage your apps →\n' +
        'Upload an app). docs/teams.md walks through the Entra app registration it belongs to.',
    )
    .action((options: { out: string; appId?: string; publicUrl?: string; appVersion: string }) =>
      teamsPackage(options),
    );
}

async function teamsPackage(options: {
  out: string;
  appId?: string;
  publicUrl?: string;
  appVersion: string;
}): Promise<void> {
  const { AppPackageError, teamsAppPackage } = await import('@countersign/bot');
  const appId = options.appId ?? process.env.TEAMS_APP_ID;
  const publicUrl = options.publicUrl ?? process.env.COUNTERSIGN_PUBLIC_URL;
  if (!appId) throw new CliError('TEAMS_APP_ID: required (or pass --app-id)', EXIT.config);
  if (!publicUrl) throw new CliError('COUNTERSIGN_PUBLIC_URL: required (or pass --public-url)', EXIT.config);
  try {
    const built = await teamsAppPackage({ appId, publicUrl, version: options.appVersion });
    await writeFile(options.out, built.zip);
    const bot = (built.manifest.bots as { botId: string }[] | undefined)?.[0];
    out(
      `${options.out}: Teams app package for bot ${bot?.botId}, messaging endpoint ${publicUrl.replace(/\/+$/, '')}/teams/messages`,
    );
  } catch (error) {
    if (error instanceof AppPackageError) throw new CliError(error.message, EXIT.config);
    throw error;
  }
}
