'use strict';
// Issues 12 and 13 in Node, against the emulator: per-call options (timeoutMs, headers, signal,
// onProgress), default headers and BLOOIO_CUSTOM_HEADERS, requestId and attempts on results,
// the logger and BLOOIO_LOG, and AbortSignal cancellation (latency measured, the connection not
// reused, nothing leaked).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { Client, BlooioError, AbortError, Status, _liveHandles } = require('../../bindings/node');
const { useEmulator, rejectsWith, SAMPLE, CHAT } = require('./fixture');

const PATH = '/v2/api/chats/%2B15551234567/background';

let emulator;
let client;
useEmulator({ maxRetries: 0 }, (started) => ({ emulator, client } = started));

const sent = () => emulator.control('GET', 'requests');
/** The recorded requests the client cut short (`client_aborted`), polled: it is set a moment after. */
async function cutShort(expected = 1) {
  let aborted = [];
  for (let i = 0; i < 200 && aborted.length < expected; i += 1) {
    aborted = (await sent()).filter((r) => r.client_aborted);
    if (aborted.length < expected) await new Promise((r) => setTimeout(r, 10));
  }
  return aborted;
}
/** Every value of header `name` (lowercase) in a recorded request. */
const headerValues = (request, name) => request.headers.filter(([n]) => n === name).map(([, v]) => v);

test('results carry the request id and the attempts the call took', async () => {
  const got = await client.getChatBackground(CHAT);
  const [request] = await sent();
  assert.match(got.requestId, /^req_/);
  assert.equal(got.requestId, request.request_id, 'the x-request-id of the answer');
  assert.equal(got.attempts, 1);

  const set = await client.setChatBackgroundFile(CHAT, SAMPLE);
  assert.equal(set.attempts, 1);
  assert.notEqual(set.requestId, got.requestId);

  const retrying = new Client({ apiKey: emulator.apiKey, baseUrl: emulator.baseUrl, maxRetries: 2 });
  try {
    await emulator.control('POST', 'reset');
    await emulator.control('POST', 'script', { status: 502, repeat: 2 });
    const third = await retrying.getChatBackground(CHAT);
    assert.equal(third.attempts, 3);
    const records = await sent();
    assert.equal(records.length, 3);
    assert.equal(third.requestId, records[2].request_id, 'the request id of the attempt that succeeded');
  } finally {
    retrying.close();
  }
});

test('per-call and default headers reach the wire; per-call ones win by name, a later one of a name replaces it', async () => {
  const withDefaults = new Client({
    apiKey: emulator.apiKey,
    baseUrl: emulator.baseUrl,
    defaultHeaders: { 'X-App': 'default', 'X-Tenant': 'acme' },
  });
  try {
    await withDefaults.getChatBackground(CHAT);
    await withDefaults.getChatBackground(CHAT, {
      headers: [
        ['X-App', 'per-call'],
        ['X-Multi', 'one'],
        ['X-Multi', 'two'],
      ],
    });
    await withDefaults.setChatBackgroundBytes(CHAT, fs.readFileSync(SAMPLE), { headers: new Headers({ 'X-Trace': 't-1' }) });
  } finally {
    withDefaults.close();
  }
  const [first, second, third] = await sent();
  assert.deepEqual(headerValues(first, 'x-app'), ['default']);
  assert.deepEqual(headerValues(first, 'x-tenant'), ['acme']);
  assert.deepEqual(headerValues(second, 'x-app'), ['per-call'], 'the call overrides the default by name');
  assert.deepEqual(headerValues(second, 'x-tenant'), ['acme']);
  assert.deepEqual(headerValues(second, 'x-multi'), ['two'], 'the later of two headers of one name replaces the first');
  assert.deepEqual(headerValues(third, 'x-trace'), ['t-1']);
  assert.deepEqual(headerValues(third, 'x-app'), ['default'], 'a call\'s headers are its own');
});

test('BLOOIO_CUSTOM_HEADERS is read when the client is built; explicit default headers win', async () => {
  process.env.BLOOIO_CUSTOM_HEADERS = 'X-From-Env: env\n\nX-Both: env\n';
  let own;
  try {
    own = new Client({ apiKey: emulator.apiKey, baseUrl: emulator.baseUrl, defaultHeaders: { 'x-both': 'explicit' } });
  } finally {
    delete process.env.BLOOIO_CUSTOM_HEADERS;
  }
  try {
    await own.getChatBackground(CHAT);
  } finally {
    own.close();
  }
  const [request] = await sent();
  assert.deepEqual(headerValues(request, 'x-from-env'), ['env']);
  assert.deepEqual(headerValues(request, 'x-both'), ['explicit']);

  process.env.BLOOIO_CUSTOM_HEADERS = 'Authorization: Bearer stolen';
  try {
    const e = assert.throws(
      () => new Client({ apiKey: emulator.apiKey, baseUrl: emulator.baseUrl }),
      (e) => e instanceof BlooioError && e.status === Status.INVALID_CONFIG && /BLOOIO_CUSTOM_HEADERS/.test(e.message),
    );
    assert.equal(e, undefined);
  } finally {
    delete process.env.BLOOIO_CUSTOM_HEADERS;
  }
});

test('bad headers are refused with INVALID_CONFIG, naming the header, and nothing is sent', async () => {
  const before = _liveHandles();
  for (const [name, value] of [
    ['Authorization', 'Bearer x'],
    ['content-type', 'text/plain'],
    ['Content-Length', '1'],
    ['Host', 'evil.example'],
    ['Transfer-Encoding', 'chunked'],
    ['Bad Name', 'v'],
    ['X-Split', 'a\r\nX-Injected: 1'],
    ['X-Lf', 'a\nb'],
    ['X-Nul', 'a\0b'],
    ['', 'empty name'],
  ]) {
    const label = JSON.stringify([name, value]);
    assert.throws(
      () => new Client({ apiKey: emulator.apiKey, baseUrl: emulator.baseUrl, defaultHeaders: [[name, value]] }),
      (e) => e instanceof BlooioError && e.status === Status.INVALID_CONFIG,
      `defaultHeaders ${label}`,
    );
    const error = await rejectsWith(client.getChatBackground(CHAT, { headers: [[name, value]] }), Status.INVALID_CONFIG);
    assert.equal(error.attempts, 0, label);
    if (name) assert.ok(error.message.toLowerCase().includes(name.toLowerCase()), `${label}: ${error.message}`);
  }
  await assert.rejects(client.getChatBackground(CHAT, { headers: { 'X-Number': 1 } }), TypeError);
  await assert.rejects(client.getChatBackground(CHAT, { timeout: 5 }), /timeoutMs/);
  await assert.rejects(client.getChatBackground(CHAT, { signal: {} }), TypeError);
  assert.deepEqual(await sent(), []);
  assert.equal(_liveHandles(), before, 'the call options of refused calls were freed');
});

test('a per-call timeout overrides the client\'s against a slow answer', async () => {
  await emulator.control('POST', 'script', { delay_ms: 3000 });
  const started = Date.now();
  const error = await rejectsWith(client.getChatBackground(CHAT, { timeoutMs: 300 }), Status.TIMEOUT);
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 250 && elapsed < 2000, `timed out after ${elapsed} ms`);
  assert.equal(error.attempts, 1);
  // The next call has the client's own timeout again (60 s): a 500 ms delay is fine.
  await emulator.control('POST', 'script', { delay_ms: 500 });
  const got = await client.getChatBackground(CHAT);
  assert.equal(got.hasBackground, false);
  // Out of range: refused, nothing sent.
  await emulator.control('POST', 'reset');
  await rejectsWith(client.getChatBackground(CHAT, { timeoutMs: 0 }), Status.INVALID_CONFIG);
  await assert.rejects(client.getChatBackground(CHAT, { timeoutMs: -1 }), RangeError);
  assert.deepEqual(await sent(), []);
});

test('onProgress sees the whole body: the last total equals the bytes received', async () => {
  const image = Buffer.concat([fs.readFileSync(SAMPLE), Buffer.alloc(3 * 1024 * 1024)]);
  const seen = [];
  const set = await client.setChatBackgroundBytes(CHAT, image, {
    onProgress: (sentBytes, total) => {
      seen.push([sentBytes, total]);
    },
  });
  assert.equal(set.changed, true);
  const [request] = await sent();
  assert.ok(seen.length >= 2, `${seen.length} progress calls`);
  const totals = new Set(seen.map(([, total]) => total));
  assert.deepEqual([...totals], [request.body_len], 'every total is the body length');
  assert.equal(seen.at(-1)[0], request.body_len, 'the last call says all was sent');
  for (let i = 1; i < seen.length; i += 1) assert.ok(seen[i][0] >= seen[i - 1][0], 'sent never goes back');

  // From a file too.
  await emulator.control('POST', 'reset');
  const fromFile = [];
  await client.setChatBackgroundFile(CHAT, SAMPLE, { onProgress: (s, t) => fromFile.push([s, t]) });
  const [fileRequest] = await sent();
  assert.deepEqual(fromFile.at(-1), [fileRequest.body_len, fileRequest.body_len]);
});

test('onProgress returning false or throwing stops the upload; nothing leaks, the connection goes', async () => {
  const before = _liveHandles();
  const image = Buffer.concat([fs.readFileSync(SAMPLE), Buffer.alloc(4 * 1024 * 1024)]);
  const warm = await client.getChatBackground(CHAT); // a pooled connection to be reused, or not
  const [warmRequest] = await sent();
  assert.ok(warm);

  let calls = 0;
  const stopped = await rejectsWith(
    client.setChatBackgroundBytes(CHAT, image, {
      onProgress: () => {
        calls += 1;
        return false;
      },
    }),
    Status.CANCELLED,
  );
  assert.equal(calls, 1, 'no progress after the stop');
  assert.equal(stopped.kind, 'cancelled');
  const [cut] = await cutShort();
  assert.ok(cut && cut.method === 'PUT', 'the emulator saw the upload cut short');
  assert.ok(cut.body_len < image.length, `${cut.body_len} of ${image.length}+ bytes arrived`);

  const thrown = new Error('the user closed the window');
  await assert.rejects(
    client.setChatBackgroundFile(CHAT, SAMPLE, {
      onProgress: () => {
        throw thrown;
      },
    }),
    (e) => e === thrown,
  );
  assert.equal(_liveHandles(), before, 'the call options, backgrounds and errors were freed');

  await client.getChatBackground(CHAT);
  const records = await sent();
  const uploads = records.filter((r) => r.method === 'PUT' && r.status >= 200 && r.status < 300);
  assert.deepEqual(uploads, [], 'no upload completed');
  const after = records.at(-1);
  assert.notEqual(after.connection_id, warmRequest.connection_id, 'the stopped upload\'s connection was not pooled');
});

test('the logger gets one line per attempt, with the path as sent and the request id, never the key', async () => {
  const lines = [];
  const logged = new Client({
    apiKey: emulator.apiKey,
    baseUrl: emulator.baseUrl,
    maxRetries: 1,
    logLevel: 'debug',
    logger: (line, level) => lines.push([level, line]),
  });
  try {
    await emulator.control('POST', 'script', { status: 502 });
    const got = await logged.getChatBackground(CHAT, { headers: { 'X-Secretish': 'header-value-not-logged' } });
    const records = await sent();
    const info = lines.filter(([level]) => level === 'info').map(([, line]) => line);
    assert.equal(info.length, 2, lines.join('\n'));
    assert.match(info[0], new RegExp(`^GET ${PATH.replace(/[/%]/g, '\\$&')} -> 502 in \\d+ ms \\(attempt 1 of 2, request id ${records[0].request_id}\\)$`));
    assert.match(info[1], new RegExp(`-> 200 in \\d+ ms \\(attempt 2 of 2, request id ${got.requestId}\\)$`));
    const debug = lines.filter(([level]) => level === 'debug').map(([, line]) => line);
    assert.ok(debug.some((line) => /^retrying in \d+ ms after 502 \(attempt 1 of 2\)$/.test(line)), debug.join('\n'));
    for (const [, line] of lines) {
      assert.ok(!line.includes(emulator.apiKey), `the key leaked: ${line}`);
      assert.ok(!line.includes('header-value-not-logged'), `a header value leaked: ${line}`);
    }
  } finally {
    logged.close();
  }
  // At "info", no debug lines.
  const infoOnly = [];
  const quiet = new Client({ apiKey: emulator.apiKey, baseUrl: emulator.baseUrl, logger: (line, level) => infoOnly.push(level) });
  try {
    await quiet.getChatBackground(CHAT);
  } finally {
    quiet.close();
  }
  assert.deepEqual(infoOnly, ['info']);
  assert.throws(() => new Client({ apiKey: 'k', baseUrl: emulator.baseUrl, logLevel: 'trace' }), TypeError);
});

test('BLOOIO_LOG=info prints the lines to stderr with no logger, without the key', () => {
  const script = `
    const { Client } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'bindings', 'node'))});
    const c = new Client({ apiKey: ${JSON.stringify(emulator.apiKey)}, baseUrl: ${JSON.stringify(emulator.baseUrl)} });
    c.getChatBackground(${JSON.stringify(CHAT)}).then((bg) => { console.log(bg.requestId); c.close(); });
  `;
  const run = spawnSync(process.execPath, ['-e', script], {
    env: { ...process.env, BLOOIO_LOG: 'info' },
    encoding: 'utf8',
    timeout: 20000,
  });
  assert.equal(run.status, 0, run.stderr);
  const requestId = run.stdout.trim();
  assert.match(requestId, /^req_/);
  assert.match(run.stderr, new RegExp(`blooio: GET ${PATH.replace(/[/%]/g, '\\$&')} -> 200 in \\d+ ms \\(attempt 1 of \\d+, request id ${requestId}\\)`));
  assert.ok(!run.stderr.includes(emulator.apiKey));
});

test('abort() stops a call waiting for a slow answer within the bound; the connection is not reused', async () => {
  const before = _liveHandles();
  await client.getChatBackground(CHAT); // leaves a pooled connection the next call takes
  const [warmRequest] = await sent();
  const latencies = [];
  for (let round = 0; round < 5; round += 1) {
    await emulator.control('POST', 'script', { delay_ms: 5000 });
    const controller = new AbortController();
    const call = client.getChatBackground(CHAT, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 150));
    const reason = new Error(`stop ${round}`);
    const aborted = performance.now();
    controller.abort(reason);
    let error;
    await assert.rejects(call, (e) => {
      error = e;
      return true;
    });
    latencies.push(performance.now() - aborted);
    assert.ok(error instanceof AbortError, `${error}`);
    assert.equal(error.name, 'AbortError');
    assert.equal(error.status, Status.CANCELLED);
    assert.equal(error.cause, reason);
    const [record] = await cutShort();
    assert.ok(record, 'the emulator saw the request cut short');
    assert.equal(record.status, 0, 'and never answered it');
    await emulator.control('POST', 'reset');
  }
  latencies.sort((a, b) => a - b);
  const worst = latencies.at(-1);
  console.log(`# abort -> rejection: median ${latencies[2].toFixed(1)} ms, worst ${worst.toFixed(1)} ms`);
  assert.ok(worst < 500, `abort took ${worst.toFixed(1)} ms`);

  await client.getChatBackground(CHAT);
  const [afterRequest] = await sent();
  assert.notEqual(afterRequest.connection_id, warmRequest.connection_id, 'the aborted call\'s connection was dropped');
  assert.equal(_liveHandles(), before, 'every token, option and error was freed');
});

test('abort() stops an upload in progress and a wait before a retry', async () => {
  const image = Buffer.concat([fs.readFileSync(SAMPLE), Buffer.alloc(4 * 1024 * 1024)]);
  const controller = new AbortController();
  let calls = 0;
  const upload = client.setChatBackgroundBytes(CHAT, image, {
    signal: controller.signal,
    onProgress: () => {
      calls += 1;
      if (calls === 1) controller.abort();
    },
  });
  await assert.rejects(upload, (e) => e.name === 'AbortError' && e.status === Status.CANCELLED);

  const retrying = new Client({ apiKey: emulator.apiKey, baseUrl: emulator.baseUrl, maxRetries: 2 });
  try {
    await emulator.control('POST', 'script', { status: 503, headers: { 'Retry-After': '30' } });
    const waiting = new AbortController();
    const call = retrying.getChatBackground(CHAT, { signal: waiting.signal });
    for (let i = 0; i < 100 && (await sent()).length === 0; i += 1) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    waiting.abort();
    await assert.rejects(call, (e) => e.name === 'AbortError');
    const elapsed = performance.now() - started;
    console.log(`# abort during a 30 s Retry-After wait -> rejection: ${elapsed.toFixed(1)} ms`);
    assert.ok(elapsed < 500, `${elapsed} ms`);
  } finally {
    retrying.close();
  }
});

test('an already aborted signal sends nothing', async () => {
  const controller = new AbortController();
  controller.abort();
  const error = await rejectsWith(client.getChatBackground(CHAT, { signal: controller.signal }), Status.CANCELLED);
  assert.equal(error.name, 'AbortError');
  assert.equal(error.attempts, 0);
  await assert.rejects(
    client.setChatBackgroundFile(CHAT, SAMPLE, { signal: AbortSignal.abort() }),
    (e) => e.name === 'AbortError',
  );
  assert.deepEqual(await sent(), []);
});

test('AbortSignal.timeout() works as a deadline', async () => {
  await emulator.control('POST', 'script', { delay_ms: 5000 });
  const started = Date.now();
  await assert.rejects(client.getChatBackground(CHAT, { signal: AbortSignal.timeout(200) }), (e) => {
    assert.equal(e.name, 'AbortError');
    assert.equal(e.cause?.name, 'TimeoutError');
    return true;
  });
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 1500, `${elapsed} ms`);
});
