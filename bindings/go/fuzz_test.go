package blooio

// FuzzConversions drives the binding's conversions with `go test -fuzz`: Go strings to C
// strings (a NUL inside is refused before the library is called), durations to the library's
// milliseconds, byte slices to pointer and length, and everything the library hands back (its
// errors and backgrounds) to Go values. Calls go to the emulator on loopback, or to a closed
// loopback port; nothing else is ever contacted. `make fuzz-go` runs it (briefly in CI).

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// closedPortURL is a loopback base URL nobody listens on.
func closedPortURL(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/v2/api"
}

// checkError: every failure is an *Error with a named status and a readable message.
func checkError(t *testing.T, err error, what string) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: %T %v is not an *Error", what, err, err)
	}
	if e.Status == StatusOK || e.Status.String() == "unknown" {
		t.Fatalf("%s: status %d (%s)", what, int(e.Status), e.Status)
	}
	for _, s := range []string{e.Message, e.ServerMessage, e.Code, e.RequestID} {
		if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			t.Fatalf("%s: %q is not clean UTF-8", what, s)
		}
	}
	if e.Message == "" || strings.Contains(e.Message, testAPIKey) {
		t.Fatalf("%s: message %q", what, e.Message)
	}
	return e
}

func FuzzConversions(f *testing.F) {
	f.Add("+15551234567", []byte("\x89PNG\r\n\x1a\nrest"), int64(time.Second), "suffix/1.0")
	f.Add("alice@example.com", []byte{0xFF, 0xD8, 0xFF, 0xE0}, int64(1500*time.Microsecond), "")
	f.Add("grp_abc\x00123", []byte{}, int64(-1), "bad\x00suffix")
	f.Add("+1 555", []byte(nil), int64(24*time.Hour+time.Millisecond), "a\r\nb")
	f.Add("caf\xc3\xa9,\xff\xfe", []byte("GIF89a"), int64(999*time.Microsecond), "\xff")
	closed := closedPortURL(f)

	f.Fuzz(func(t *testing.T, chatID string, data []byte, timeout int64, suffix string) {
		before := liveHandles.Load()
		// Registered first, so it runs after every other cleanup (the clients' Close).
		t.Cleanup(func() {
			if live := liveHandles.Load(); live != before {
				t.Errorf("%d library objects were not freed", live-before)
			}
		})

		// Durations: accepted exactly when they are 1 ms to one day in whole milliseconds.
		d := time.Duration(timeout)
		c, err := NewClient(WithAPIKey(testAPIKey), WithBaseURL(closed), WithMaxRetries(0),
			WithTimeout(d), WithConnectTimeout(time.Second), WithUserAgentSuffix(suffix))
		wantTimeout := d >= time.Millisecond && d/time.Millisecond <= 24*time.Hour/time.Millisecond
		switch {
		case err == nil:
			if !wantTimeout {
				t.Fatalf("timeout %v accepted", d)
			}
			c.Close()
		case strings.IndexByte(suffix, 0) >= 0:
			if e := checkError(t, err, "NUL in the suffix"); e.Status != StatusInvalidArgument {
				t.Fatalf("NUL in the suffix: %v", e)
			}
		default:
			e := checkError(t, err, "NewClient")
			if wantTimeout && !strings.Contains(e.Message, "User-Agent") && !strings.Contains(e.Message, "suffix") {
				t.Fatalf("timeout %v, suffix %q refused: %v", d, suffix, e)
			}
		}

		// Strings and bytes, to the emulator (a get) and to the closed port (a set).
		live := newClient(t)
		dead, err := NewClient(WithAPIKey(testAPIKey), WithBaseURL(closed), WithMaxRetries(0))
		if err != nil {
			t.Fatal(err)
		}
		defer dead.Close()
		hasNUL := strings.IndexByte(chatID, 0) >= 0
		b, err := live.GetChatBackground(t.Context(), chatID)
		if err == nil {
			if hasNUL || !utf8.ValidString(chatID) {
				t.Fatalf("%q was sent", chatID)
			}
			for _, s := range []*string{b.ChatID, b.BackgroundID, b.BackgroundURL} {
				if s != nil && !utf8.ValidString(*s) {
					t.Fatalf("background field %q", *s)
				}
			}
		} else {
			e := checkError(t, err, "GetChatBackground")
			if hasNUL && e.Status != StatusInvalidArgument {
				t.Fatalf("NUL in %q: %v", chatID, e)
			}
		}
		_, err = dead.SetChatBackgroundBytes(t.Context(), chatID, data)
		e := checkError(t, err, "SetChatBackgroundBytes")
		switch {
		case hasNUL:
			if e.Status != StatusInvalidArgument {
				t.Fatalf("NUL in %q: %v", chatID, e)
			}
		case data == nil:
			// Refused as a NULL pointer, unless the chat id is refused first.
			if e.Status != StatusInvalidArgument && e.Status != StatusInvalidChatID {
				t.Fatalf("%q, nil data: %v", chatID, e)
			}
		case len(data) == 0:
			if e.Status != StatusInvalidImage && e.Status != StatusInvalidChatID && e.Status != StatusInvalidArgument {
				t.Fatalf("empty data: %v", e)
			}
		}
		if e.Attempts > 1 {
			t.Fatalf("%d attempts with no retries allowed", e.Attempts)
		}
	})
}
