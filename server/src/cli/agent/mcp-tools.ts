import type { ActionInput } from '@countersign/shared/sdk';

// The action charset of the contract; anything else in a server or tool name becomes `_`.
const OUTSIDE_CHARSET = /[^\w.:/-]/g;

export const actionSegment = (name: string): string => name.replace(OUTSIDE_CHARSET, '_') || '_';

/** `mcp.<server>.<tool>`, the action a tool call is submitted as. */
export const toolAction = (server: string, tool: string): string =>
  `mcp.${actionSegment(server)}.${actionSegment(tool)}`;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What each tool says about itself (`annotations`: readOnlyHint, destructiveHint …), learned from the
 * real server's tools/list answers as they pass through. Hints come from the server, so they inform
 * reviewers; the policy decides on the action name, never on a hint.
 */
export class ToolCatalog {
  readonly #annotations = new Map<string, Json>();
  #complete = false;

  /** Learns from one tools/list result page; `firstPage` starts a fresh listing. */
  learn(result: unknown, firstPage: boolean): void {
    if (!isObject(result) || !Array.isArray(result.tools)) return;
    if (firstPage) this.#annotations.clear();
    for (const tool of result.tools) {
      if (!isObject(tool) || typeof tool.name !== 'string') continue;
      this.#annotations.set(tool.name, isObject(tool.annotations) ? tool.annotations : {});
    }
    if (result.nextCursor === undefined) this.#complete = true;
  }

  /** The server said its tools changed: the next call looks them up again. */
  invalidate(): void {
    this.#complete = false;
  }

  knows(tool: string): boolean {
    return this.#complete && this.#annotations.has(tool);
  }

  annotationsOf(tool: string): Json | undefined {
    return this.#annotations.get(tool);
  }
}

/** The action request for one tools/call: arguments as params, the tool's hints as context. */
export function callAction(
  server: string,
  tool: string,
  args: unknown,
  annotations: Json | undefined,
): ActionInput {
  const hints: Json = {};
  for (const hint of [
    'readOnlyHint',
    'destructiveHint',
    'idempotentHint',
    'openWorldHint',
    'title',
  ] as const) {
    if (annotations?.[hint] !== undefined) hints[hint] = annotations[hint];
  }
  return {
    action: toolAction(server, tool),
    ...(isObject(args) && { params: args }),
    source: 'mcp',
    // The original names, in case the action name had to replace characters.
    context: { server, tool, ...(annotations !== undefined && { annotations: hints }) },
  };
}
