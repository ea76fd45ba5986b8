// Package blooio is the Go binding of libblooio, the Blooio chat-background client
// (GET and PUT /chats/{chatId}/background), through cgo.
//
// The package is thin: validation, percent-encoding, image sniffing and retries happen in the
// library. It turns Go values into C arguments, copies results into Go values, frees every
// object the library hands over, and reports failures as *Error, built from the error object
// of the failed call itself.
//
//	client, err := blooio.NewClient() // BLOOIO_API_KEY, BLOOIO_BASE_URL
//	if err != nil { ... }
//	defer client.Close()
//	set, err := client.SetChatBackgroundFile(ctx, "+15551234567", "beach.jpg")
//	now, err := client.GetChatBackground(ctx, "+15551234567", blooio.WithTimeout(5*time.Second))
//
// Every call takes a context.Context: cancelling it, or its deadline passing, stops the call
// within about 100 ms wherever it is (connecting, sending, waiting, reading, or sleeping
// before a retry), and the call fails with an *Error of StatusCancelled that also matches
// context.Canceled or context.DeadlineExceeded with errors.Is.
//
// Building needs libblooio's header and library, found through pkg-config (blooio.pc): extract
// the C SDK tarball (libblooio-VERSION-x86_64-linux-gnu.tar.gz) anywhere and set
// PKG_CONFIG_PATH=$SDK/lib/pkgconfig, and CGO_LDFLAGS="-Wl,-rpath,$SDK/lib" (or
// LD_LIBRARY_PATH) so that the program finds the library when it runs. In the source tree,
// `make test-go` points PKG_CONFIG_PATH at a blooio.pc for the build directory.
package blooio

/*
#cgo pkg-config: blooio
#include <stdlib.h>
#include "blooio.h"
*/
import "C"

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"
)

// Version is the version of this package, sent in the User-Agent unless
// WithUserAgentSuffix says otherwise.
const Version = "0.1.0"

// LibraryVersion gives the version of the linked libblooio, such as "0.1.0".
func LibraryVersion() string {
	return C.GoString(C.blooio_version())
}

// liveHandles counts the objects received from the library and not yet freed; the tests use
// it to show that every one is given back.
var liveHandles atomic.Int64

func received() { liveHandles.Add(1) }
func released() { liveHandles.Add(-1) }

// An Option changes one setting of a new client (NewClient). WithTimeout and WithHeader are
// also CallOptions.
type Option interface{ applyClient(*settings) }

// clientOption is an Option that only NewClient takes.
type clientOption func(*settings)

func (f clientOption) applyClient(s *settings) { f(s) }

// settings holds what the options asked for; nil means "not set" (the library then uses the
// environment or its default).
type settings struct {
	binding                          string
	apiKey, baseURL, userAgentSuffix *string
	caFile, proxy                    *string
	timeout, connectTimeout          *time.Duration
	maxRetries                       *int
	insecureHTTP, platformVerifier   *bool
	headers                          [][2]string
	logger                           *slog.Logger
}

// WithAPIKey sets the API key (default: $BLOOIO_API_KEY).
func WithAPIKey(key string) Option { return clientOption(func(s *settings) { s.apiKey = &key }) }

// WithBaseURL sets the API's base URL (default: $BLOOIO_BASE_URL, then
// https://api.blooio.com/v2/api). Plain http is accepted for loopback hosts only, unless
// WithInsecureHTTP(true).
func WithBaseURL(url string) Option { return clientOption(func(s *settings) { s.baseURL = &url }) }

// WithUserAgentSuffix sets the token appended to the User-Agent (default "blooio-go/VERSION").
func WithUserAgentSuffix(suffix string) Option {
	return clientOption(func(s *settings) { s.userAgentSuffix = &suffix })
}

// WithTimeout sets how long one attempt may take (default 60 s; 1 ms to one day). Given to
// NewClient it sets the client's timeout; given to a call it overrides that for the call.
func WithTimeout(d time.Duration) TimeoutOption { return TimeoutOption(d) }

// TimeoutOption is what WithTimeout gives: both an Option and a CallOption.
type TimeoutOption time.Duration

func (o TimeoutOption) applyClient(s *settings) { d := time.Duration(o); s.timeout = &d }

// WithHeader adds a header. Given to NewClient it is sent on every call (a default header,
// winning over $BLOOIO_CUSTOM_HEADERS by name); given to a call it is sent on that call,
// winning over the default headers by name. A later header of the same name replaces an
// earlier one.
// Refused, with nothing sent (StatusInvalidConfig): a name or value with CR, LF or NUL, a name
// that is not an HTTP token, and the headers the library owns (Authorization, Content-Type,
// Content-Length, Host, Transfer-Encoding).
func WithHeader(name, value string) HeaderOption { return HeaderOption{name, value} }

// HeaderOption is what WithHeader gives: both an Option and a CallOption.
type HeaderOption [2]string

func (o HeaderOption) applyClient(s *settings) { s.headers = append(s.headers, o) }

// WithLogger sends the library's log lines to logger: one line per attempt at slog.LevelInfo
// (method, path as sent, status, elapsed time, attempt, request id), and the retry decisions
// at slog.LevelDebug when the logger has that level enabled. Lines never hold the API key,
// bodies or header values other than the request id. Without it, $BLOOIO_LOG=info|debug
// prints the lines to stderr.
func WithLogger(logger *slog.Logger) Option {
	return clientOption(func(s *settings) { s.logger = logger })
}

// WithConnectTimeout sets how long connecting may take (default 5 s; 1 ms to one day).
func WithConnectTimeout(d time.Duration) Option {
	return clientOption(func(s *settings) { s.connectTimeout = &d })
}

// WithMaxRetries sets how many times a failed attempt is retried when that is safe
// (default 2; 0 turns retries off).
func WithMaxRetries(n int) Option { return clientOption(func(s *settings) { s.maxRetries = &n }) }

// WithInsecureHTTP allows a plain http:// base URL on a host that is not loopback. The API key
// then travels in clear text: only for a trusted network.
func WithInsecureHTTP(allow bool) Option {
	return clientOption(func(s *settings) { s.insecureHTTP = &allow })
}

// WithCAFile trusts exactly the CA certificates in this PEM bundle, instead of $SSL_CERT_FILE /
// $SSL_CERT_DIR or the bundled Mozilla roots. A file that is missing, unreadable or holds no
// certificate makes NewClient fail with StatusInvalidConfig. Verification cannot be turned off.
func WithCAFile(path string) Option { return clientOption(func(s *settings) { s.caFile = &path }) }

// WithPlatformVerifier verifies servers with the operating system's verifier and trust store
// instead of the bundled roots (not together with WithCAFile).
func WithPlatformVerifier(on bool) Option {
	return clientOption(func(s *settings) { s.platformVerifier = &on })
}

// WithProxy sends every request through this HTTP proxy (http://host:port), even to loopback
// hosts; HTTPS goes through it with CONNECT. Default: $HTTPS_PROXY, $ALL_PROXY, ...
func WithProxy(url string) Option { return clientOption(func(s *settings) { s.proxy = &url }) }

// cString copies s into C memory for one call; the caller frees it with C.free. A NUL inside
// s would cut the C string short, so it is refused.
func cString(s, name string) (*C.char, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, argumentError("%s contains a NUL byte", name)
	}
	return C.CString(s), nil
}

// milliseconds gives d in whole milliseconds for the library, which refuses 0 and anything
// beyond one day; a negative duration is passed as 0 so that it is refused too.
func milliseconds(d time.Duration) C.uint64_t {
	if d < 0 {
		return 0
	}
	return C.uint64_t(d / time.Millisecond)
}

// apply hands the settings to the library's options, one setter at a time, in this order;
// the first refusal is the error.
func (s *settings) apply(o *C.blooio_options) error {
	var e *C.blooio_error
	check := func(status C.enum_blooio_status) error {
		if Status(status) != StatusOK {
			return takeError(Status(status), e)
		}
		return nil
	}
	// str sets a string (copied into C memory for the call) when it was given.
	str := func(value *string, name string, set func(*C.char) C.enum_blooio_status) func() error {
		return func() error {
			if value == nil {
				return nil
			}
			c, err := cString(*value, name)
			if err != nil {
				return err
			}
			defer C.free(unsafe.Pointer(c))
			return check(set(c))
		}
	}
	// given sets a value when it was given; set runs only then.
	given := func(isSet bool, set func() C.enum_blooio_status) func() error {
		return func() error {
			if !isSet {
				return nil
			}
			return check(set())
		}
	}
	steps := []func() error{
		str(&s.binding, "the binding name", func(c *C.char) C.enum_blooio_status {
			return C.blooio_options_set_binding(o, c, &e)
		}),
		str(s.apiKey, "the API key", func(c *C.char) C.enum_blooio_status {
			return C.blooio_options_set_api_key(o, c, &e)
		}),
		str(s.baseURL, "the base URL", func(c *C.char) C.enum_blooio_status {
			return C.blooio_options_set_base_url(o, c, &e)
		}),
		str(s.userAgentSuffix, "the User-Agent suffix", func(c *C.char) C.enum_blooio_status {
			return C.blooio_options_set_user_agent_suffix(o, c, &e)
		}),
		given(s.timeout != nil, func() C.enum_blooio_status {
			return C.blooio_options_set_timeout_ms(o, milliseconds(*s.timeout), &e)
		}),
		given(s.connectTimeout != nil, func() C.enum_blooio_status {
			return C.blooio_options_set_connect_timeout_ms(o, milliseconds(*s.connectTimeout), &e)
		}),
		func() error {
			if s.maxRetries == nil {
				return nil
			}
			n := *s.maxRetries
			if n < 0 || uint64(n) > math.MaxUint32 {
				return argumentError("max retries is %d; give a number from 0 to %d", n, uint32(math.MaxUint32))
			}
			return check(C.blooio_options_set_max_retries(o, C.uint32_t(n), &e))
		},
		given(s.insecureHTTP != nil, func() C.enum_blooio_status {
			return C.blooio_options_set_allow_insecure_http(o, C.bool(*s.insecureHTTP), &e)
		}),
		str(s.caFile, "CA file", func(c *C.char) C.enum_blooio_status {
			return C.blooio_options_set_ca_file(o, c, &e)
		}),
		str(s.proxy, "proxy", func(c *C.char) C.enum_blooio_status {
			return C.blooio_options_set_proxy(o, c, &e)
		}),
		given(s.platformVerifier != nil, func() C.enum_blooio_status {
			return C.blooio_options_set_platform_verifier(o, C.bool(*s.platformVerifier), &e)
		}),
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	for _, h := range s.headers {
		name, value, err := headerStrings(h)
		if err != nil {
			return err
		}
		status := C.blooio_options_add_default_header(o, name, value, &e)
		C.free(unsafe.Pointer(name))
		C.free(unsafe.Pointer(value))
		if err := check(status); err != nil {
			return err
		}
	}
	return nil
}

// headerStrings copies a header into C memory (the caller frees both). A NUL cannot cross
// into C: it is refused with the status the library gives a header with CR or LF.
func headerStrings(h [2]string) (*C.char, *C.char, error) {
	for i, what := range []string{"name", "value"} {
		if strings.IndexByte(h[i], 0) >= 0 {
			return nil, nil, &Error{Status: StatusInvalidConfig,
				Message: fmt.Sprintf("header %q: its %s contains a NUL byte; remove it", strings.ReplaceAll(h[0], "\x00", ""), what)}
		}
	}
	return C.CString(h[0]), C.CString(h[1]), nil
}

// Client is a client for the chat-background endpoints. It is safe for use by many
// goroutines at once. Close it when done; one that is garbage-collected unclosed is freed
// then.
type Client struct {
	// ptr holds nil once closed. Close may free the C client while calls run: the library
	// keeps what those calls need until they end.
	ptr     atomic.Pointer[handle]
	cleanup runtime.Cleanup
}

// handle wraps the C client for atomic.Pointer, which cannot hold an incomplete C type.
type handle struct{ c *C.blooio_client }

// NewClient checks the settings and creates a client; nothing is sent. Settings not given
// come from the environment (BLOOIO_API_KEY, BLOOIO_BASE_URL, BLOOIO_CUSTOM_HEADERS,
// BLOOIO_LOG), then the defaults. It fails with StatusInvalidConfig for an unusable
// configuration (no API key, a bad base URL, a refused header, ...).
func NewClient(opts ...Option) (*Client, error) {
	var o *C.blooio_options
	var e *C.blooio_error
	if status := Status(C.blooio_options_new(&o, &e)); status != StatusOK {
		return nil, takeError(status, e)
	}
	received()
	defer func() {
		C.blooio_options_free(o)
		released()
	}()
	s := settings{binding: "go"}
	for _, opt := range opts {
		opt.applyClient(&s)
	}
	if err := s.apply(o); err != nil {
		return nil, err
	}
	logger, err := setLogger(o, s.logger)
	if err != nil {
		return nil, err
	}
	var ptr *C.blooio_client
	if status := Status(C.blooio_client_new(o, &ptr, &e)); status != StatusOK {
		logger.release()
		return nil, takeError(status, e)
	}
	received()
	c := &Client{}
	c.ptr.Store(&handle{ptr})
	c.cleanup = runtime.AddCleanup(c, func(p *C.blooio_client) {
		C.blooio_client_free(p)
		released()
	}, ptr)
	if logger != nil {
		// The library may log for calls still running after Close; those calls keep c
		// alive, so the logger's handle goes when c does, not at Close.
		runtime.AddCleanup(c, (*logHandle).release, logger)
	}
	return c, nil
}

// Close frees the client; calls still running on it finish normally. Later calls fail with
// StatusInvalidArgument. Closing twice is harmless.
func (c *Client) Close() error {
	h := c.ptr.Swap(nil)
	if h == nil {
		return nil
	}
	c.cleanup.Stop()
	C.blooio_client_free(h.c)
	released()
	return nil
}

// callFunc is one C call, given the client, the call's options (nil: none) and the out-parameters.
type callFunc func(*C.blooio_client, *C.blooio_call_options, **C.blooio_background, **C.blooio_error) Status

// call runs one request with ctx and the call's options, and turns its outcome into Go values.
func (c *Client) call(ctx context.Context, method string, opts []CallOption, do callFunc) (*Background, error) {
	h := c.ptr.Load()
	if h == nil {
		return nil, argumentError("%s: the client is closed", method)
	}
	if ctx == nil {
		return nil, argumentError("%s: the context is nil; pass context.Background() or a context of yours", method)
	}
	if err := ctx.Err(); err != nil {
		return nil, cancelledBeforeStart(method, ctx)
	}
	call, err := newCall(ctx, opts)
	if err != nil {
		return nil, err
	}
	var b *C.blooio_background
	var e *C.blooio_error
	status := do(h.c, call.options, &b, &e)
	runtime.KeepAlive(c)
	var out *Background
	if status != StatusOK {
		err = withContext(takeError(status, e), ctx)
	} else {
		out, err = takeBackground(b)
	}
	call.end() // after the library's objects are freed: it re-panics with the progress callback's panic
	return out, err
}

// GetChatBackground is GET /chats/{chatID}/background: the chat's current background.
// chatID is a phone number ("+15551234567"), an email, a group id or a comma-separated list.
// ctx bounds the whole call (every attempt and the waits between them); opts may set a timeout
// per attempt (WithTimeout) and extra headers (WithHeader) for this call.
func (c *Client) GetChatBackground(ctx context.Context, chatID string, opts ...CallOption) (*Background, error) {
	id, err := cString(chatID, "the chat id")
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(id))
	return c.call(ctx, "GetChatBackground", opts, func(cl *C.blooio_client, o *C.blooio_call_options, b **C.blooio_background, e **C.blooio_error) Status {
		return Status(C.blooio_get_chat_background_with_options(cl, id, o, b, e))
	})
}

// SetChatBackgroundFile is PUT /chats/{chatID}/background with an image file (JPEG, PNG, GIF,
// WebP, HEIC or HEIF judged by its bytes, at most 10 MiB), streamed from disk by the library.
// The result includes Changed. Besides WithTimeout and WithHeader, opts may hold WithProgress.
func (c *Client) SetChatBackgroundFile(ctx context.Context, chatID, path string, opts ...CallOption) (*Background, error) {
	id, err := cString(chatID, "the chat id")
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(id))
	p, err := cString(path, "the path")
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(p))
	return c.call(ctx, "SetChatBackgroundFile", opts, func(cl *C.blooio_client, o *C.blooio_call_options, b **C.blooio_background, e **C.blooio_error) Status {
		return Status(C.blooio_set_chat_background_file_with_options(cl, id, p, o, b, e))
	})
}

// SetChatBackgroundBytes is PUT /chats/{chatID}/background with image bytes, borrowed for the
// call only. An empty (or nil) slice is refused with StatusInvalidImage. The result includes
// Changed. Besides WithTimeout and WithHeader, opts may hold WithProgress.
func (c *Client) SetChatBackgroundBytes(ctx context.Context, chatID string, data []byte, opts ...CallOption) (*Background, error) {
	id, err := cString(chatID, "the chat id")
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(id))
	ptr := (*C.uint8_t)(nil) // with a length of 0, the library answers that the image is empty
	if len(data) > 0 {
		// Go memory without Go pointers in it, which the library reads during the call only.
		ptr = (*C.uint8_t)(unsafe.Pointer(&data[0]))
	}
	return c.call(ctx, "SetChatBackgroundBytes", opts, func(cl *C.blooio_client, o *C.blooio_call_options, b **C.blooio_background, e **C.blooio_error) Status {
		return Status(C.blooio_set_chat_background_bytes_with_options(cl, id, ptr, C.size_t(len(data)), o, b, e))
	})
}
