'use strict';
// What the test files that share one emulator and one client of it have in common: the hooks
// that start and stop both, the reset before each test, and the assertion on a rejected call.

const { before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

const { Client, BlooioError } = require('../../bindings/node');
const { startEmulator } = require('./emulator');

const SAMPLE = path.join(__dirname, '..', '..', 'examples', 'assets', 'sample.png');
const CHAT = '+15551234567';

/**
 * Registers the file's hooks: an emulator and a client of it (with `clientOptions` besides the
 * key and the URL) start before the first test and stop after the last, and the emulator is
 * reset before each test. `started` receives `{ emulator, client }` once both run.
 */
function useEmulator(clientOptions, started) {
  let emulator;
  let client;
  before(async () => {
    emulator = await startEmulator();
    client = new Client({ apiKey: emulator.apiKey, baseUrl: emulator.baseUrl, ...clientOptions });
    started({ emulator, client });
  });
  after(async () => {
    client.close();
    await emulator.stop();
  });
  beforeEach(async () => {
    await emulator.control('POST', 'reset');
  });
}

/** Asserts `promise` rejects with a BlooioError of `status`, and returns the error. */
async function rejectsWith(promise, status) {
  let error;
  await assert.rejects(promise, (e) => {
    error = e;
    return true;
  });
  assert.ok(error instanceof BlooioError, `expected a BlooioError, got ${error}`);
  assert.equal(error.status, status, `status ${error.kind}: ${error.message}`);
  return error;
}

module.exports = { useEmulator, rejectsWith, SAMPLE, CHAT };
