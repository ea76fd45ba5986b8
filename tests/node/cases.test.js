'use strict';
// The shared case table (tests/cases/cases.json) through the Node binding: every row, no
// per-row code. $BLOOIO_CASES may name another table.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const util = require('node:util');

const { Client, BlooioError, Status, _liveHandles } = require('../../bindings/node');
const { startEmulator } = require('./emulator');

const TABLE = process.env.BLOOIO_CASES || path.join(__dirname, '..', 'cases', 'cases.json');
const STATUS_NAME = Object.fromEntries(Object.entries(Status).map(([name, value]) => [value, name]));
const snake = (name) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A fixture as a Buffer (set_bytes) or the path of a file holding it (set_file). */
function image(fixtures, name, asFile, tmp) {
  const spec = fixtures[name];
  if (spec.missing) return path.join(tmp, `${name}-does-not-exist.png`);
  if (spec.directory) {
    const dir = path.join(tmp, `${name}-directory`);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }
  let data;
  if ('hex' in spec) data = Buffer.from(spec.hex, 'hex');
  else {
    data = Buffer.alloc(spec.size);
    Buffer.from(fixtures[spec.starts_with].hex, 'hex').copy(data);
  }
  if (!asFile) return data;
  const file = path.join(tmp, `${name}.img`);
  fs.writeFileSync(file, data);
  return file;
}

/** Makes the row's call; resolves to its outcome. */
async function runRow(emulator, fixtures, row, tmp) {
  const given = row.client || {};
  const options = {
    apiKey: given.api_key ?? emulator.apiKey,
    baseUrl: given.base_url ?? emulator.baseUrl,
    maxRetries: given.max_retries ?? 0,
  };
  if (given.timeout_ms != null) options.timeoutMs = given.timeout_ms;
  let client;
  try {
    client = new Client(options);
    if (row.closed) client.close();
    let background;
    if (row.call === 'get') background = await client.getChatBackground(row.chat_id);
    else if (row.call === 'set_file')
      background = await client.setChatBackgroundFile(row.chat_id, image(fixtures, row.image, true, tmp));
    else {
      const data = row.null_data ? null : image(fixtures, row.image, false, tmp);
      background = await client.setChatBackgroundBytes(row.chat_id, data);
    }
    return { status: 'OK', background: Object.fromEntries(Object.entries(background).map(([k, v]) => [snake(k), v])) };
  } catch (e) {
    if (!(e instanceof BlooioError)) throw e;
    return {
      status: STATUS_NAME[e.status] ?? `unknown status ${e.status}`,
      httpStatus: e.httpStatus ?? null,
      attempts: e.attempts,
      retryAfterMs: e.retryAfterMs ?? null,
    };
  } finally {
    if (client) client.close();
  }
}

/** What differs from the row's expectations. */
function check(row, outcome, records) {
  const expect = row.expect;
  const wrong = [];
  const same = (what, got, want) => {
    if (!util.isDeepStrictEqual(got, want)) wrong.push(`${what}: got ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  };
  same('status', outcome.status, expect.status);
  same('requests recorded', records.length, expect.requests);
  if (outcome.status === 'OK') same('attempts (requests recorded)', records.length, expect.attempts);
  else {
    same('attempts', outcome.attempts, expect.attempts);
    if ('http_status' in expect) same('http_status', outcome.httpStatus, expect.http_status);
    if ('retry_after_ms' in expect) same('retry_after_ms', outcome.retryAfterMs, expect.retry_after_ms);
  }
  if ('raw_path' in expect) records.forEach((r, i) => same(`request ${i + 1} raw_path`, r.raw_path, expect.raw_path));
  if ('part' in expect) {
    const parts = records.length ? records[records.length - 1].parts : [];
    if (parts.length !== 1) wrong.push(`the last request has ${parts.length} multipart parts, expected 1`);
    else {
      same('part name', parts[0].name, expect.part.name);
      same('part content_type', parts[0].content_type, expect.part.content_type);
    }
  }
  if ('background' in expect && outcome.status === 'OK') {
    for (const [field, want] of Object.entries(expect.background)) same(`background.${field}`, outcome.background[field], want);
  }
  return wrong;
}

test('every row of the shared case table', async () => {
  const table = JSON.parse(fs.readFileSync(TABLE, 'utf8'));
  const rows = table.cases;
  const emulator = await startEmulator();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'blooio-node-cases-'));
  const liveBefore = _liveHandles();
  const failures = [];
  try {
    for (const row of rows) {
      await emulator.control('POST', 'reset');
      if (row.config) await emulator.control('POST', 'config', row.config);
      if (row.script && row.script.length) await emulator.control('POST', 'script', row.script);
      const outcome = await runRow(emulator, table.fixtures, row, tmp);
      const wrong = check(row, outcome, await emulator.control('GET', 'requests'));
      if (wrong.length) failures.push(`  ${row.name}:\n${wrong.map((w) => `    ${w}`).join('\n')}`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    await emulator.stop();
  }
  console.log(`node: ran ${rows.length} cases from ${TABLE}`);
  assert.ok(rows.length > 0, `${TABLE} has no cases`);
  assert.equal(_liveHandles(), liveBefore, 'every handle the library handed over is freed');
  assert.equal(failures.length, 0, `${failures.length} of ${rows.length} cases failed:\n${failures.join('\n')}`);
});
