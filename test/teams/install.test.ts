import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastLine, ROOT, runCli, tempDir } from '../e2e/processes';

// Microsoft's Teams app manifest schema v1.17, vendored from OfficeDev/microsoft-teams-app-schema
// (commit 510341c5def60708eeed7320d2581d43619482b2, "Update schema to v17"), the file behind
// https://developer.microsoft.com/json-schemas/teams/v1.17/MicrosoftTeams.schema.json.
const SCHEMA = JSON.parse(
  readFileSync(join(ROOT, 'test/fixtures/teams/MicrosoftTeams.v1.17.schema.json'), 'utf8'),
) as Record<string, unknown>;

const APP_ID = '8f0c2a44-3b1e-4c8d-9a6f-2d7e5b1c0a93';
const PUBLIC = 'https://approvals.example.com';

/** Width, height and RGBA pixels of an 8-bit RGBA, non-interlaced PNG (what the icons are). */
function decodePng(data: Buffer): { width: number; height: number; colorType: number; pixels: Buffer } {
  let offset = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  const idat: Buffer[] = [];
  while (offset < data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    const body = data.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      colorType = body[9] ?? -1;
    } else if (type === 'IDAT') idat.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x] ?? 0;
      const a = x >= 4 ? (pixels[y * stride + x - 4] ?? 0) : 0;
      const b = y > 0 ? (pixels[(y - 1) * stride + x] ?? 0) : 0;
      const c = x >= 4 && y > 0 ? (pixels[(y - 1) * stride + x - 4] ?? 0) : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter ?? 0] ?? 0;
      pixels[y * stride + x] = (v + predictor) & 0xff;
    }
  }
  return { width, height, colorType, pixels };
}

describe('countersign teams package: the app package an admin uploads', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let zipPath: string;
  let run: Awaited<ReturnType<typeof runCli>>;
  // Read with the system's unzip: an independent reader of the archive our own writer made.
  const entry = (name: string) => execFileSync('unzip', ['-p', zipPath, name], { maxBuffer: 1 << 20 });

  beforeAll(async () => {
    tmp = await tempDir();
    zipPath = join(tmp.dir, 'countersign-teams.zip');
    run = await runCli(['teams', 'package', '--out', zipPath], {
      TEAMS_APP_ID: APP_ID,
      COUNTERSIGN_PUBLIC_URL: `${PUBLIC}/`,
    });
  });
  afterAll(() => tmp.remove());

  it('writes a zip with manifest.json and the two icons at its root, and names the messaging endpoint', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(lastLine(run.stdout)).toContain(`${PUBLIC}/teams/messages`);
    const listing = execFileSync('unzip', ['-Z1', zipPath], { encoding: 'utf8' }).trim().split('\n');
    expect(listing.sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    execFileSync('unzip', ['-tq', zipPath]); // CRCs and sizes check out, or this throws
  });

  it('manifest.json is valid against the Teams manifest schema v1.17', () => {
    const manifest = JSON.parse(entry('manifest.json').toString('utf8')) as Record<string, unknown>;
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(SCHEMA);
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The schema itself refuses what a broken package would carry: a placeholder left in, a bad colour.
    const PLACEHOLDER = ['$', '{{TEAMS_APP_ID}}'].join('');
    expect(validate({ ...manifest, id: PLACEHOLDER })).toBe(false);
    expect(validate({ ...manifest, accentColor: 'navy' })).toBe(false);
  });

  it('fills the bot id, scopes, personal commands and the public host', () => {
    const manifest = JSON.parse(entry('manifest.json').toString('utf8')) as {
      id: string;
      manifestVersion: string;
      bots: {
        botId: string;
        scopes: string[];
        commandLists: { scopes: string[]; commands: { title: string }[] }[];
      }[];
      validDomains: string[];
      developer: { websiteUrl: string };
    };
    expect(manifest.manifestVersion).toBe('1.17');
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots[0]?.botId).toBe(APP_ID);
    expect(manifest.bots[0]?.scopes.sort()).toEqual(['personal', 'team']);
    const personal = manifest.bots[0]?.commandLists.find((l) => l.scopes.includes('personal'));
    expect(personal?.commands.map((c) => c.title)).toEqual([
      'approvals',
      'requests',
      'approve',
      'deny',
      'connect',
    ]);
    expect(manifest.validDomains).toEqual(['approvals.example.com']);
    expect(manifest.developer.websiteUrl).toBe(`${PUBLIC}/`);
    expect(JSON.stringify(manifest)).not.toContain('{{');
  });

  it('icons: a 192×192 colour PNG and a 32×32 outline that is white on transparent', () => {
    const color = decodePng(entry('color.png'));
    expect([color.width, color.height, color.colorType]).toEqual([192, 192, 6]);
    const outline = decodePng(entry('outline.png'));
    expect([outline.width, outline.height, outline.colorType]).toEqual([32, 32, 6]);
    let opaque = 0;
    let transparent = 0;
    for (let i = 0; i < outline.pixels.length; i += 4) {
      const [r, g, b, a] = outline.pixels.subarray(i, i + 4);
      if (a === 0) transparent++;
      else {
        opaque++;
        expect([r, g, b]).toEqual([255, 255, 255]);
      }
    }
    expect(opaque).toBeGreaterThan(50);
    expect(transparent).toBeGreaterThan(500);
  });

  for (const [name, env, line] of [
    ['no app id', { COUNTERSIGN_PUBLIC_URL: PUBLIC }, /^TEAMS_APP_ID: required/],
    [
      'an app id that is not a GUID',
      { TEAMS_APP_ID: 'countersign-bot', COUNTERSIGN_PUBLIC_URL: PUBLIC },
      /^TEAMS_APP_ID: must be the Entra app \(client\) id/,
    ],
    [
      'an http:// public URL',
      { TEAMS_APP_ID: APP_ID, COUNTERSIGN_PUBLIC_URL: 'http://approvals.example.com' },
      /^COUNTERSIGN_PUBLIC_URL: must be a plain https:\/\/ URL/,
    ],
  ] as const) {
    it(`${name}: exit 78 with one line naming the setting, and no file`, async () => {
      const out = join(tmp.dir, `refused-${name.replaceAll(' ', '-')}.zip`);
      // Only what the case sets: nothing inherited from the shell running the tests.
      const unset: Record<string, string> = { TEAMS_APP_ID: '', COUNTERSIGN_PUBLIC_URL: '' };
      const refused = await runCli(['teams', 'package', '--out', out], { ...unset, ...env });
      expect(refused.code).toBe(78);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toMatch(line);
      expect(() => readFileSync(out)).toThrow();
    });
  }
});

describe('Teams configuration at start-up', () => {
  it('a password without TEAMS_APP_ID stops `countersign serve` with one line naming it', async () => {
    const tmp = await tempDir();
    try {
      const started = await runCli(['serve', '--port', '0'], {
        COUNTERSIGN_DB_URL: `file:${join(tmp.dir, 'db.sqlite')}`,
        COUNTERSIGN_POLICY: join(ROOT, 'countersign.policy.yaml'),
        TEAMS_APP_PASSWORD: 'a-client-secret-value',
      });
      expect(started.code).toBe(78);
      const lines = started.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^TEAMS_APP_ID: required with TEAMS_APP_PASSWORD/);
      expect(started.stdout).not.toContain('listening');
    } finally {
      await tmp.remove();
    }
  });
});
