import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SlackEmulator, startSlackEmulator } from './index';
import { connectWebSocket, type TestWebSocket } from './socket-mode/ws-client';
import { callApi } from './web-api-client';

let slack: SlackEmulator;
const sockets: TestWebSocket[] = [];
beforeEach(async () => {
  slack = await startSlackEmulator({ socketPingIntervalMs: 50 });
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await slack.stop();
});

async function socketUrl(): Promise<string> {
  const { body } = await callApi(slack, 'apps.connections.open', {}, { token: slack.options.appToken });
  if (typeof body.url !== 'string') throw new Error(`no url in ${JSON.stringify(body)}`);
  return body.url;
}

async function connect(): Promise<TestWebSocket> {
  const socket = await connectWebSocket(await socketUrl());
  sockets.push(socket);
  return socket;
}

describe('Socket Mode', () => {
  it('says hello with the app id when a client connects', async () => {
    const socket = await connect();
    await expect(socket.next()).resolves.toMatchObject({
      type: 'hello',
      num_connections: 1,
      connection_info: { app_id: 'A00000001' },
    });
    expect(slack.socketMode.connectionCount).toBe(1);
  });

  it('delivers an envelope and resolves with the ack the app sends back', async () => {
    const socket = await connect();
    await socket.next(); // hello
    const payload = { type: 'block_actions', actions: [{ action_id: 'approve', value: 'act_1' }] };
    const delivered = slack.socketMode.dispatch('interactive', payload);
    const envelope = await socket.next();
    expect(envelope).toMatchObject({ type: 'interactive', payload, accepts_response_payload: true });
    socket.send({ envelope_id: String(envelope.envelope_id), payload: { response_action: 'clear' } });
    await expect(delivered).resolves.toEqual({
      envelope_id: envelope.envelope_id,
      payload: { response_action: 'clear' },
    });
    expect(slack.socketMode.acks).toHaveLength(1);
  });

  it('rejects a dispatch the app never acknowledges', async () => {
    const socket = await connect();
    await socket.next();
    await expect(
      slack.socketMode.dispatch('events_api', { event: { type: 'app_mention' } }, 50),
    ).rejects.toThrow(/not acknowledged within 50 ms/);
  });

  it('accepts each URL once', async () => {
    const url = await socketUrl();
    sockets.push(await connectWebSocket(url));
    await expect(connectWebSocket(url)).rejects.toThrow(/HTTP 401/);
  });

  it('answers client pings with pongs', async () => {
    const socket = await connect();
    socket.ping();
    await expect(socket.nextPong()).resolves.toBeUndefined();
  });

  it('pings the client every socketPingIntervalMs, as @slack/socket-mode expects', async () => {
    const socket = await connect();
    await expect(socket.nextPing(500)).resolves.toBeUndefined();
    await expect(socket.nextPing(500)).resolves.toBeUndefined();
  });

  it('acks without a payload resolve with just the envelope id', async () => {
    const socket = await connect();
    await socket.next();
    const delivered = slack.socketMode.dispatch('slash_commands', { command: '/countersign' });
    const envelope = await socket.next();
    socket.send({ envelope_id: String(envelope.envelope_id) });
    await expect(delivered).resolves.toEqual({ envelope_id: envelope.envelope_id });
  });

  it('tells clients to refresh before closing them', async () => {
    const socket = await connect();
    await socket.next();
    slack.socketMode.disconnectAll();
    await expect(socket.next()).resolves.toMatchObject({ type: 'disconnect', reason: 'refresh_requested' });
    await expect(socket.closed).resolves.toBe(1000);
    expect(slack.socketMode.connectionCount).toBe(0);
  });

  it('waits for a connection', async () => {
    const waiting = slack.socketMode.waitForConnection(1000);
    await connect();
    await expect(waiting).resolves.toBeUndefined();
  });

  it('refuses to dispatch with nobody connected', async () => {
    await expect(slack.socketMode.dispatch('events_api', {})).rejects.toThrow(/no Socket Mode connection/);
  });
});
