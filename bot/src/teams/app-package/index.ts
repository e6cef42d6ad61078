import { readFile } from 'node:fs/promises';
import { zip } from './zip';

/** The app package's sources: manifest.json with placeholders, and the icons it names. */
const SOURCE = new URL('../../../teams-app/', import.meta.url);

/** A value the package cannot be built with, as one line naming the setting. */
export class AppPackageError extends Error {}

export type AppPackageOptions = {
  /** The Entra app (client) id: the bot's id and the Teams app's id (TEAMS_APP_ID). */
  appId: string;
  /** Where Teams reaches the server and where "Open in Countersign" links go (COUNTERSIGN_PUBLIC_URL). */
  publicUrl: string;
  /** The app's version; Teams wants a higher one for every updated package. */
  version: string;
};

const GUID = /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i;
const SEMVER = /^\d+\.\d+\.\d+$/;

function checked(options: AppPackageOptions): {
  appId: string;
  publicUrl: string;
  host: string;
  version: string;
} {
  if (!GUID.test(options.appId))
    throw new AppPackageError(
      `TEAMS_APP_ID: must be the Entra app (client) id, a GUID (got ${JSON.stringify(options.appId)})`,
    );
  let url: URL;
  try {
    url = new URL(options.publicUrl);
  } catch {
    throw new AppPackageError(
      `COUNTERSIGN_PUBLIC_URL: must be the server's public https:// URL (got ${JSON.stringify(options.publicUrl)})`,
    );
  }
  // Teams posts activities and opens links only over https.
  if (url.protocol !== 'https:' || url.username || url.password || url.search || url.hash)
    throw new AppPackageError(
      `COUNTERSIGN_PUBLIC_URL: must be a plain https:// URL, which Teams can reach (got ${JSON.stringify(options.publicUrl)})`,
    );
  if (!SEMVER.test(options.version))
    throw new AppPackageError(
      `--app-version: must be MAJOR.MINOR.PATCH (got ${JSON.stringify(options.version)})`,
    );
  return {
    appId: options.appId.toLowerCase(),
    publicUrl: url.href.replace(/\/+$/, ''),
    host: url.host,
    version: options.version,
  };
}

/** Replaces `${{NAME}}` in every string of the template; values go in as data, never as JSON text. */
function fill(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string')
    return value.replace(/\$\{\{([A-Z_]+)\}\}/g, (whole, name: string) => values[name] ?? whole);
  if (Array.isArray(value)) return value.map((v) => fill(v, values));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, values)]));
  return value;
}

/** bot/teams-app/manifest.json with the app id, public URL and version of this install filled in. */
export async function teamsManifest(options: AppPackageOptions): Promise<Record<string, unknown>> {
  const { appId, publicUrl, host, version } = checked(options);
  const template: unknown = JSON.parse(await readFile(new URL('manifest.json', SOURCE), 'utf8'));
  return fill(template, {
    TEAMS_APP_ID: appId,
    PUBLIC_URL: publicUrl,
    PUBLIC_HOST: host,
    APP_VERSION: version,
  }) as Record<string, unknown>;
}

/** The Teams app package an admin uploads: manifest.json, color.png (192×192), outline.png (32×32). */
export async function teamsAppPackage(
  options: AppPackageOptions,
): Promise<{ zip: Buffer; manifest: Record<string, unknown> }> {
  const manifest = await teamsManifest(options);
  const icons = await Promise.all(
    ['color.png', 'outline.png'].map(async (name) => ({ name, data: await readFile(new URL(name, SOURCE)) })),
  );
  const text = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  return { zip: zip([{ name: 'manifest.json', data: text }, ...icons]), manifest };
}
