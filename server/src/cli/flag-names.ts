/**
 * Start-up refusals name the variable they read (`COUNTERSIGN_POLICY: … is not a valid policy`), but
 * when a flag set it the operator never typed that name: this puts the flag they typed in its place.
 * `given` maps each variable a flag set this run to that flag, e.g. { COUNTERSIGN_POLICY: '--policy' }.
 */
export async function namingFlags(given: Record<string, string>, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const rename = (line: string) =>
      line.replace(/^([A-Z][A-Z0-9_]*):/, (whole, name: string) =>
        Object.hasOwn(given, name) ? `${given[name]}:` : whole,
      );
    const { EnvError } = await import('../env');
    const { StartupError } = await import('../startup-error');
    if (error instanceof EnvError) throw new EnvError(error.lines.map(rename));
    if (error instanceof StartupError)
      throw new StartupError(error.message.split('\n').map(rename).join('\n'));
    throw error;
  }
}
