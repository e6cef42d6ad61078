import { desc, eq } from 'drizzle-orm';
import { appendAudit } from '../../audit/emit';
import { hasScope } from '../../context';
import { auditEvents, policies } from '../../db/schema';
import { DomainError, forbidden } from '../../errors';
import { recheckQuorum } from '../actions/recheck-quorum';
import type { Core, Ctx } from '../core';
import { describeProblems, type LoadedPolicy, readPolicyFile } from './policy-store';
import { rebindPending } from './rebind-pending';
import { warnStepUpGaps } from './warn-step-up-gaps';

export type ReloadOutcome = { version: string; previousVersion: string; changed: boolean; rules: number };

/**
 * Records a policy as loaded: its text (so auditors can see what decided) and one audit event; puts it
 * in force; and, when it replaces another (a reload, or a restart on a changed file), holds every
 * pending request to it (rebindPending). All in one transaction of the write queue, which runs writes
 * one after another: no review is counted on the old terms once the new policy is in force, and
 * should the transaction fail the previous policy is put back, requests untouched.
 */
export async function recordPolicy(core: Core, actor: string, loaded: LoadedPolicy): Promise<void> {
  const previous = core.policy.current;
  let replaced: string | undefined;
  const first = core.writes.run(async (tx) => {
    core.policy.replace(loaded);
    const [last] = await tx
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(eq(auditEvents.type, 'policy.loaded'))
      .orderBy(desc(auditEvents.seq))
      .limit(1);
    const lastVersion = last ? (JSON.parse(last.data) as { version?: string }).version : undefined;
    if (lastVersion === loaded.version) return [];
    await tx
      .insert(policies)
      .values({ version: loaded.version, file: loaded.file, text: loaded.text, loadedAt: loaded.loadedAt })
      .onConflictDoNothing();
    await appendAudit(tx, loaded.loadedAt, [
      {
        type: 'policy.loaded',
        actor,
        subject: loaded.version,
        data: { version: loaded.version, file: loaded.file, rules: loaded.policy.rules.length },
      },
    ]);
    // A first load has nothing pending under another policy.
    if (lastVersion === undefined) return [];
    replaced = lastVersion;
    return rebindPending(core, tx, loaded.loadedAt, actor, lastVersion);
  });
  const touched = await first.catch((error: unknown) => {
    // Nothing of it committed: the previous policy stays in force, as for an invalid file.
    core.policy.replace(previous);
    throw error;
  });
  // A submission decides before it queues its insert: one decided on the old policy just before this
  // one was put in force is queued behind the transaction above. A second pass, queued behind it,
  // holds it to this policy too; for what the first pass did, it finds nothing left to change.
  if (replaced !== undefined) {
    const from = replaced;
    // The policy is committed and in force by now: a failure here is told, not undone.
    const late = await core.writes
      .run((tx) => rebindPending(core, tx, core.now(), actor, from))
      .catch((error: unknown) => {
        core.log.error(
          { err: error, version: loaded.version },
          'holding requests submitted during the policy reload to the new policy failed; they keep the terms they were submitted with',
        );
        return [];
      });
    touched.push(...late);
  }
  // Long-polls and the console hear of each change once it is committed.
  for (const id of new Set(touched.map((t) => t.id))) core.events.changed(id);
  if (touched.length > 0)
    core.log.info({ version: loaded.version, requests: touched }, 'pending requests held to the new policy');
}

/** Re-reads the policy file; a file that does not validate is refused and the running policy kept. */
export async function reloadPolicy({ ctx }: { ctx: Ctx }): Promise<ReloadOutcome> {
  const { core, actor } = ctx;
  if (!hasScope(actor, 'admin')) throw forbidden('reloading the policy needs the admin scope');
  const previous = core.policy.current;
  const read = await readPolicyFile(previous.file, core.now());
  if (!read.ok) {
    await core.writes.run((tx) =>
      appendAudit(tx, core.now(), [
        {
          type: 'policy.rejected',
          actor: actor.id,
          subject: previous.file,
          data: { file: previous.file, kept: previous.version, problems: read.problems },
        },
      ]),
    );
    core.log.error(
      { problems: describeProblems(read.problems) },
      'policy reload refused; keeping the last good policy',
    );
    throw new DomainError(
      'invalid_request',
      `policy file ${previous.file} is invalid; still enforcing ${previous.version}`,
      read.problems.map((p) => ({ path: `${p.file}:${p.line}:${p.column}`, message: p.message })),
    );
  }
  await recordPolicy(core, actor.id, read.loaded);
  core.log.info({ version: read.loaded.version, previous: previous.version }, 'policy reloaded');
  warnStepUpGaps(core);
  // Pending requests may count approvals from people this policy no longer names. Should this pass
  // fail, nothing is let through: every review re-checks its own request before counting.
  await recheckQuorum({ ctx }).catch((error: unknown) => {
    core.log.error(
      { err: error },
      'quorum re-check after reload failed; the next review of each request re-checks it',
    );
  });
  return {
    version: read.loaded.version,
    previousVersion: previous.version,
    changed: read.loaded.version !== previous.version,
    rules: read.loaded.policy.rules.length,
  };
}
