import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const BOT = fileURLToPath(new URL('..', import.meta.url));

type Manifest = {
  features: { slash_commands: Array<{ command: string; url?: string }>; app_home: Record<string, boolean> };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url?: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url?: string };
    socket_mode_enabled: boolean;
  };
};

const load = (file: string) => parse(readFileSync(join(BOT, file), 'utf8')) as Manifest;
const http = load('manifest.yaml');
const socket = load('manifest.socket-mode.yaml');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory()
      ? sources(path)
      : path.endsWith('.ts')
        ? [readFileSync(path, 'utf8')]
        : [];
  });
}
const code = sources(join(BOT, 'src')).join('\n');

// The scope each Web API method the bot calls needs (docs.slack.dev/reference/methods/<method>).
const SCOPE_OF: Record<string, string | null> = {
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  // A bot deletes its own messages with chat:write (the duplicate a crash left behind).
  'chat.delete': 'chat:write',
  // Finding a post again after a crash: public and private approval channels.
  'conversations.history': 'channels:history',
  'conversations.list': 'channels:read',
  'auth.test': null,
  'views.open': null,
  'views.publish': null,
  'users.info': 'users:read',
  'users.lookupByEmail': 'users:read.email',
  'usergroups.list': 'usergroups:read',
  'usergroups.users.list': 'usergroups:read',
  'conversations.open': 'im:write',
};

describe('the Slack app manifests match the code', () => {
  it('declares exactly the slash commands the bot listens for', () => {
    const registered = [
      ...code.matchAll(/\['(\/[a-z]+)', '(?:approve|deny)'/g),
      ...code.matchAll(/app\.command\('(\/[a-z]+)'/g),
    ].map((m) => m[1]);
    expect(http.features.slash_commands.map((c) => c.command).sort()).toEqual(
      [...new Set(registered)].sort(),
    );
  });

  it('subscribes to exactly the events the bot handles', () => {
    const handled = [...code.matchAll(/app\.event\('([a-z_]+)'/g)].map((m) => m[1]);
    expect(http.settings.event_subscriptions.bot_events.sort()).toEqual(handled.sort());
  });

  it('asks for exactly the scopes of the Web API methods the bot calls, plus commands and chat:write.public', () => {
    const called = [
      ...new Set([...code.matchAll(/client\.([a-zA-Z]+(?:\.[a-zA-Z]+)+)\(/g)].map((m) => m[1] ?? '')),
    ];
    for (const method of called)
      expect(Object.keys(SCOPE_OF), `unknown scope for ${method}`).toContain(method);
    const needed = new Set(called.map((m) => SCOPE_OF[m]).filter((s): s is string => Boolean(s)));
    // users.info returns the email only with users:read.email as well.
    needed.add('users:read.email');
    needed.add('commands');
    needed.add('chat:write.public');
    // conversations.history and .list need the groups: twins for private approval channels.
    if (needed.has('channels:history')) needed.add('groups:history');
    if (needed.has('channels:read')) needed.add('groups:read');
    expect([...http.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });

  it('routes every HTTP-mode surface to /slack/events and enables the Home tab', () => {
    const urls = [
      ...http.features.slash_commands.map((c) => c.url),
      http.settings.event_subscriptions.request_url,
      http.settings.interactivity.request_url,
    ];
    for (const url of urls) expect(url).toMatch(/^https:\/\/[^/]+\/slack\/events$/);
    expect(http.settings.interactivity.is_enabled).toBe(true);
    expect(http.features.app_home.home_tab_enabled).toBe(true);
    expect(http.settings.socket_mode_enabled).toBe(false);
  });

  it('has a Socket Mode twin that differs only by having no URLs', () => {
    expect(socket.settings.socket_mode_enabled).toBe(true);
    const strip = (m: Manifest) =>
      JSON.parse(
        JSON.stringify(m, (key, value) =>
          key === 'url' || key === 'request_url' || key === 'socket_mode_enabled' ? undefined : value,
        ),
      );
    expect(strip(socket)).toEqual(strip(http));
  });
});
