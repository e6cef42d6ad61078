import { Directory } from './directory';
import { FaultQueue } from './faults';
import { MessageStore } from './message-store';
import { METHODS } from './methods';
import { type CallPredicate, Recorder } from './recorder';
import { ResponseUrls, type ResponseUrlTarget } from './response-urls';
import { listen } from './server';
import { type EnvelopeType, type SocketModeAck, SocketModeServer } from './socket-mode/socket-mode-server';
import type {
  Fault,
  JsonObject,
  RecordedCall,
  ResolvedOptions,
  SeedChannel,
  SeedUser,
  SeedUsergroup,
  SlackEmulatorOptions,
  StoredMessage,
  StoredView,
} from './types';

export interface SocketModeControl {
  /** Open Socket Mode connections. */
  readonly connectionCount: number;
  /** Every ack received, oldest first. */
  readonly acks: readonly SocketModeAck[];
  waitForConnection(timeoutMs?: number): Promise<void>;
  /** Delivers an envelope to the newest connection; resolves with the app's ack (rejects after timeoutMs). */
  dispatch(type: EnvelopeType, payload: JsonObject, timeoutMs?: number): Promise<SocketModeAck>;
  disconnectAll(reason?: 'warning' | 'refresh_requested' | 'link_disabled'): void;
}

export interface SlackEmulator {
  /** http://127.0.0.1:PORT/api/ — pass as Bolt's clientOptions.slackApiUrl (it must end in /api/). */
  readonly apiUrl: string;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  readonly options: Readonly<ResolvedOptions>;
  readonly calls: readonly RecordedCall[];
  callsTo(method: string): RecordedCall[];
  waitFor(method: string, predicate?: CallPredicate, timeoutMs?: number): Promise<RecordedCall>;
  /** Posted messages with chat.update / response_url edits applied, in posting order. */
  readonly messages: readonly StoredMessage[];
  message(channel: string, ts: string): StoredMessage | undefined;
  /** Open modals and published home tabs, as last updated. */
  readonly views: readonly StoredView[];
  view(id: string): StoredView | undefined;
  addUser(user: SeedUser): void;
  addUsergroup(group: SeedUsergroup): void;
  addChannel(channel: SeedChannel): void;
  /** The next `count` calls to `method` ('response_url' for response URLs) fail this way. */
  failNext(method: string, fault: Fault, count?: number): void;
  /** A response_url on the emulator; with a target, replace_original/delete_original act on that message. */
  responseUrl(id: string, target?: ResponseUrlTarget): string;
  readonly socketMode: SocketModeControl;
  /**
   * Forgets calls, messages, views, seeded users/groups/channels, response URLs, queued faults and Socket Mode
   * acks; keeps the server, its options and open Socket Mode connections.
   */
  reset(): void;
  stop(): Promise<void>;
}

const DEFAULTS: ResolvedOptions = {
  port: 0,
  botToken: 'xoxb-test',
  appToken: 'xapp-test',
  teamId: 'T00000001',
  teamName: 'Countersign Test',
  teamDomain: 'countersign-test',
  botUserId: 'U0000BOT1',
  botUserName: 'countersign',
  botId: 'B00000001',
  appId: 'A00000001',
  strictChannels: false,
  socketPingIntervalMs: 10_000,
  // bot/manifest.yaml's bot scopes.
  botScopes: [
    'chat:write',
    'chat:write.public',
    'commands',
    'im:write',
    'users:read',
    'users:read.email',
    'usergroups:read',
    'channels:history',
    'groups:history',
    'channels:read',
    'groups:read',
  ],
};

export async function startSlackEmulator(opts: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const options: ResolvedOptions = { ...DEFAULTS, ...opts };
  const recorder = new Recorder();
  const faults = new FaultQueue();
  const directory = new Directory(options);
  const store = new MessageStore();
  const responseUrls = new ResponseUrls(store);
  let origin = '';
  const socketMode = new SocketModeServer({
    appId: options.appId,
    pingIntervalMs: options.socketPingIntervalMs,
    origin: () => origin,
  });
  const context = (args: JsonObject) => ({
    args,
    options,
    directory,
    store,
    issueSocketUrl: () => socketMode.issueUrl(),
  });
  const listening = await listen({
    options,
    methods: METHODS,
    recorder,
    faults,
    responseUrls,
    socketMode,
    context,
  });
  origin = listening.origin;
  const { server } = listening;

  return {
    apiUrl: `${origin}/api/`,
    origin,
    options,
    get calls() {
      return recorder.calls;
    },
    callsTo: (method) => recorder.callsTo(method),
    waitFor: (method, predicate, timeoutMs) => recorder.waitFor(method, predicate, timeoutMs),
    get messages() {
      return store.messages;
    },
    message: (channel, ts) => store.get(channel, ts),
    get views() {
      return store.views;
    },
    view: (id) => store.view(id),
    addUser: (user) => directory.addUser(user),
    addUsergroup: (group) => directory.addUsergroup(group),
    addChannel: (channel) => directory.addChannel(channel),
    failNext: (method, fault, count = 1) => faults.add(method, fault, count),
    responseUrl: (id, target) => {
      responseUrls.register(id, target);
      return `${origin}/response-url/${encodeURIComponent(id)}`;
    },
    socketMode: {
      get connectionCount() {
        return socketMode.connectionCount;
      },
      get acks() {
        return socketMode.acks;
      },
      waitForConnection: (timeoutMs) => socketMode.waitForConnection(timeoutMs),
      dispatch: (type, payload, timeoutMs) => socketMode.dispatch(type, payload, timeoutMs),
      disconnectAll: (reason) => socketMode.disconnectAll(reason),
    },
    reset: () => {
      recorder.reset();
      faults.reset();
      directory.reset();
      store.reset();
      responseUrls.reset();
      socketMode.reset();
    },
    stop: async () => {
      socketMode.close();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
