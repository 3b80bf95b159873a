// DESIGN.md limits: entries in one SETTINGS frame (default 32). A frame with more — a SETTINGS
// flood that makes the receiver walk thousands of entries per frame — is GOAWAY ENHANCE_YOUR_CALM.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, FrameType, SettingId, settingsFrame, type SettingPair } from '../helpers/frames.ts';
import { connectClient, connectServer, destroySessions } from '../helpers/peer.ts';
import { GET_BLOCK } from './blocks.ts';

const test = suite('limit: entries in one SETTINGS frame');
test.after.each(destroySessions);

/** `n` entries: unknown identifiers (RFC 9113 §6.5.2: ignored), GREASE-like values. */
const entries = (n: number): SettingPair[] => Array.from({ length: n }, (_, i) => [0x0a0a + (i % 4096) * 0x10, i] as SettingPair);

test('32 entries in one SETTINGS frame are accepted and acknowledged', () => {
  const { peer } = connectServer();
  const pairs: SettingPair[] = [...entries(30), [SettingId.INITIAL_WINDOW_SIZE, 100000], [SettingId.INITIAL_WINDOW_SIZE, 200000]];
  peer.writeRaw(settingsFrame(pairs));
  peer.wantFrame(FrameType.SETTINGS, { ack: true });
  const e = peer.event('settings');
  assert.is(e.settings.initialWindowSize, 200000, 'the last value of a repeated id wins');
  peer.wantNoError();
});

test('33 entries: GOAWAY ENHANCE_YOUR_CALM, and none of them is applied', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET_BLOCK, { endStream: true });
  peer.writeRaw(settingsFrame([[SettingId.INITIAL_WINDOW_SIZE, 1000], ...entries(32)]));
  assert.is(peer.takeFrame(FrameType.SETTINGS, { ack: true }), undefined, 'no ACK');
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 1 });
  assert.is(server.remoteSettings.initialWindowSize, 65535);
});

test('2730 entries (16380 octets, within the default frame size): GOAWAY ENHANCE_YOUR_CALM', () => {
  const { peer } = connectServer();
  peer.writeRaw(settingsFrame(entries(2730)));
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 0 });
});

test('10000 entries under a large advertised SETTINGS_MAX_FRAME_SIZE: ENHANCE_YOUR_CALM, not a frame size error', () => {
  const { peer } = connectServer({ server: { settings: { maxFrameSize: 1 << 20 } } });
  const t = performance.now();
  peer.writeRaw(settingsFrame(entries(10000)));
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 0 });
  assert.ok(performance.now() - t < 2000);
});

test('the limit is per frame: 100 frames of 32 entries each are fine', () => {
  const { peer } = connectServer();
  for (let i = 0; i < 100; i++) peer.writeRaw(settingsFrame(entries(32)));
  assert.is(peer.eventsOf('settings').length, 100);
  peer.wantNoError();
});

test('a custom maxSettingsEntries (4): 4 pass, 5 do not', () => {
  const { peer } = connectServer({ server: { limits: { maxSettingsEntries: 4 } } });
  peer.writeRaw(settingsFrame(entries(4)));
  peer.wantFrame(FrameType.SETTINGS, { ack: true });
  peer.writeRaw(settingsFrame(entries(5)));
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 0 });
});

test('ordinary client prefaces pass (Chrome: 4 entries; a peer repeating every known id: 16)', () => {
  const chrome: SettingPair[] = [
    [SettingId.HEADER_TABLE_SIZE, 65536], [SettingId.ENABLE_PUSH, 0],
    [SettingId.INITIAL_WINDOW_SIZE, 6291456], [SettingId.MAX_HEADER_LIST_SIZE, 262144],
  ];
  const { peer } = connectServer({ peer: { settings: chrome } });
  peer.writeHeaders(1, GET_BLOCK, { endStream: true });
  peer.event('request', (e) => e.streamId === 1);
  const known = [1, 2, 3, 4, 5, 6, 8, 9];
  const values: Record<number, number> = { 1: 4096, 2: 0, 3: 100, 4: 65535, 5: 16384, 6: 65536, 8: 0, 9: 1 };
  peer.writeSettings([...known, ...known].map((id) => [id, values[id]] as SettingPair));
  peer.wantFrame(FrameType.SETTINGS, { ack: true });
  peer.wantNoError();
});

test('client role: a server SETTINGS frame of 33 entries is ENHANCE_YOUR_CALM', () => {
  const { peer } = connectClient();
  peer.writeRaw(settingsFrame(entries(33)));
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 0 });
});

test.run();
