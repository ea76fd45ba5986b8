'use strict';
// HTTPS against the emulator and tinyproxy of tests/tls/with-tls.sh (make test-node runs the
// suite under it): both endpoints with the CA by caFile and by SSL_CERT_FILE, refused
// certificates after exactly one connection as TlsError (a BlooioError, Status.TLS), a bad CA
// file, and a proxy that saw CONNECT and never the key.

const { test, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { Client, BlooioError, TlsError, Status } = require('../../bindings/node');

function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run under tests/tls/with-tls.sh (make test-node does)`);
  return value;
}

const CHAT = '+15551234567';
const BASE_URL = env('BLOOIO_TEST_TLS_BASE_URL');
const CONTROL = env('BLOOIO_TEST_TLS_CONTROL_URL');
const CA_FILE = env('BLOOIO_TEST_CA_FILE');
const API_KEY = env('BLOOIO_TEST_API_KEY');
const PNG = fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'assets', 'sample.png'));

async function control(method, p, body) {
  const response = await fetch(`${CONTROL}/__emulator/${p}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.equal(response.status, 200);
  return response.json();
}
const tlsConnections = async () => (await control('GET', 'stats')).tls_connections;

const open = (extra = {}) => new Client({ apiKey: API_KEY, baseUrl: BASE_URL, maxRetries: 3, ...extra });

async function bothEndpoints(client) {
  try {
    const tail = Buffer.from([Math.floor(Math.random() * 256)]);
    const set = await client.setChatBackgroundBytes(CHAT, Buffer.concat([PNG, tail]));
    assert.ok(set.backgroundUrl.startsWith('https://'));
    const got = await client.getChatBackground(CHAT);
    assert.equal(got.backgroundId, set.backgroundId);
  } finally {
    client.close();
  }
}

beforeEach(async () => {
  delete process.env.SSL_CERT_FILE;
  delete process.env.SSL_CERT_DIR;
  await control('POST', 'reset', {});
});

test('both endpoints with caFile, on one kept-alive connection', async () => {
  const before = await tlsConnections();
  await bothEndpoints(open({ caFile: CA_FILE }));
  assert.equal((await tlsConnections()) - before, 1);
});

test('both endpoints with SSL_CERT_FILE', async () => {
  process.env.SSL_CERT_FILE = CA_FILE;
  const client = open();
  delete process.env.SSL_CERT_FILE;
  await bothEndpoints(client);
});

for (const [fault, trust, says] of [
  [null, false, 'is not trusted (unknown issuer'],
  ['tls_expired_cert', true, 'has expired'],
  ['tls_wrong_name_cert', true, 'is not valid for the name 127.0.0.1'],
  ['tls_ca_as_leaf', true, 'is a CA certificate'],
]) {
  test(`refused after one connection: ${fault ?? 'unknown issuer'}`, async () => {
    if (fault) await control('POST', 'script', { action: fault });
    const client = open(trust ? { caFile: CA_FILE } : {});
    const before = await tlsConnections();
    try {
      await assert.rejects(client.getChatBackground(CHAT), (error) => {
        assert.ok(error instanceof TlsError && error instanceof BlooioError);
        assert.equal(error.name, 'TlsError');
        assert.equal(error.status, Status.TLS);
        assert.equal(error.kind, 'tls');
        assert.equal(error.attempts, 1);
        assert.ok(error.message.includes(says), error.message);
        assert.ok(!error.message.includes(API_KEY));
        return true;
      });
    } finally {
      client.close();
    }
    assert.equal((await tlsConnections()) - before, 1);
    assert.deepEqual(await control('GET', 'requests'), []);
  });
}

test('a bad CA file is INVALID_CONFIG naming the path', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blooio-node-tls-'));
  const empty = path.join(dir, 'empty.pem');
  fs.writeFileSync(empty, '');
  for (const file of [empty, path.join(dir, 'missing.pem')]) {
    assert.throws(() => open({ caFile: file }), (error) => {
      assert.equal(error.status, Status.INVALID_CONFIG);
      assert.ok(error.message.includes(file), error.message);
      return true;
    });
  }
  assert.throws(() => open({ caFile: CA_FILE, platformVerifier: true }), /cannot both be set/);
  fs.rmSync(dir, { recursive: true });
});

test('through the proxy with CONNECT; the proxy never sees the key', async () => {
  await bothEndpoints(open({ caFile: CA_FILE, proxy: env('BLOOIO_TEST_PROXY') }));
  const log = fs.readFileSync(env('BLOOIO_TEST_PROXY_LOG'), 'utf8');
  const port = new URL(BASE_URL).port;
  assert.ok(log.includes(`CONNECT 127.0.0.1:${port}`), log);
  assert.ok(!log.includes(API_KEY) && !log.includes('/chats/'));
});
