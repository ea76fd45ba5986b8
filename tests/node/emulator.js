'use strict';
// Starts the bundled emulator for a test file and talks to its control API.
//
// BLOOIO_EMULATOR names the emulator binary (the Makefile passes $(EMULATOR)). The emulator is
// started with --exit-on-stdin-eof and its stdin is a pipe held by this process, so it stops
// when the tests end, however they end.

const { spawn } = require('node:child_process');
const readline = require('node:readline');

const API_KEY = 'bl_test_key_node_0123456789';

/**
 * @param {{ latencyMs?: number }} [options]
 * @returns {Promise<{ baseUrl: string, apiKey: string, control: (method: string, path: string, body?: unknown) => Promise<any>, stop: () => Promise<void> }>}
 */
async function startEmulator(options = {}) {
  const bin = process.env.BLOOIO_EMULATOR;
  if (!bin) throw new Error('set BLOOIO_EMULATOR to the blooio-emulator binary (make test-node does)');
  const args = ['--listen', '127.0.0.1:0', '--api-key', API_KEY, '--exit-on-stdin-eof', '--quiet'];
  if (options.latencyMs) args.push('--latency-ms', String(options.latencyMs));
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const baseUrl = await new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve(line.trim()));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code}) before printing its URL`)));
  });
  const origin = new URL(baseUrl).origin;
  const control = async (method, path, body) => {
    const response = await fetch(`${origin}/__emulator/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`emulator ${method} ${path}: ${response.status} ${text}`);
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
  const stop = async () => {
    child.stdin.end();
    await exited;
  };
  return { baseUrl, apiKey: API_KEY, control, stop };
}

module.exports = { startEmulator, API_KEY };
