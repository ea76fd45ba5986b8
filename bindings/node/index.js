'use strict';
/**
 * blooio-native for Node.js: the Blooio chat-background client, loaded from `libblooio`
 * (the project's C ABI) through koffi.
 *
 * The wrapper is thin on purpose: validation, percent-encoding, image sniffing and retries all
 * happen in the library. This file only turns JavaScript values into C arguments, runs each
 * call that touches the network on one of koffi's worker threads (so the event loop stays
 * free), and turns what comes back into plain objects and `BlooioError`s, freeing every handle
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
const { version: PACKAGE_VERSION } = require('./package.json');

/**
 * What a call returned: the values of `blooio_status` in include/blooio.h. Values are fixed
 * and never reused.
 * @readonly
 * @enum {number}
 */
const Status = Object.freeze({
  OK: 0,
  INVALID_ARGUMENT: 1,
  INVALID_CONFIG: 2,
  INVALID_CHAT_ID: 3,
  INVALID_IMAGE: 4,
  IO: 5,
  BAD_REQUEST: 6,
  AUTHENTICATION: 7,
  RATE_LIMITED: 8,
  DEVICE_UNAVAILABLE: 9,
  NO_ACTIVE_NUMBER: 10,
  SERVER_ERROR: 11,
  HTTP_STATUS: 12,
  TIMEOUT: 13,
  CONNECTION: 14,
  DECODE: 15,
  PANIC: 16,
  OTHER: 17,
  TLS: 18,
});

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
};

// Out-parameters are declared _Inout_ and passed as `[null]`, so the slot holds NULL unless the
// library writes it (it writes result slots only on success, error slots only on failure).
const PROTOTYPES = {
  version: 'const char *blooio_version(void)',
  statusName: 'const char *blooio_status_name(int status)',
  optionsNew: 'int blooio_options_new(_Inout_ blooio_options **options_out, _Inout_ blooio_error **error)',
  optionsFree: 'void blooio_options_free(blooio_options *options)',
  setApiKey: 'int blooio_options_set_api_key(blooio_options *options, const char *api_key, _Inout_ blooio_error **error)',
  setBaseUrl: 'int blooio_options_set_base_url(blooio_options *options, const char *base_url, _Inout_ blooio_error **error)',
  setTimeoutMs: 'int blooio_options_set_timeout_ms(blooio_options *options, uint64_t timeout_ms, _Inout_ blooio_error **error)',
  setConnectTimeoutMs: 'int blooio_options_set_connect_timeout_ms(blooio_options *options, uint64_t connect_timeout_ms, _Inout_ blooio_error **error)',
  setMaxRetries: 'int blooio_options_set_max_retries(blooio_options *options, uint32_t max_retries, _Inout_ blooio_error **error)',
  setUserAgentSuffix: 'int blooio_options_set_user_agent_suffix(blooio_options *options, const char *suffix, _Inout_ blooio_error **error)',
  setAllowInsecureHttp: 'int blooio_options_set_allow_insecure_http(blooio_options *options, bool allow, _Inout_ blooio_error **error)',
  setCaFile: 'int blooio_options_set_ca_file(blooio_options *options, const char *path, _Inout_ blooio_error **error)',
  setPlatformVerifier: 'int blooio_options_set_platform_verifier(blooio_options *options, bool on, _Inout_ blooio_error **error)',
  setProxy: 'int blooio_options_set_proxy(blooio_options *options, const char *proxy_url, _Inout_ blooio_error **error)',
  clientNew: 'int blooio_client_new(const blooio_options *options, _Inout_ blooio_client **client_out, _Inout_ blooio_error **error)',
  clientFree: 'void blooio_client_free(blooio_client *client)',
  get: 'int blooio_get_chat_background(const blooio_client *client, const char *chat_id, _Inout_ blooio_background **background_out, _Inout_ blooio_error **error)',
  setFile: 'int blooio_set_chat_background_file(const blooio_client *client, const char *chat_id, const char *path, _Inout_ blooio_background **background_out, _Inout_ blooio_error **error)',
  setBytes: 'int blooio_set_chat_background_bytes(const blooio_client *client, const char *chat_id, const uint8_t *data, size_t len, _Inout_ blooio_background **background_out, _Inout_ blooio_error **error)',
  bgChatId: 'int blooio_background_chat_id(const blooio_background *background, _Inout_ bool *present, _Inout_ const char **value)',
  bgHasBackground: 'int blooio_background_has_background(const blooio_background *background, _Inout_ bool *present, _Inout_ bool *value)',
  bgBackgroundId: 'int blooio_background_background_id(const blooio_background *background, _Inout_ bool *present, _Inout_ const char **value)',
  bgBackgroundUrl: 'int blooio_background_background_url(const blooio_background *background, _Inout_ bool *present, _Inout_ const char **value)',
  bgBackgroundVersion: 'int blooio_background_background_version(const blooio_background *background, _Inout_ bool *present, _Inout_ int64_t *value)',
  bgChanged: 'int blooio_background_changed(const blooio_background *background, _Inout_ bool *present, _Inout_ bool *value)',
  backgroundFree: 'void blooio_background_free(blooio_background *background)',
  errorStatus: 'int blooio_error_status(const blooio_error *error)',
  errorMessage: 'const char *blooio_error_message(const blooio_error *error)',
  errorHttpStatus: 'uint16_t blooio_error_http_status(const blooio_error *error)',
  errorServerMessage: 'const char *blooio_error_server_message(const blooio_error *error)',
  errorServerCode: 'const char *blooio_error_server_code(const blooio_error *error)',
  errorRequestId: 'const char *blooio_error_request_id(const blooio_error *error)',
  errorAttempts: 'uint32_t blooio_error_attempts(const blooio_error *error)',
  errorRetryAfterMs: 'bool blooio_error_retry_after_ms(const blooio_error *error, _Inout_ uint64_t *ms)',
  errorFree: 'void blooio_error_free(blooio_error *error)',
};

/** The file name the system loader finds `libblooio` by on this platform. */
function defaultLibraryName() {
  if (process.platform === 'win32') return 'blooio.dll';
  if (process.platform === 'darwin') return 'libblooio.dylib';
  return 'libblooio.so';
}

/** @type {Map<string, Record<keyof PROTOTYPES, Function>>} */
const loaded = new Map();

/**
 * Loads `libblooio` (once per path) and declares its functions.
 * @param {string} [libraryPath] default: `$BLOOIO_LIB`, then the system loader's search path
 */
function loadLibrary(libraryPath) {
  const path = libraryPath || process.env.BLOOIO_LIB || defaultLibraryName();
  let api = loaded.get(path);
  if (!api) {
    const lib = koffi.load(path);
    api = {};
    for (const [name, prototype] of Object.entries(PROTOTYPES)) api[name] = lib.func(prototype);
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

/** Reads a background's six fields (leaving out absent ones), then frees it. */
function takeBackground(api, ptr) {
  received(ptr);
  try {
    const background = {};
    const read = (getter, key, initial, convert = (v) => v) => {
      const present = [false];
      const value = [initial];
      const status = getter(ptr, present, value);
      if (status !== Status.OK) {
        throw new BlooioError({ status, kind: api.statusName(status), message: `reading ${key} failed` });
      }
      if (present[0]) background[key] = convert(value[0]);
    };
    read(api.bgChatId, 'chatId', null);
    read(api.bgHasBackground, 'hasBackground', false);
    read(api.bgBackgroundId, 'backgroundId', null);
    read(api.bgBackgroundUrl, 'backgroundUrl', null);
    read(api.bgBackgroundVersion, 'backgroundVersion', 0, (v) =>
      typeof v === 'bigint' && v >= Number.MIN_SAFE_INTEGER && v <= Number.MAX_SAFE_INTEGER ? Number(v) : v,
    );
    read(api.bgChanged, 'changed', false);
    return Object.freeze(background);
  } finally {
    release(api.backgroundFree, ptr);
  }
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

/** Copies image bytes into a buffer no one else can change or detach while the call runs. */
function imageBytes(data) {
  if (data instanceof ArrayBuffer) return Buffer.from(new Uint8Array(data));
  if (ArrayBuffer.isView(data)) return Buffer.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  throw new TypeError('data must be a Buffer, a TypedArray, a DataView or an ArrayBuffer');
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
  #inFlight = 0;
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
      const o = opts[0];
      if (options.apiKey !== undefined) check(api, api.setApiKey(o, cString(options.apiKey, 'apiKey'), err), err);
      if (options.baseUrl !== undefined) check(api, api.setBaseUrl(o, cString(options.baseUrl, 'baseUrl'), err), err);
      if (options.timeoutMs !== undefined) {
        check(api, api.setTimeoutMs(o, cCount(options.timeoutMs, 'timeoutMs', Number.MAX_SAFE_INTEGER), err), err);
      }
      if (options.connectTimeoutMs !== undefined) {
        const ms = cCount(options.connectTimeoutMs, 'connectTimeoutMs', Number.MAX_SAFE_INTEGER);
        check(api, api.setConnectTimeoutMs(o, ms, err), err);
      }
      if (options.maxRetries !== undefined) {
        check(api, api.setMaxRetries(o, cCount(options.maxRetries, 'maxRetries', 0xffffffff), err), err);
      }
      const suffix = options.userAgentSuffix ?? `blooio-node/${PACKAGE_VERSION}`;
      check(api, api.setUserAgentSuffix(o, cString(suffix, 'userAgentSuffix'), err), err);
      if (options.allowInsecureHttp !== undefined) {
        check(api, api.setAllowInsecureHttp(o, Boolean(options.allowInsecureHttp), err), err);
      }
      if (options.caFile !== undefined) check(api, api.setCaFile(o, cString(options.caFile, 'caFile'), err), err);
      if (options.platformVerifier !== undefined) {
        check(api, api.setPlatformVerifier(o, Boolean(options.platformVerifier), err), err);
      }
      if (options.proxy !== undefined) check(api, api.setProxy(o, cString(options.proxy, 'proxy'), err), err);
      const client = [null];
      check(api, api.clientNew(o, client, err), err);
      this.#handle = received(client[0]);
    } finally {
      release(api.optionsFree, opts[0]);
    }
    this.#api = api;
    finalizer.register(this, { api, handle: this.#handle }, this);
  }

  /**
   * `GET /chats/{chatId}/background`, on a worker thread.
   * @param {string} chatId a phone number (`+15551234567`), an email, a group id or a list
   * @returns {Promise<import('./index').Background>}
   */
  getChatBackground(chatId) {
    return this.#call('getChatBackground', (api) => [api.get, [cString(chatId, 'chatId')]]);
  }

  /**
   * `PUT /chats/{chatId}/background` with an image file, streamed from disk by the library.
   * @param {string} chatId
   * @param {string} path JPEG, PNG, GIF, WebP, HEIC or HEIF (judged by its bytes), at most 10 MiB
   * @returns {Promise<import('./index').Background>} includes `changed`
   */
  setChatBackgroundFile(chatId, path) {
    return this.#call('setChatBackgroundFile', (api) => [
      api.setFile,
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
      if (data === undefined || data === null) return [api.setBytes, [id, null, 0]];
      const bytes = imageBytes(data);
      // koffi passes an empty buffer as NULL, which the library refuses as a missing argument;
      // a one-byte buffer with a length of 0 lets it say what is wrong: the image is empty.
      return [api.setBytes, [id, bytes.length > 0 ? bytes : Buffer.alloc(1), bytes.length]];
    });
  }

  /**
   * Frees the client. Calls still running finish first; new calls are refused. Idempotent.
   */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    finalizer.unregister(this);
    if (this.#inFlight === 0) this.#free();
  }

  /** Whether `close()` was called. */
  get closed() {
    return this.#closed;
  }

  #free() {
    const handle = this.#handle;
    this.#handle = null;
    release(this.#api.clientFree, handle);
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
    return new Promise((resolve, reject) => {
      const background = [null];
      const error = [null];
      this.#inFlight += 1;
      const done = (callError, status) => {
        this.#inFlight -= 1;
        try {
          if (callError) reject(callError);
          else if (status !== Status.OK) reject(takeError(api, status, error[0]));
          else resolve(takeBackground(api, background[0]));
        } catch (e) {
          reject(e);
        } finally {
          // `args` (with the image bytes) stays referenced until here, past the native call.
          args.length = 0;
          if (this.#closed && this.#inFlight === 0 && this.#handle !== null) this.#free();
        }
      };
      try {
        fn.async(this.#handle, ...args, background, error, done);
      } catch (e) {
        done(e);
      }
    });
  }

  [util.inspect.custom]() {
    return `Client { closed: ${this.#closed}, inFlight: ${this.#inFlight} }`;
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
