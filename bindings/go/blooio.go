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
//	set, err := client.SetChatBackgroundFile("+15551234567", "beach.jpg")
//	now, err := client.GetChatBackground("+15551234567")
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

// An Option changes one setting of a new client.
type Option func(*settings)

// settings holds what the options asked for; nil means "not set" (the library then uses the
// environment or its default).
type settings struct {
	binding                          string
	apiKey, baseURL, userAgentSuffix *string
	timeout, connectTimeout          *time.Duration
	maxRetries                       *int
	insecureHTTP                     *bool
}

// WithAPIKey sets the API key (default: $BLOOIO_API_KEY).
func WithAPIKey(key string) Option { return func(s *settings) { s.apiKey = &key } }

// WithBaseURL sets the API's base URL (default: $BLOOIO_BASE_URL, then
// https://api.blooio.com/v2/api). Plain http is accepted for loopback hosts only, unless
// WithInsecureHTTP(true).
func WithBaseURL(url string) Option { return func(s *settings) { s.baseURL = &url } }

// WithUserAgentSuffix sets the token appended to the User-Agent (default "blooio-go/VERSION").
func WithUserAgentSuffix(suffix string) Option {
	return func(s *settings) { s.userAgentSuffix = &suffix }
}

// WithTimeout sets how long one attempt may take (default 60 s; 1 ms to one day).
func WithTimeout(d time.Duration) Option { return func(s *settings) { s.timeout = &d } }

// WithConnectTimeout sets how long connecting may take (default 5 s; 1 ms to one day).
func WithConnectTimeout(d time.Duration) Option { return func(s *settings) { s.connectTimeout = &d } }

// WithMaxRetries sets how many times a failed attempt is retried when that is safe
// (default 2; 0 turns retries off).
func WithMaxRetries(n int) Option { return func(s *settings) { s.maxRetries = &n } }

// WithInsecureHTTP allows a plain http:// base URL on a host that is not loopback. The API key
// then travels in clear text: only for a trusted network.
func WithInsecureHTTP(allow bool) Option { return func(s *settings) { s.insecureHTTP = &allow } }

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

// apply hands the settings to the library's options, one setter at a time.
func (s *settings) apply(o *C.blooio_options) error {
	var e *C.blooio_error
	setString := func(value *string, name string, set func(*C.char) Status) error {
		if value == nil {
			return nil
		}
		c, err := cString(*value, name)
		if err != nil {
			return err
		}
		defer C.free(unsafe.Pointer(c))
		if status := set(c); status != StatusOK {
			return takeError(status, e)
		}
		return nil
	}
	set := func(status Status) error {
		if status != StatusOK {
			return takeError(status, e)
		}
		return nil
	}
	if err := setString(&s.binding, "the binding name", func(c *C.char) Status {
		return Status(C.blooio_options_set_binding(o, c, &e))
	}); err != nil {
		return err
	}
	if err := setString(s.apiKey, "the API key", func(c *C.char) Status {
		return Status(C.blooio_options_set_api_key(o, c, &e))
	}); err != nil {
		return err
	}
	if err := setString(s.baseURL, "the base URL", func(c *C.char) Status {
		return Status(C.blooio_options_set_base_url(o, c, &e))
	}); err != nil {
		return err
	}
	if err := setString(s.userAgentSuffix, "the User-Agent suffix", func(c *C.char) Status {
		return Status(C.blooio_options_set_user_agent_suffix(o, c, &e))
	}); err != nil {
		return err
	}
	if s.timeout != nil {
		if err := set(Status(C.blooio_options_set_timeout_ms(o, milliseconds(*s.timeout), &e))); err != nil {
			return err
		}
	}
	if s.connectTimeout != nil {
		if err := set(Status(C.blooio_options_set_connect_timeout_ms(o, milliseconds(*s.connectTimeout), &e))); err != nil {
			return err
		}
	}
	if s.maxRetries != nil {
		n := *s.maxRetries
		if n < 0 || uint64(n) > math.MaxUint32 {
			return argumentError("max retries is %d; give a number from 0 to %d", n, uint32(math.MaxUint32))
		}
		if err := set(Status(C.blooio_options_set_max_retries(o, C.uint32_t(n), &e))); err != nil {
			return err
		}
	}
	if s.insecureHTTP != nil {
		if err := set(Status(C.blooio_options_set_allow_insecure_http(o, C.bool(*s.insecureHTTP), &e))); err != nil {
			return err
		}
	}
	return nil
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
// come from the environment (BLOOIO_API_KEY, BLOOIO_BASE_URL), then the defaults. It fails
// with StatusInvalidConfig for an unusable configuration (no API key, a bad base URL, ...).
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
		opt(&s)
	}
	if err := s.apply(o); err != nil {
		return nil, err
	}
	var ptr *C.blooio_client
	if status := Status(C.blooio_client_new(o, &ptr, &e)); status != StatusOK {
		return nil, takeError(status, e)
	}
	received()
	c := &Client{}
	c.ptr.Store(&handle{ptr})
	c.cleanup = runtime.AddCleanup(c, func(p *C.blooio_client) {
		C.blooio_client_free(p)
		released()
	}, ptr)
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

// call runs one request and turns its outcome into Go values.
func (c *Client) call(method string, do func(*C.blooio_client, **C.blooio_background, **C.blooio_error) Status) (*Background, error) {
	h := c.ptr.Load()
	if h == nil {
		return nil, argumentError("%s: the client is closed", method)
	}
	var b *C.blooio_background
	var e *C.blooio_error
	status := do(h.c, &b, &e)
	runtime.KeepAlive(c)
	if status != StatusOK {
		return nil, takeError(status, e)
	}
	return takeBackground(b)
}

// GetChatBackground is GET /chats/{chatID}/background: the chat's current background.
// chatID is a phone number ("+15551234567"), an email, a group id or a comma-separated list.
func (c *Client) GetChatBackground(chatID string) (*Background, error) {
	id, err := cString(chatID, "the chat id")
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(id))
	return c.call("GetChatBackground", func(cl *C.blooio_client, b **C.blooio_background, e **C.blooio_error) Status {
		return Status(C.blooio_get_chat_background(cl, id, b, e))
	})
}

// SetChatBackgroundFile is PUT /chats/{chatID}/background with an image file (JPEG, PNG, GIF,
// WebP, HEIC or HEIF judged by its bytes, at most 10 MiB), streamed from disk by the library.
// The result includes Changed.
func (c *Client) SetChatBackgroundFile(chatID, path string) (*Background, error) {
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
	return c.call("SetChatBackgroundFile", func(cl *C.blooio_client, b **C.blooio_background, e **C.blooio_error) Status {
		return Status(C.blooio_set_chat_background_file(cl, id, p, b, e))
	})
}

// SetChatBackgroundBytes is PUT /chats/{chatID}/background with image bytes, borrowed for the
// call only. An empty (or nil) slice is refused with StatusInvalidImage. The result includes
// Changed.
func (c *Client) SetChatBackgroundBytes(chatID string, data []byte) (*Background, error) {
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
	return c.call("SetChatBackgroundBytes", func(cl *C.blooio_client, b **C.blooio_background, e **C.blooio_error) Status {
		return Status(C.blooio_set_chat_background_bytes(cl, id, ptr, C.size_t(len(data)), b, e))
	})
}
