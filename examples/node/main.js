#!/usr/bin/env node
// Sets a chat's background from an image file, reads it back, and prints both.
//
//   node examples/node/main.js +15551234567 examples/assets/sample.png
//
// The key and the API's address come from BLOOIO_API_KEY and BLOOIO_BASE_URL, so the same
// program runs against the real API or the bundled emulator. In your own project, install
// bindings/node and write require('blooio-native') instead of the relative path.
'use strict';

const { Client, BlooioError } = require('../../bindings/node');

async function main() {
  const [chatId, imagePath] = process.argv.slice(2);
  if (!chatId || !imagePath) {
    console.error('usage: node main.js CHAT_ID IMAGE');
    return 2;
  }
  const client = new Client({
    apiKey: process.env.BLOOIO_API_KEY,
    baseUrl: process.env.BLOOIO_BASE_URL || undefined,
  });
  // Ctrl-C stops the request in flight (not only the wait for it).
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const signal = controller.signal;
  try {
    const set = await client.setChatBackgroundFile(chatId, imagePath, {
      signal,
      onProgress: (sent, total) => process.stderr.write(`\ruploaded ${sent} of ${total} bytes${sent === total ? '\n' : ''}`),
    });
    console.log('set:', JSON.stringify(set));
    const got = await client.getChatBackground(chatId, { signal });
    console.log('get:', JSON.stringify(got));
    return 0;
  } catch (error) {
    if (!(error instanceof BlooioError)) throw error;
    console.error(`error (${error.kind}): ${error.message}`);
    return 1;
  } finally {
    client.close();
  }
}

main().then((code) => {
  process.exitCode = code;
});
