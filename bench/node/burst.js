'use strict';
// `make bench`'s concurrency section, Node: N GETs at once, ours (libblooio's own threads, the
// default UV_THREADPOOL_SIZE) or fetch; and how long an fs.promises.readFile of a tiny file,
// issued right after the burst starts, takes to finish.
//
//   node burst.js ours|fetch BASE_URL API_KEY CHAT N ROUNDS
// Prints one JSON object. One warm-up burst first.

const fs = require('node:fs');
const path = require('node:path');
const { Client } = require(path.join(__dirname, '..', '..', 'bindings', 'node'));

async function main() {
  const [client, baseUrl, apiKey, chat, n, rounds] = process.argv.slice(2);
  let get;
  let close = () => {};
  if (client === 'ours') {
    const c = new Client({ apiKey, baseUrl, maxRetries: 0 });
    get = () => c.getChatBackground(chat);
    close = () => c.close();
  } else {
    const url = `${baseUrl}/chats/${encodeURIComponent(chat)}/background`;
    const headers = { Authorization: `Bearer ${apiKey}` };
    get = () => fetch(url, { headers }).then((r) => r.json());
  }
  const wall = [];
  const read = [];
  for (let r = 0; r <= Number(rounds); r++) {
    const t0 = performance.now();
    const burst = Promise.all(Array.from({ length: Number(n) }, get));
    const r0 = performance.now();
    await fs.promises.readFile(__filename);
    const readMs = performance.now() - r0;
    await burst;
    if (r > 0) {
      wall.push((performance.now() - t0) * 1e6);
      read.push(readMs);
    }
  }
  close();
  console.log(JSON.stringify({ client, n: Number(n), wall_ns: wall, read_ms: read }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
