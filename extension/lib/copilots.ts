/**
 * The copilot panels the extension can attribute an action to. Attribution is deliberately narrow:
 * an action counts as copilot-initiated only when the person's last interaction (click, key press)
 * was inside one of these panels, moments before the request. Anything else — including a browser
 * agent driving the page, which looks exactly like a person — is reported as `page`.
 *
 * The selectors are inferred from the vendors' public documentation and screenshots, not from
 * captured DOM (see shared/research/console-traffic.md, "Copilots and browser agents"); treat them
 * as data to correct. Copilot in Azure chat and Gemini's background agents act server-side, which no
 * page hook sees.
 */
export type Copilot = { id: string; name: string; selectors: readonly string[] };

export const COPILOTS: readonly Copilot[] = [
  {
    id: 'amazon-q',
    name: 'Amazon Q',
    selectors: ['#amazon-q-panel', '[data-testid="amazon-q-panel"]', '[data-testid^="amazon-q" i]'],
  },
  {
    id: 'gemini-cloud-assist',
    name: 'Gemini Cloud Assist',
    selectors: [
      'cloud-assist-panel',
      '[data-test-id="cloud-assist-panel"]',
      '[aria-label="Gemini Cloud Assist" i]',
    ],
  },
  {
    id: 'azure-copilot',
    name: 'Copilot in Azure',
    selectors: [
      '#copilot-panel',
      '[data-telemetryname="Copilot" i]',
      '[aria-label="Copilot" i][role="complementary"]',
    ],
  },
];

/** How long after an interaction inside a panel a request still counts as the panel's doing. */
export const COPILOT_WINDOW_MS = 10_000;

export function copilotById(id: string | undefined): Copilot | undefined {
  return id === undefined ? undefined : COPILOTS.find((c) => c.id === id);
}

/** The copilot whose panel holds any of these elements (an event's composed path), if any. */
export function copilotAt(path: readonly EventTarget[]): Copilot | undefined {
  for (const target of path) {
    if (!(target instanceof Element)) continue;
    const found = COPILOTS.find((c) => c.selectors.some((s) => safeMatches(target, s)));
    if (found) return found;
  }
  return undefined;
}

function safeMatches(element: Element, selector: string): boolean {
  try {
    return element.matches(selector);
  } catch {
    return false;
  }
}
