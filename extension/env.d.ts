declare module 'virtual:countersign/default-pack' {
  import type { ConsoleRule } from '@countersign/shared/consoles';

  const pack: { version: string; consoles: ConsoleRule[] };
  export default pack;
}
