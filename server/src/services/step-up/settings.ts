/** A step-up counts for this long after it was verified (issue 14: "older than 5 minutes never counts"). */
export const STEP_UP_MAX_AGE_MS = 5 * 60_000;

/**
 * What the core needs to know about step-ups: where people finish one (the console's public URL),
 * and which ID-token claims count as MFA. RFC 8176 `amr` values that mean more than a password are
 * the default; an install whose IdP says MFA in `acr` names it in COUNTERSIGN_OIDC_MFA_ACR.
 */
export type StepUpSettings = {
  publicUrl: string | undefined;
  /** Whether the console signs in through an identity provider: the one way to an MFA step-up. */
  oidc: boolean;
  /** `acr` values asked for with acr_values, and accepted as MFA. */
  mfaAcr: readonly string[];
  /** `amr` values accepted as MFA (any one of them). */
  mfaAmr: readonly string[];
};

export const DEFAULT_MFA_AMR = ['mfa', 'otp', 'hwk'] as const;

export function stepUpSettings(given: Partial<StepUpSettings> = {}): StepUpSettings {
  return {
    publicUrl: given.publicUrl,
    oidc: given.oidc ?? false,
    mfaAcr: given.mfaAcr ?? [],
    mfaAmr: given.mfaAmr ?? DEFAULT_MFA_AMR,
  };
}

/**
 * The console's step-up page for a request: absolute when the public URL is known. Breaking the glass
 * has its own page (`?for=break-glass`), which carries the reason through the step-up.
 */
export const stepUpUrl = (
  settings: StepUpSettings,
  actionId: string,
  purpose: 'approve' | 'break_glass' = 'approve',
): string =>
  `${settings.publicUrl ?? ''}/requests/${encodeURIComponent(actionId)}/step-up${purpose === 'break_glass' ? '?for=break-glass' : ''}`;

/** The passkey relying party: the public URL's host (a name, never an IP) and its origin. */
export function relyingParty(settings: StepUpSettings): { rpId: string; origin: string } | undefined {
  if (!settings.publicUrl) return undefined;
  const url = new URL(settings.publicUrl);
  return { rpId: url.hostname, origin: url.origin };
}

/**
 * Which step-ups can be made here: what decides the console's "cannot be made here" and the warnings
 * about rules that could never be approved (policy check, start-up, reload).
 */
export const stepUpMeans = (settings: StepUpSettings): { mfa: boolean; passkey: boolean } => ({
  mfa: settings.oidc,
  passkey: relyingParty(settings) !== undefined,
});
