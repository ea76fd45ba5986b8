'use strict';
// Calls run on libblooio's own threads (its `_async` C calls), not on libuv's pool: with a
// server that holds every request until 64 have arrived, 64 calls at once all complete (on the
// 4 threads of libuv's default pool they never would), and Node's own file I/O, which needs
// that pool, completes while all 64 are still held.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');

const { Client, _liveHandles } = require('../../bindings/node');
const { startEmulator } = require('./emulator');

let emulator;

before(async () => {
  emulator = await startEmulator();
});

after(async () => {
  await emulator.stop();
});

test('64 calls at once overlap, and file I/O runs while the server holds them', async () => {
  assert.ok(!process.env.UV_THREADPOOL_SIZE, 'the default libuv pool (4 threads) is what this proves against');
  await emulator.control('POST', 'reset');
  await emulator.control('POST', 'config', { hold_until: 64 });
  const handlesBefore = _liveHandles();
  const client = new Client({ apiKey: emulator.apiKey, baseUrl: emulator.baseUrl, maxRetries: 0 });
  let settled = 0;
  const calls = Array.from({ length: 64 }, (_, i) =>
    client.getChatBackground(`+1555060${String(i).padStart(4, '0')}`).finally(() => {
      settled += 1;
    }),
  );
  client.close(); // close() with every call in flight: they keep their own handles
  // Wait until all 64 are held at the server, then read a file: it must not wait for them.
  for (let i = 0; i < 500; i++) {
    const { requests } = await emulator.control('GET', 'stats');
    if (requests >= 64) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const text = await fs.promises.readFile(__filename, 'utf8');
  assert.ok(text.includes('file I/O runs while'));
  const answers = await Promise.all(calls);
  assert.equal(settled, 64);
  answers.forEach((bg, i) => assert.equal(bg.chatId, `+1555060${String(i).padStart(4, '0')}`));
  assert.equal(_liveHandles(), handlesBefore, 'every background and client handle was freed');
  await emulator.control('POST', 'config', { hold_until: null });
});

test('the file I/O finishes while the calls are still held', async () => {
  await emulator.control('POST', 'reset');
  // 65: the 64 calls never open the gate, so they stay held until this test lets them go.
  await emulator.control('POST', 'config', { hold_until: 65 });
  const client = new Client({ apiKey: emulator.apiKey, baseUrl: emulator.baseUrl, maxRetries: 0 });
  let settled = 0;
  const calls = Array.from({ length: 64 }, () =>
    client.getChatBackground('+15550700000').finally(() => {
      settled += 1;
    }),
  );
  for (let i = 0; i < 500; i++) {
    const { requests } = await emulator.control('GET', 'stats');
    if (requests >= 64) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  await fs.promises.readFile(__filename);
  await fs.promises.stat(__filename);
  assert.equal(settled, 0, 'the calls are still held at the server');
  // The 65th request opens the gate for all.
  const last = client.getChatBackground('+15550700000');
  await Promise.all([...calls, last]);
  assert.equal(settled, 64);
  client.close();
  await emulator.control('POST', 'config', { hold_until: null });
});
