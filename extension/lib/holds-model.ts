/** What the overlay and the popup show of one held request. The background owns the full record. */
export type HoldOutcome = 'approved' | 'allowed' | 'denied' | 'blocked' | 'expired' | 'cancelled' | 'failed';

export type HoldView = {
  holdId: string;
  tabId: number;
  frameId: number;
  action: string;
  resource?: string;
  environment?: string;
  method: string;
  url: string;
  copilot?: string;
  actionId?: string;
  /** submitting → waiting (for reviewers) → released (sent) or refused (the page's call failed). */
  state: 'submitting' | 'waiting' | 'released' | 'refused';
  approvals?: { required: number; received: number };
  approvers?: string[];
  channel?: string;
  expiresAt?: string;
  outcome?: HoldOutcome;
  /** Who decided and why, or what went wrong. */
  message?: string;
  /** For a fail-closed refusal: what the person can do about it. */
  fix?: string;
  createdAt: number;
  /** When it was released or refused. */
  finishedAt?: number;
};

export const FINAL_STATES: ReadonlySet<HoldView['state']> = new Set(['released', 'refused']);
