import { authMethods } from './auth';
import { chatMethods } from './chat';
import { conversationMethods } from './conversations';
import type { MethodTable } from './method-context';
import { peopleMethods } from './people';
import { viewMethods } from './views';

/** Every Web API method the emulator speaks; anything else is unknown_method. */
export const METHODS: MethodTable = {
  ...authMethods,
  ...chatMethods,
  ...conversationMethods,
  ...viewMethods,
  ...peopleMethods,
};
