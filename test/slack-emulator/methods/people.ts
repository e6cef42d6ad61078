import { stringArg } from '../request';
import type { JsonObject } from '../types';
import { fail, type MethodContext, type MethodTable, missingArgument } from './method-context';

function usersInfo({ args, directory }: MethodContext): JsonObject {
  const id = stringArg(args, 'user');
  if (id === undefined) return missingArgument('user');
  const user = directory.users.get(id);
  return user === undefined ? fail('user_not_found') : { ok: true, user: directory.userObject(user) };
}

function lookupByEmail({ args, directory }: MethodContext): JsonObject {
  const email = stringArg(args, 'email');
  if (email === undefined) return missingArgument('email');
  const user = [...directory.users.values()].find((u) => u.email.toLowerCase() === email.toLowerCase());
  return user === undefined ? fail('users_not_found') : { ok: true, user: directory.userObject(user) };
}

function usergroupUsers({ args, directory }: MethodContext): JsonObject {
  const id = stringArg(args, 'usergroup');
  if (id === undefined) return missingArgument('usergroup');
  const group = directory.usergroups.get(id);
  return group === undefined ? fail('no_such_subteam') : { ok: true, users: [...group.users] };
}

// https://docs.slack.dev/reference/methods/usergroups.list: the workspace's user groups, by id and handle.
function usergroupsList({ directory }: MethodContext): JsonObject {
  const usergroups = [...directory.usergroups.values()].map((g) => ({
    id: g.id,
    handle: g.handle,
    name: g.name ?? g.handle,
    user_count: g.users.length,
  }));
  return { ok: true, usergroups };
}

function conversationsOpen({ args, directory }: MethodContext): JsonObject {
  const channel = stringArg(args, 'channel');
  if (channel !== undefined) {
    const id = directory.resolveChannel(channel);
    return id === undefined ? fail('channel_not_found') : { ok: true, channel: { id } };
  }
  const users = (stringArg(args, 'users') ?? '')
    .split(',')
    .map((user) => user.trim())
    .filter((user) => user !== '');
  if (users.length === 0) return fail('users_list_not_supplied');
  if (users.length > 8) return fail('too_many_users');
  if (users.some((user) => !directory.users.has(user))) return fail('user_not_found');
  return { ok: true, channel: { id: directory.openConversation(users) } };
}

export const peopleMethods: MethodTable = {
  'users.info': { token: 'bot', handle: usersInfo },
  'users.lookupByEmail': { token: 'bot', handle: lookupByEmail },
  'usergroups.list': { token: 'bot', handle: usergroupsList },
  'usergroups.users.list': { token: 'bot', handle: usergroupUsers },
  'conversations.open': { token: 'bot', handle: conversationsOpen },
};
