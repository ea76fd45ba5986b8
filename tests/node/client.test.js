'use strict';
// The Node binding against the emulator: the shared scenario (set from a file, get, set from
// bytes, a bad key), then what is particular to Node: NULL/undefined arguments, calls that run
// off the event loop, close() with calls in flight, and handles freed.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const util = require('node:util');

const { Client, BlooioError, Status, libraryVersion, _liveHandles } = require('../../bindings/node');
const { useEmulator, rejectsWith, SAMPLE, CHAT } = require('./fixture');

let emulator;
let client;
useEmulator({}, (started) => ({ emulator, client } = started));

/** The API requests the emulator received since the last reset. */
const sent = () => emulator.control('GET', 'requests');

test('the scenario: set from a file, get it back, set from bytes; every handle freed', async () => {
  const set = await client.setChatBackgroundFile(CHAT, SAMPLE);
  assert.equal(set.chatId, CHAT);
  assert.equal(set.hasBackground, true);
  assert.equal(typeof set.backgroundId, 'string');
  assert.match(set.backgroundUrl, /^http:\/\/127\.0\.0\.1:\d+\//);
  assert.equal(set.backgroundVersion, 1);
  assert.equal(set.changed, true);

  const got = await client.getChatBackground(CHAT);
  assert.equal(got.hasBackground, true);
  assert.equal(got.backgroundId, set.backgroundId);
  assert.equal(got.backgroundVersion, set.backgroundVersion);
  assert.equal(got.backgroundUrl, set.backgroundUrl);
  assert.ok(!('changed' in got), 'a get has no `changed`');

  const bytes = fs.readFileSync(SAMPLE);
  const again = await client.setChatBackgroundBytes(CHAT, new Uint8Array(bytes));
  assert.equal(again.hasBackground, true);
  assert.equal(typeof again.changed, 'boolean');
  assert.ok(again.backgroundVersion >= set.backgroundVersion);

  const requests = await sent();
  assert.deepEqual(
    requests.map((r) => [r.method, r.raw_path]),
    [
      ['PUT', '/v2/api/chats/%2B15551234567/background'],
      ['GET', '/v2/api/chats/%2B15551234567/background'],
      ['PUT', '/v2/api/chats/%2B15551234567/background'],
    ],
  );
  const upload = requests[0].parts[0];
  assert.equal(upload.name, 'background');
  assert.equal(upload.content_type, 'image/png');
  assert.equal(upload.len, bytes.length);
  const ua = requests[0].headers.find(([name]) => name === 'user-agent')[1];
  assert.match(ua, /blooio-node\//);

  // Each call's options, background and error handles went back to libblooio.
  assert.equal(_liveHandles(), 1, 'only the shared client is left');
});

test('a bad key is AUTHENTICATION with the server message; the key is never shown', async () => {
  const secret = 'bl_wrong_key_9f8e7d6c5b4a';
  const bad = new Client({ apiKey: secret, baseUrl: emulator.baseUrl, maxRetries: 0 });
  try {
    const error = await rejectsWith(bad.getChatBackground(CHAT), Status.AUTHENTICATION);
    assert.equal(error.kind, 'authentication');
    assert.equal(error.httpStatus, 401);
    assert.equal(error.serverMessage, 'invalid API key');
    assert.equal(error.code, 'UNAUTHORIZED');
    assert.match(error.requestId, /^req_/);
    assert.equal(error.attempts, 1);
    assert.ok(error.message.includes('invalid API key'), error.message);
    for (const shown of [error.message, error.stack, util.inspect(error), util.inspect(bad), JSON.stringify(bad)]) {
      assert.ok(!shown.includes(secret), `the key leaked into: ${shown}`);
    }
    const setError = await rejectsWith(bad.setChatBackgroundFile(CHAT, SAMPLE), Status.AUTHENTICATION);
    assert.equal(setError.httpStatus, 401);
  } finally {
    bad.close();
  }
  assert.equal(_liveHandles(), 1);
});

test('invalid chat ids are refused with nothing sent', async () => {
  for (const id of ['', '.', '..', '+', '+1555x', 'a\u0001b']) {
    const error = await rejectsWith(client.getChatBackground(id), Status.INVALID_CHAT_ID);
    assert.equal(error.attempts, 0);
    assert.equal(error.httpStatus, undefined);
    await rejectsWith(client.setChatBackgroundFile(id, SAMPLE), Status.INVALID_CHAT_ID);
  }
  assert.deepEqual(await sent(), []);
});

test('null and undefined arguments become NULL, which the library refuses by name', async () => {
  for (const missing of [null, undefined]) {
    let e = await rejectsWith(client.getChatBackground(missing), Status.INVALID_ARGUMENT);
    assert.match(e.message, /chat_id/);
    e = await rejectsWith(client.setChatBackgroundFile(CHAT, missing), Status.INVALID_ARGUMENT);
    assert.match(e.message, /path/);
    // No data is an empty image, as in every binding: the library answers NULL with 0 bytes.
    await rejectsWith(client.setChatBackgroundBytes(CHAT, missing), Status.INVALID_IMAGE);
  }
  // What cannot be a C string is refused before the call: a NUL would cut the id short.
  await rejectsWith(client.getChatBackground('+15551234567\0evil'), Status.INVALID_ARGUMENT);
  await assert.rejects(client.getChatBackground(15551234567), TypeError);
  await assert.rejects(client.setChatBackgroundBytes(CHAT, 'not bytes'), TypeError);
  assert.throws(() => new Client({ apiKey: 42 }), TypeError);
  assert.deepEqual(await sent(), []);
  assert.equal(_liveHandles(), 1);
});

test('bad images and unreadable files are refused before sending', async () => {
  await rejectsWith(client.setChatBackgroundBytes(CHAT, Buffer.from('not an image')), Status.INVALID_IMAGE);
  await rejectsWith(client.setChatBackgroundBytes(CHAT, new Uint8Array(0)), Status.INVALID_IMAGE);
  const io = await rejectsWith(client.setChatBackgroundFile(CHAT, '/nonexistent/beach.jpg'), Status.IO);
  assert.match(io.message, /nonexistent/);
  assert.deepEqual(await sent(), []);
});

test('an unusable configuration throws INVALID_CONFIG from the constructor', () => {
  assert.throws(
    () => new Client({ apiKey: 'k', baseUrl: 'http://example.com/v2/api' }),
    (e) => e instanceof BlooioError && e.status === Status.INVALID_CONFIG,
  );
  assert.throws(
    () => new Client({ apiKey: 'k', baseUrl: emulator.baseUrl, timeoutMs: -1 }),
    RangeError,
  );
  assert.equal(_liveHandles(), 1, 'the options of a failed constructor are freed');
});

test('server failures carry the status, the server detail and the attempts made', async () => {
  const flaky = new Client({ apiKey: emulator.apiKey, baseUrl: emulator.baseUrl, maxRetries: 1 });
  try {
    await emulator.control('POST', 'script', { status: 502, repeat: 2 });
    const error = await rejectsWith(flaky.getChatBackground(CHAT), Status.DEVICE_UNAVAILABLE);
    assert.equal(error.httpStatus, 502);
    assert.equal(error.attempts, 2);
    await emulator.control('POST', 'script', { status: 503 });
    await rejectsWith(flaky.getChatBackground(CHAT), Status.NO_ACTIVE_NUMBER);
  } finally {
    flaky.close();
  }
});

test('a call in flight does not block the event loop', async () => {
  await emulator.control('POST', 'config', { latency_ms: 300 });
  let ticks = 0;
  const timer = setInterval(() => {
    ticks += 1;
  }, 10);
  try {
    const started = Date.now();
    const got = await client.getChatBackground(CHAT);
    const elapsed = Date.now() - started;
    assert.equal(got.hasBackground, false);
    assert.ok(elapsed >= 290, `the emulator's latency applied (${elapsed} ms)`);
    // A blocked event loop would have run the timer at most once, after the call.
    assert.ok(ticks >= 10, `the timer fired ${ticks} times during a ${elapsed} ms call`);
  } finally {
    clearInterval(timer);
  }
});

test('one client serves many concurrent calls', async () => {
  const chats = Array.from({ length: 8 }, (_, i) => `+1555000000${i}`);
  const sets = await Promise.all(chats.map((chat) => client.setChatBackgroundFile(chat, SAMPLE)));
  const gets = await Promise.all(chats.map((chat) => client.getChatBackground(chat)));
  chats.forEach((chat, i) => {
    assert.equal(sets[i].chatId, chat);
    assert.equal(gets[i].backgroundId, sets[i].backgroundId);
  });
  assert.equal((await sent()).length, 16);
  assert.equal(_liveHandles(), 1);
});

test('close() lets running calls finish, then refuses new ones', async () => {
  const before = _liveHandles();
  const own = new Client({ apiKey: emulator.apiKey, baseUrl: emulator.baseUrl });
  await emulator.control('POST', 'config', { latency_ms: 100 });
  const running = own.getChatBackground(CHAT);
  own.close();
  own.close();
  assert.equal(own.closed, true);
  assert.equal((await running).hasBackground, false);
  const error = await rejectsWith(own.getChatBackground(CHAT), Status.INVALID_ARGUMENT);
  assert.match(error.message, /closed/);
  assert.equal(_liveHandles(), before, 'the closed client was freed');
});

test('the loaded library reports its version', () => {
  assert.match(libraryVersion(), /^\d+\.\d+\.\d+/);
});

test('Status matches the library, and index.d.ts declares every export and status', () => {
  const koffi = require('../../bindings/node/node_modules/koffi');
  const lib = koffi.load(process.env.BLOOIO_LIB);
  const statusName = lib.func('const char *blooio_status_name(int status)');
  for (const [name, value] of Object.entries(Status)) {
    assert.equal(statusName(value), name.toLowerCase(), `Status.${name}`);
  }
  assert.equal(statusName(Object.keys(Status).length), 'unknown', 'the library has a status Status lacks');

  const dts = fs.readFileSync(path.join(__dirname, '..', '..', 'bindings', 'node', 'index.d.ts'), 'utf8');
  for (const name of Object.keys(require('../../bindings/node'))) {
    assert.match(dts, new RegExp(`export declare (class|function|const) ${name}\\b`), `index.d.ts lacks ${name}`);
  }
  for (const [name, value] of Object.entries(Status)) {
    assert.match(dts, new RegExp(`\\b${name}: ${value};`), `index.d.ts: Status.${name}`);
  }
});

test('a client dropped without close() is freed by the garbage collector', { skip: !global.gc && 'needs --expose-gc' }, async () => {
  const before = _liveHandles();
  (() => {
    new Client({ apiKey: emulator.apiKey, baseUrl: emulator.baseUrl });
  })();
  assert.equal(_liveHandles(), before + 1);
  for (let i = 0; i < 50 && _liveHandles() !== before; i += 1) {
    global.gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(_liveHandles(), before);
});
