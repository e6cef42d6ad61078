// Usage lines live apart from the commands, so `countersign --help` loads none of them.

export const AUDIT_USAGE = [
  'countersign audit verify',
  'countersign audit export [--format ndjson|csv] [--since ISO] [--until ISO] [--actor ID] [--action NAME] [--type T,T]',
].join('\n');

export const EXEC_USAGE =
  'countersign exec --action ACTION [--resource R] [--env E] [--justification TEXT] [--param k=v …] -- COMMAND ARGS…';

export const KEYS_USAGE = [
  'countersign keys create --agent NAME --owner EMAIL [--scopes actions:write] [--label TEXT]',
  'countersign keys create --user EMAIL [--scopes reviews:write,audit:read] [--label TEXT]',
  'countersign keys list [--json]',
  'countersign keys revoke KEY_ID',
].join('\n');

export const MCP_USAGE =
  'countersign mcp [--name NAME] [--heartbeat SECONDS] -- COMMAND ARGS…   (an MCP server)';

export const POLICY_USAGE = ['countersign policy check FILE', 'countersign policy test FILE CASES.yaml'].join(
  '\n',
);

export const SERVE_USAGE = 'countersign serve [--port 8787] [--host 127.0.0.1] [--policy FILE] [--db URL]';
