import { formatIssues, isObject, validateView } from '../block-kit-validator';
import { stringArg } from '../request';
import type { JsonObject, StoredView } from '../types';
import {
  fail,
  invalidArguments,
  type MethodContext,
  type MethodTable,
  missingArgument,
} from './method-context';

type ViewType = StoredView['type'];

type ReadView = { ok: true; view: JsonObject } | { ok: false; body: JsonObject };

/** The view argument, validated for this method, or the error body to answer with. */
function readView(args: JsonObject, allowed: readonly ViewType[]): ReadView {
  const view = args.view;
  if (view === undefined) return { ok: false, body: missingArgument('view') };
  if (!isObject(view))
    return { ok: false, body: invalidArguments(['[ERROR] must be an object [json-pointer:/view]']) };
  const issues = validateView(view);
  if (issues.length > 0) return { ok: false, body: invalidArguments(formatIssues(issues)) };
  if (!allowed.some((type) => type === view.type)) {
    const message = `[ERROR] must be one of: ${allowed.join(', ')} [json-pointer:/view/type]`;
    return { ok: false, body: invalidArguments([message]) };
  }
  return { ok: true, view };
}

/** Stores the view Slack would answer with: the app's view plus the fields Slack fills in. */
function save(ctx: MethodContext, stored: Omit<StoredView, 'hash' | 'view'>, view: JsonObject): StoredView {
  const { options, store } = ctx;
  const hash = store.nextHash();
  const previousRoot = store.view(stored.id)?.view.root_view_id;
  const rootViewId = typeof previousRoot === 'string' ? previousRoot : stored.id;
  const full: JsonObject = {
    private_metadata: '',
    callback_id: '',
    external_id: '',
    clear_on_close: false,
    notify_on_close: false,
    ...view,
    id: stored.id,
    team_id: options.teamId,
    state: { values: {} },
    hash,
    previous_view_id: null,
    root_view_id: stored.type === 'modal' ? rootViewId : null,
    app_id: options.appId,
    app_installed_team_id: options.teamId,
    bot_id: options.botId,
  };
  const saved: StoredView = { ...stored, hash, view: full };
  store.saveView(saved);
  return saved;
}

function externalIdTaken(ctx: MethodContext, view: JsonObject, exceptId?: string): boolean {
  const externalId =
    typeof view.external_id === 'string' && view.external_id !== '' ? view.external_id : undefined;
  if (externalId === undefined) return false;
  return ctx.store.findView((v) => v.view.external_id === externalId && v.id !== exceptId) !== undefined;
}

function open(ctx: MethodContext): JsonObject {
  if (
    stringArg(ctx.args, 'trigger_id') === undefined &&
    stringArg(ctx.args, 'interactivity_pointer') === undefined
  ) {
    return missingArgument('trigger_id');
  }
  const read = readView(ctx.args, ['modal']);
  if (!read.ok) return read.body;
  if (externalIdTaken(ctx, read.view)) return fail('duplicate_external_id');
  const id = ctx.directory.newId('V');
  const saved = save(ctx, { id, type: 'modal', userId: undefined, revisions: 1 }, read.view);
  return { ok: true, view: saved.view };
}

function update(ctx: MethodContext): JsonObject {
  const viewId = stringArg(ctx.args, 'view_id');
  const externalId = stringArg(ctx.args, 'external_id');
  if (viewId === undefined && externalId === undefined) return missingArgument('view_id');
  const existing =
    viewId !== undefined
      ? ctx.store.view(viewId)
      : ctx.store.findView((v) => v.view.external_id === externalId);
  if (existing === undefined) return fail('not_found');
  const read = readView(ctx.args, [existing.type]);
  if (!read.ok) return read.body;
  const hash = stringArg(ctx.args, 'hash');
  // The hash guards against two writers racing to update the same view.
  if (hash !== undefined && hash !== existing.hash) return fail('hash_conflict');
  if (externalIdTaken(ctx, read.view, existing.id)) return fail('duplicate_external_id');
  const saved = save(ctx, { ...existing, revisions: existing.revisions + 1 }, read.view);
  return { ok: true, view: saved.view };
}

function publish(ctx: MethodContext): JsonObject {
  const userId = stringArg(ctx.args, 'user_id');
  if (userId === undefined) return missingArgument('user_id');
  if (!ctx.directory.users.has(userId)) return fail('user_not_found');
  const read = readView(ctx.args, ['home']);
  if (!read.ok) return read.body;
  const existing = ctx.store.findView((v) => v.type === 'home' && v.userId === userId);
  const hash = stringArg(ctx.args, 'hash');
  if (existing !== undefined && hash !== undefined && hash !== existing.hash) return fail('hash_conflict');
  const id = existing?.id ?? ctx.directory.newId('V');
  const saved = save(ctx, { id, type: 'home', userId, revisions: (existing?.revisions ?? 0) + 1 }, read.view);
  return { ok: true, view: saved.view };
}

export const viewMethods: MethodTable = {
  'views.open': { token: 'bot', handle: open },
  'views.push': { token: 'bot', handle: open },
  'views.update': { token: 'bot', handle: update },
  'views.publish': { token: 'bot', handle: publish },
};
