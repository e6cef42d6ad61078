/**
 * Renders the Teams images from their sources, in the same Chromium the browser tests use:
 * bot/teams-app/color.png (192×192, from extension/assets/icon.svg), bot/teams-app/outline.png (32×32,
 * white on transparent, from bot/teams-app/outline.svg), and docs/images/teams-card.png (the card
 * the builder makes for a held request, drawn by Microsoft's Adaptive Cards HTML renderer).
 *
 *   npx tsx test/teams/render-images.ts
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { chromium, type Page } from 'playwright-core';
import { requestCard } from '../../bot/src/teams/index';
import { aRequest } from '../../bot/test/fixtures';
import { CHROMIUM } from '../extension/chromium';

const root = new URL('../../', import.meta.url);
const require = createRequire(import.meta.url);

async function svgToPng(page: Page, svgPath: string, size: number, out: string): Promise<void> {
  const svg = await readFile(new URL(svgPath, root), 'utf8');
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(
    `<style>html,body{margin:0;background:transparent}img{display:block;width:${size}px;height:${size}px}</style>` +
      `<img src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}">`,
  );
  await page.locator('img').evaluate((img: HTMLImageElement) => img.decode());
  await writeFile(new URL(out, root), await page.screenshot({ omitBackground: true }));
}

// Close to Teams' light theme: Segoe UI, its blue accent, compact spacing.
const HOST_CONFIG = {
  fontFamily: "'Segoe UI', 'Helvetica Neue', Arial, sans-serif",
  spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 24, padding: 16 },
  actions: { actionsOrientation: 'horizontal', buttonSpacing: 8, maxActions: 6, spacing: 'default' },
  containerStyles: {
    default: {
      backgroundColor: '#FFFFFF',
      foregroundColors: {
        default: { default: '#242424', subtle: '#616161' },
        accent: { default: '#5B5FC7', subtle: '#7F85F5' },
        good: { default: '#237B4B', subtle: '#2E8F5A' },
        attention: { default: '#C4314B', subtle: '#D74654' },
      },
    },
  },
};

async function card(page: Page, out: string): Promise<void> {
  const now = Date.parse('2025-06-03T09:41:00Z');
  const request = aRequest({
    id: 'act_01JX7Q2M9V4K8N3P5R6T8W0Y2Z',
    action: 'terraform.apply',
    resource: 'stack/payments',
    environment: 'prod',
    params: { workspace: 'payments', autoApprove: true, apiToken: 'tok-live-9f8e7d6c5b4a' },
    justification: 'Roll out the new payment queue (ticket PAY-1432).',
    requester: { id: 'agent:deploy-bot', owner: 'erin@example.com' },
    rule: { name: 'prod-infra', effect: 'review' },
    matched: { rule: 'prod-infra' },
    approvals: { required: 2, received: 1 },
    approvers: ['sre'],
    reviews: [
      {
        reviewer: 'user:alice@example.com',
        decision: 'approve',
        via: 'teams',
        at: new Date(now).toISOString(),
      },
    ],
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 15 * 60_000).toISOString(),
  });
  const json = requestCard(request, { consoleUrl: 'https://countersign.example.com' });
  await page.setViewportSize({ width: 560, height: 900 });
  await page.setContent(
    '<style>body{margin:0;padding:16px;background:#F5F5F5}#card{width:500px;border:1px solid #E0E0E0;border-radius:6px;overflow:hidden;background:#fff}</style><div id="card"></div>',
  );
  await page.addStyleTag({ path: require.resolve('adaptivecards/dist/adaptivecards.css') });
  await page.addScriptTag({ path: require.resolve('adaptivecards/dist/adaptivecards.min.js') });
  await page.evaluate(
    ({ json, hostConfig }) => {
      type AC = {
        AdaptiveCard: new () => {
          hostConfig: unknown;
          parse(json: unknown): void;
          render(): HTMLElement | undefined;
        };
        HostConfig: new (json: unknown) => unknown;
      };
      const AdaptiveCards = (window as unknown as { AdaptiveCards: AC }).AdaptiveCards;
      // Teams renders the Markdown subset the builder uses (bold, backslash escapes); the HTML
      // renderer leaves Markdown to its host.
      (AdaptiveCards.AdaptiveCard as unknown as { onProcessMarkdown: unknown }).onProcessMarkdown = (
        text: string,
        result: { didProcess: boolean; outputHtml: string },
      ) => {
        const html = text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
        result.outputHtml = html.replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>').replace(/\\(.)/g, '$1');
        result.didProcess = true;
      };
      const adaptive = new AdaptiveCards.AdaptiveCard();
      adaptive.hostConfig = new AdaptiveCards.HostConfig(hostConfig);
      adaptive.parse(json);
      const element = adaptive.render();
      if (!element) throw new Error('the card did not render');
      // The Deny button's chevron is a Segoe MDL2 Assets glyph, a font this machine does not have.
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode())
        node.textContent = (node.textContent ?? '').replace(/[\uE000-\uF8FF]/g, '');
      document.getElementById('card')?.appendChild(element);
    },
    { json, hostConfig: HOST_CONFIG },
  );
  await writeFile(new URL(out, root), await page.locator('#card').screenshot());
}

const browser = await chromium.launch({ executablePath: CHROMIUM });
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  await svgToPng(page, 'extension/assets/icon.svg', 192, 'bot/teams-app/color.png');
  await svgToPng(page, 'bot/teams-app/outline.svg', 32, 'bot/teams-app/outline.png');
  const wide = await browser.newPage({ deviceScaleFactor: 2 });
  await card(wide, 'docs/images/teams-card.png');
} finally {
  await browser.close();
}
