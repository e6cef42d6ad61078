/** A start-up failure with a message meant for the operator: printed as is, no stack trace. */
export class StartupError extends Error {
  override name = 'StartupError';
}
