/**
 * Renders the extension's icon (extension/assets/icon.svg) to the PNG sizes browsers ask for, with
 * the same headless Chromium the browser tests use, into extension/public/icon/<size>.png, where WXT
 * finds them and lists them in the manifest. The PNGs are committed; run this after changing the SVG:
 *
 *   npx tsx test/extension/render-icons.ts
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM } from './chromium';

const SVG = fileURLToPath(new URL('../../extension/assets/icon.svg', import.meta.url));
const OUT = fileURLToPath(new URL('../../extension/public/icon/', import.meta.url));
const SIZES = [16, 32, 48, 128];

const svg = await readFile(SVG, 'utf8');
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
try {
  for (const size of SIZES) {
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    await page.setContent(
      `<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`,
    );
    await writeFile(`${OUT}${size}.png`, await page.screenshot({ omitBackground: true }));
    await page.close();
  }
} finally {
  await browser.close();
}
console.log(`wrote ${SIZES.map((s) => `${s}.png`).join(', ')} to ${OUT}`);
