// Types of blooio-native for Node.js (hand-written; the implementation is index.js).

/** What a call returned: the values of `blooio_status` in include/blooio.h. */
export declare const Status: Readonly<{
  OK: 0;
  INVALID_ARGUMENT: 1;
  INVALID_CONFIG: 2;
  INVALID_CHAT_ID: 3;
  INVALID_IMAGE: 4;
  IO: 5;
  BAD_REQUEST: 6;
  AUTHENTICATION: 7;
  RATE_LIMITED: 8;
  DEVICE_UNAVAILABLE: 9;
  NO_ACTIVE_NUMBER: 10;
  SERVER_ERROR: 11;
  HTTP_STATUS: 12;
  TIMEOUT: 13;
  CONNECTION: 14;
  DECODE: 15;
  PANIC: 16;
  OTHER: 17;
  TLS: 18;
}>;
export type Status = (typeof Status)[keyof typeof Status];

/** Settings for a client. Unset fields come from the environment, then the library's defaults. */
export interface ClientOptions {
  /** Sent as `Authorization: Bearer <key>`. Default: `$BLOOIO_API_KEY`. */
  apiKey?: string;
  /** Default: `$BLOOIO_BASE_URL`, then `https://api.blooio.com/v2/api`. */
  baseUrl?: string;
  /** How long one attempt may take, in milliseconds (1 ms to one day). Default 60000. */
  timeoutMs?: number;
  /** How long connecting may take, in milliseconds (1 ms to one day). Default 5000. */
  connectTimeoutMs?: number;
  /** Retries of a failed attempt when that is safe. Default 2; 0 turns them off. */
  maxRetries?: number;
  /** Appended to the User-Agent. Default `blooio-node/<version>`. */
  userAgentSuffix?: string;
  /** Allow plain `http://` to a host that is not loopback (the key then travels in clear). */
  allowInsecureHttp?: boolean;
  /** Trust exactly the CA certificates in this PEM bundle (wins over `$SSL_CERT_FILE`/`$SSL_CERT_DIR`). */
  caFile?: string;
  /** Verify with the operating system's verifier and trust store instead of the bundled roots. */
  platformVerifier?: boolean;
  /** Send every request through this HTTP proxy (CONNECT for https), even to loopback hosts. */
  proxy?: string;
  /** Where `libblooio` is. Default: `$BLOOIO_LIB`, then the system loader's search path. */
  libraryPath?: string;
}

/**
 * A chat's background as the API described it. A field the server did not send (or sent as
 * null) is absent; `changed` is only present in answer to a set.
 */
export interface Background {
  readonly chatId?: string;
  readonly hasBackground?: boolean;
  readonly backgroundId?: string;
  readonly backgroundUrl?: string;
  /** A bigint only if it does not fit in a number exactly. */
  readonly backgroundVersion?: number | bigint;
  readonly changed?: boolean;
}

/** A failed call. */
export declare class BlooioError extends Error {
  readonly name: 'BlooioError' | 'TlsError';
  /** One of {@link Status}. */
  readonly status: Status;
  /** The status's stable name, such as `"authentication"`. */
  readonly kind: string;
  /** The HTTP status of the last response, if there was one. */
  readonly httpStatus?: number;
  /** The server's own message from its error body. */
  readonly serverMessage?: string;
  /** The server's error code. */
  readonly code?: string;
  /** The `x-request-id` of the last response: quote it to Blooio support. */
  readonly requestId?: string;
  /** How many HTTP attempts were made: 0 when nothing was sent. */
  readonly attempts: number;
  /** How long the server asked the caller to wait, when it said so. */
  readonly retryAfterMs?: number;
}

/** The server's certificate was refused or the TLS handshake failed for good (`Status.TLS`). */
export declare class TlsError extends BlooioError {
  readonly name: 'TlsError';
}

/**
 * A client for the chat-background endpoints. Any number of calls may run at once; each runs
 * on a worker thread, so the event loop stays free. Call `close()` when done.
 */
export declare class Client {
  /** @throws {BlooioError} `INVALID_CONFIG` for an unusable configuration. Nothing is sent. */
  constructor(options?: ClientOptions);
  /** `GET /chats/{chatId}/background`. Rejects with a {@link BlooioError}. */
  getChatBackground(chatId: string): Promise<Background>;
  /** `PUT /chats/{chatId}/background` from an image file (JPEG, PNG, GIF, WebP, HEIC, HEIF; ≤ 10 MiB). */
  setChatBackgroundFile(chatId: string, path: string): Promise<Background>;
  /** `PUT /chats/{chatId}/background` from image bytes (copied before the call). */
  setChatBackgroundBytes(chatId: string, data: ArrayBufferView | ArrayBuffer): Promise<Background>;
  /** Frees the client once running calls finish; later calls reject. Idempotent. */
  close(): void;
  /** Whether `close()` was called. */
  readonly closed: boolean;
}

/** The version of the loaded `libblooio`, such as `"0.1.0"`. */
export declare function libraryVersion(libraryPath?: string): string;

/** Test hook: handles received from libblooio and not yet freed. */
export declare function _liveHandles(): number;
