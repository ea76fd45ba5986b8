'use strict';
/**
 * blooio-native for Node.js: the Blooio chat-background client, loaded from `libblooio`
 * (the project's C ABI) through koffi.
 *
 * The wrapper is thin on purpose: validation, percent-encoding, image sniffing and retries all
 * happen in the library. This file only turns JavaScript values into C arguments, runs each
 * call that touches the network on one of the library's own threads (its `_async` C calls; the
 * event loop and libuv's pool stay free), and turns what comes back into plain objects and `BlooioError`s, freeing every handle
 * the library hands over.
 *
 * @example
 * const { Client } = require('blooio-native');
 * const client = new Client(); // BLOOIO_API_KEY, BLOOIO_BASE_URL
 * const set = await client.setChatBackgroundFile('+15551234567', 'beach.jpg');
 * const now = await client.getChatBackground('+15551234567');
 * client.close();
 */

const koffi = require('koffi');
const util = require('node:util');
// Generated from include/blooio.h by scripts/bindgen.py: the statuses, every function's
// prototype, the options (one per setter) and the background's fields (one per getter).
const { Status, CALLBACKS, PROTOTYPES, OPTIONS, BACKGROUND_FIELDS } = require('./generated');

// Calls run on koffi's worker threads, whose stacks are 128 KiB by default: too small for a TLS
// handshake (rustls + certificate verification; a debug build overflows it and crashes). 2 MiB
// is the size of a Rust thread's stack. koffi allows this only before its first call; a program
// that configured koffi itself keeps its own settings.
try {
  const MIN_ASYNC_STACK = 2 * 1024 * 1024;
  const current = koffi.config();
  if (current.async_stack_size < MIN_ASYNC_STACK) koffi.config({ ...current, async_stack_size: MIN_ASYNC_STACK });
} catch {
  // koffi was already used: its configuration can no longer change.
}

/** A failed call: the library's status, its message and, for HTTP failures, the server's detail. */
class BlooioError extends Error {
  /**
   * @param {object} detail
   * @param {number} detail.status one of {@link Status}
   * @param {string} detail.kind the status's stable name, such as `"authentication"`
   * @param {string} detail.message a complete message (never contains the API key)
   * @param {number} [detail.httpStatus] the HTTP status of the last response, if there was one
   * @param {string} [detail.serverMessage] the server's own message
   * @param {string} [detail.code] the server's error code
   * @param {string} [detail.requestId] the response's `x-request-id`
   * @param {number} [detail.attempts] how many HTTP attempts were made (0: nothing was sent)
   * @param {number} [detail.retryAfterMs] how long the server asked to wait
   */
  constructor(detail) {
    super(detail.message);
    this.name = 'BlooioError';
    this.status = detail.status;
    this.kind = detail.kind;
    this.httpStatus = detail.httpStatus;
    this.serverMessage = detail.serverMessage;
    this.code = detail.code;
    this.requestId = detail.requestId;
    this.attempts = detail.attempts ?? 0;
    this.retryAfterMs = detail.retryAfterMs;
  }
}

/**
 * The server's certificate was refused (unknown issuer, expired, not valid for the host, a CA
 * used as the leaf) or the TLS handshake failed for good: `status` is `Status.TLS`. Never
 * retried. Behind a TLS-inspecting proxy, pass `caFile` or set `SSL_CERT_FILE`.
 */
class TlsError extends BlooioError {
  constructor(detail) {
    super(detail);
    this.name = 'TlsError';
  }
}

// The C types, declared once for this koffi instance (names are global to it).
const T = {
  options: koffi.opaque('blooio_options'),
  client: koffi.opaque('blooio_client'),
  background: koffi.opaque('blooio_background'),
  error: koffi.opaque('blooio_error'),
  callOptions: koffi.opaque('blooio_call_options'),
  cancelToken: koffi.opaque('blooio_cancel_token'),
};
// The callback types of the header (koffi.proto), by their short name.
const CB = Object.fromEntries(Object.entries(CALLBACKS).map(([name, proto]) => [name, koffi.proto(proto)]));

/** The file name the system loader finds `libblooio` by on this platform. */
function defaultLibraryName() {
  if (process.platform === 'win32') return 'blooio.dll';
  if (process.platform === 'darwin') return 'libblooio.dylib';
  return 'libblooio.so';
}

/**
 * The library the npm package carries for this platform (`prebuilds/<platform>-<arch>/`, put
 * there by `make dist`), or null in a source checkout, which has none.
 */
function bundledLibrary() {
  const candidate = require('node:path').join(__dirname, 'prebuilds', `${process.platform}-${process.arch}`,
    defaultLibraryName());
  return require('node:fs').existsSync(candidate) ? candidate : null;
}

/** @type {Map<string, Record<keyof PROTOTYPES, Function>>} */
const loaded = new Map();

/**
 * Loads `libblooio` (once per path) and declares its functions.
 * @param {string} [libraryPath] default: `$BLOOIO_LIB`, then the library the package carries,
 *   then the system loader's search path
 */
function loadLibrary(libraryPath) {
  const path = libraryPath || process.env.BLOOIO_LIB || bundledLibrary() || defaultLibraryName();
  let api = loaded.get(path);
  if (!api) {
    const lib = koffi.load(path);
    api = {};
    for (const [name, prototype] of Object.entries(PROTOTYPES)) api[name] = lib.func(prototype);
    // One registered callback for every call through this library, for the process's life: the
    // call's id travels as its user_data. koffi runs it on the event loop, whichever thread of
    // the library calls it.
    api.done = koffi.register(
      (userData, status, background, error) => settle(api, userData, status, background, error),
      koffi.pointer(CB.backgroundCallback),
    );
    loaded.set(path, api);
  }
  return api;
}

// Handles received from the library and not yet given back to its free functions. Tests read
// it (through `_liveHandles`) to show that the wrapper frees everything it is given.
let liveHandles = 0;

function received(ptr) {
  if (ptr !== null) liveHandles += 1;
  return ptr;
}

function release(free, ptr) {
  if (ptr === null) return;
  liveHandles -= 1;
  free(ptr);
}

/** Reads a failed call's error object, frees it, and returns the matching BlooioError. */
function takeError(api, status, errorPtr) {
  received(errorPtr);
  try {
    const kind = api.statusName(status);
    if (errorPtr === null) {
      return new BlooioError({ status, kind, message: `libblooio failed with status ${kind}` });
    }
    const httpStatus = api.errorHttpStatus(errorPtr);
    const retryAfter = [0];
    const hasRetryAfter = api.errorRetryAfterMs(errorPtr, retryAfter);
    const ErrorClass = status === Status.TLS ? TlsError : BlooioError;
    return new ErrorClass({
      status: api.errorStatus(errorPtr),
      kind,
      message: api.errorMessage(errorPtr) ?? kind,
      httpStatus: httpStatus === 0 ? undefined : httpStatus,
      serverMessage: api.errorServerMessage(errorPtr) ?? undefined,
      code: api.errorServerCode(errorPtr) ?? undefined,
      requestId: api.errorRequestId(errorPtr) ?? undefined,
      attempts: api.errorAttempts(errorPtr),
      retryAfterMs: hasRetryAfter ? Number(retryAfter[0]) : undefined,
    });
  } finally {
    release(api.errorFree, errorPtr);
  }
}

/** Throws the BlooioError of a failed synchronous call. */
function check(api, status, errorSlot) {
  if (status !== Status.OK) throw takeError(api, status, errorSlot[0]);
}

const FIELD_INITIAL = { string: null, boolean: false, integer: 0 };

/** Reads a background's fields (one per getter in the header), leaving out absent ones, then frees it. */
function takeBackground(api, ptr) {
  received(ptr);
  try {
    const background = {};
    for (const { name, getter, kind } of BACKGROUND_FIELDS) {
      const present = [false];
      const value = [FIELD_INITIAL[kind]];
      const status = api[getter](ptr, present, value);
      if (status !== Status.OK) {
        throw new BlooioError({ status, kind: api.statusName(status), message: `reading ${name} failed` });
      }
      if (present[0]) background[name] = kind === 'integer' ? safeNumber(value[0]) : value[0];
    }
    return Object.freeze(background);
  } finally {
    release(api.backgroundFree, ptr);
  }
}

/** A 64-bit integer as a number when that is exact, else the bigint. */
function safeNumber(v) {
  return typeof v === 'bigint' && v >= Number.MIN_SAFE_INTEGER && v <= Number.MAX_SAFE_INTEGER ? Number(v) : v;
}

/** A string argument: undefined and null become NULL (which the library refuses by name). */
function cString(value, name) {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, not ${typeof value}`);
  if (value.includes('\0')) {
    // C strings end at NUL: passing it on would silently cut the value short.
    throw new BlooioError({
      status: Status.INVALID_ARGUMENT,
      kind: 'invalid_argument',
      message: `${name} contains a NUL character`,
    });
  }
  return value;
}

function cCount(value, name, max) {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer from 0 to ${max}`);
  }
  return value;
}

/** A JavaScript option value as the C setter of its kind takes it. */
function optionValue(option, value) {
  if (option.kind === 'string') return cString(value, option.name);
  if (option.kind === 'boolean') return Boolean(value);
  return cCount(value, option.name, option.max);
}

/** Copies image bytes into a buffer no one else can change or detach while the call runs. */
function imageBytes(data) {
  if (data instanceof ArrayBuffer) return Buffer.from(new Uint8Array(data));
  if (ArrayBuffer.isView(data)) return Buffer.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  throw new TypeError('data must be a Buffer, a TypedArray, a DataView or an ArrayBuffer');
}

// Calls in flight, by the id passed to the library as user_data.
const pending = new Map();
let nextId = 1n;
// Nothing of the library's threads keeps Node's event loop alive: this timer does, while any
// call is in flight, so that a program awaiting only a call does not exit before its answer.
let keepAlive = null;

function track(entry) {
  const id = nextId;
  nextId += 1n;
  pending.set(id, entry);
  if (keepAlive === null) keepAlive = setInterval(() => {}, 1 << 30);
  return id;
}

function untrack(id) {
  const entry = pending.get(id);
  pending.delete(id);
  if (pending.size === 0 && keepAlive !== null) {
    clearInterval(keepAlive);
    keepAlive = null;
  }
  return entry;
}

/** The library's callback, on the event loop: settles the call's promise, freeing what it got. */
function settle(api, userData, status, background, error) {
  const entry = untrack(BigInt(userData));
  try {
    if (status !== Status.OK) {
      const e = takeError(api, status, error);
      if (entry) entry.reject(e);
    } else {
      const value = takeBackground(api, background);
      if (entry) entry.resolve(value);
    }
  } catch (e) {
    if (entry) entry.reject(e);
  }
}

// A client that is garbage-collected without close() is freed here.
const finalizer = new FinalizationRegistry(({ api, handle }) => release(api.clientFree, handle));

/**
 * A client for the chat-background endpoints. Safe to share: any number of calls may run at
 * once. Call `close()` when done (a forgotten client is freed when it is garbage-collected).
 */
class Client {
  #api;
  #handle;
  #closed = false;

  /**
   * Checks the settings and creates the client; nothing is sent.
   * @param {import('./index').ClientOptions} [options] unset fields come from the environment
   *   (`BLOOIO_API_KEY`, `BLOOIO_BASE_URL`) and the library's defaults
   * @throws {BlooioError} `INVALID_CONFIG` (no API key, a bad base URL, ...)
   */
  constructor(options = {}) {
    const api = loadLibrary(options.libraryPath);
    const err = [null];
    const opts = [null];
    check(api, api.optionsNew(opts, err), err);
    received(opts[0]);
    try {
      // One setter per option the header declares, so a new option needs no code here.
      const settings = { binding: 'node', ...options };
      for (const option of OPTIONS) {
        const value = settings[option.name];
        if (value !== undefined) check(api, api[option.setter](opts[0], optionValue(option, value), err), err);
      }
      const client = [null];
      check(api, api.clientNew(opts[0], client, err), err);
      this.#handle = received(client[0]);
    } finally {
      release(api.optionsFree, opts[0]);
    }
    this.#api = api;
    finalizer.register(this, { api, handle: this.#handle }, this);
  }

  /**
   * `GET /chats/{chatId}/background`, on one of the library's threads.
   * @param {string} chatId a phone number (`+15551234567`), an email, a group id or a list
   * @returns {Promise<import('./index').Background>}
   */
  getChatBackground(chatId) {
    return this.#call('getChatBackground', (api) => [api.getChatBackgroundAsync, [cString(chatId, 'chatId')]]);
  }

  /**
   * `PUT /chats/{chatId}/background` with an image file, streamed from disk by the library.
   * @param {string} chatId
   * @param {string} path JPEG, PNG, GIF, WebP, HEIC or HEIF (judged by its bytes), at most 10 MiB
   * @returns {Promise<import('./index').Background>} includes `changed`
   */
  setChatBackgroundFile(chatId, path) {
    return this.#call('setChatBackgroundFile', (api) => [
      api.setChatBackgroundFileAsync,
      [cString(chatId, 'chatId'), cString(path, 'path')],
    ]);
  }

  /**
   * `PUT /chats/{chatId}/background` with image bytes (copied first, so the caller may reuse
   * its buffer at once).
   * @param {string} chatId
   * @param {Buffer | ArrayBufferView | ArrayBuffer} data the image
   * @returns {Promise<import('./index').Background>} includes `changed`
   */
  setChatBackgroundBytes(chatId, data) {
    return this.#call('setChatBackgroundBytes', (api) => {
      const id = cString(chatId, 'chatId');
      if (data === undefined || data === null) return [api.setChatBackgroundBytesAsync, [id, null, 0]];
      // koffi passes an empty buffer as NULL, which the library takes as an empty image.
      const bytes = imageBytes(data);
      return [api.setChatBackgroundBytesAsync, [id, bytes, bytes.length]];
    });
  }

  /**
   * Frees the client. Calls still running finish normally (the library keeps what they need);
   * new calls are refused. Idempotent.
   */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    finalizer.unregister(this);
    const handle = this.#handle;
    this.#handle = null;
    release(this.#api.clientFree, handle);
  }

  /** Whether `close()` was called. */
  get closed() {
    return this.#closed;
  }

  #call(method, prepare) {
    if (this.#closed) {
      return Promise.reject(
        new BlooioError({
          status: Status.INVALID_ARGUMENT,
          kind: 'invalid_argument',
          message: `${method}: the client is closed`,
        }),
      );
    }
    const api = this.#api;
    let fn;
    let args;
    try {
      [fn, args] = prepare(api);
    } catch (e) {
      return Promise.reject(e);
    }
    // The library copies the arguments and takes its own handle on the client before this
    // returns, then runs the call on a thread of its own (not libuv's pool): close() meanwhile
    // is safe, and Node's file system, DNS and crypto never wait behind our calls.
    return new Promise((resolve, reject) => {
      const id = track({ resolve, reject });
      const error = [null];
      let status;
      try {
        status = fn(this.#handle, ...args, null, api.done, id, error);
      } catch (e) {
        untrack(id);
        reject(e);
        return;
      }
      if (status !== Status.OK) {
        untrack(id);
        reject(takeError(api, status, error[0]));
      }
    });
  }

  [util.inspect.custom]() {
    return `Client { closed: ${this.#closed} }`;
  }

  toJSON() {
    return { closed: this.#closed };
  }
}

/**
 * The version of the loaded `libblooio`, such as `"0.1.0"`.
 * @param {string} [libraryPath]
 */
function libraryVersion(libraryPath) {
  return loadLibrary(libraryPath).version();
}

module.exports = {
  Client,
  BlooioError,
  TlsError,
  Status,
  libraryVersion,
  /** Test hook: handles received from libblooio and not yet freed. */
  _liveHandles: () => liveHandles,
};
