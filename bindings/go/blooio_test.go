package blooio

// The Go binding against the emulator: the shared scenario (set from a file, get, set from
// bytes, a bad key), then what is particular to Go: many goroutines on one client with each
// error's detail belonging to its own call, Close while calls run, cleanup of a client that
// was never closed, and every object the library hands over freed.

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

const chat = "+15551234567"

var sample = filepath.Join("..", "..", "examples", "assets", "sample.png")

// newClient gives a client of the emulator, closed when the test ends.
func newClient(t *testing.T, opts ...Option) *Client {
	t.Helper()
	all := append([]Option{WithAPIKey(testAPIKey), WithBaseURL(emu.baseURL)}, opts...)
	c, err := NewClient(all...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// setUp resets the emulator and, when the test ends, checks that everything the library
// handed over during it was freed.
func setUp(t *testing.T) {
	t.Helper()
	emu.reset(t)
	before := liveHandles.Load()
	t.Cleanup(func() {
		if live := liveHandles.Load(); live != before {
			t.Errorf("%d library objects were not freed", live-before)
		}
	})
}

// wantError checks that err is an *Error of the given status and returns it.
func wantError(t *testing.T, err error, status Status) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want an *Error with status %v, got %v", status, err)
	}
	if e.Status != status {
		t.Fatalf("want status %v, got %v: %s", status, e.Status, e.Message)
	}
	if !errors.Is(err, status) {
		t.Fatalf("errors.Is(err, %v) is false", status)
	}
	return e
}

// getBackground gets the test chat's background, failing the test on an error.
func getBackground(t *testing.T, c *Client) *Background {
	t.Helper()
	got, err := c.GetChatBackground(t.Context(), chat)
	if err != nil {
		t.Fatalf("GetChatBackground: %v", err)
	}
	return got
}

func deref[T any](t *testing.T, field string, p *T) T {
	t.Helper()
	if p == nil {
		t.Fatalf("%s is absent", field)
	}
	return *p
}

func TestScenario(t *testing.T) {
	setUp(t)
	c := newClient(t)

	set, err := c.SetChatBackgroundFile(t.Context(), chat, sample)
	if err != nil {
		t.Fatalf("SetChatBackgroundFile: %v", err)
	}
	if got := deref(t, "chat_id", set.ChatID); got != chat {
		t.Errorf("chat_id %q", got)
	}
	if !deref(t, "has_background", set.HasBackground) {
		t.Error("has_background is false after a set")
	}
	if !deref(t, "changed", set.Changed) {
		t.Error("changed is false after the first set")
	}
	if v := deref(t, "background_version", set.BackgroundVersion); v != 1 {
		t.Errorf("background_version %d", v)
	}

	got := getBackground(t, c)
	if !deref(t, "has_background", got.HasBackground) {
		t.Error("has_background is false on get")
	}
	if deref(t, "background_id", got.BackgroundID) != deref(t, "background_id", set.BackgroundID) {
		t.Errorf("background_id %q, set gave %q", *got.BackgroundID, *set.BackgroundID)
	}
	if *got.BackgroundVersion != *set.BackgroundVersion {
		t.Errorf("background_version %d, set gave %d", *got.BackgroundVersion, *set.BackgroundVersion)
	}
	if got.Changed != nil {
		t.Errorf("changed is present on get: %v", *got.Changed)
	}

	data, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.SetChatBackgroundBytes(t.Context(), chat, data)
	if err != nil {
		t.Fatalf("SetChatBackgroundBytes: %v", err)
	}
	if again.Changed == nil || !deref(t, "has_background", again.HasBackground) {
		t.Errorf("set from bytes: %+v", again)
	}

	reqs := emu.requests(t)
	if len(reqs) != 3 {
		t.Fatalf("%d requests sent, want 3", len(reqs))
	}
	for i, want := range []string{"PUT", "GET", "PUT"} {
		if reqs[i].Method != want || reqs[i].RawPath != "/v2/api/chats/%2B15551234567/background" {
			t.Errorf("request %d: %s %s", i, reqs[i].Method, reqs[i].RawPath)
		}
	}
	part := reqs[0].Parts[0]
	if part.Name != "background" || part.ContentType != "image/png" || part.Len != len(data) {
		t.Errorf("upload part %+v", part)
	}
	for _, h := range reqs[0].Headers {
		if h[0] == "user-agent" && !strings.Contains(h[1], "blooio-go/"+Version) {
			t.Errorf("User-Agent %q", h[1])
		}
	}
}

func TestBackgroundMarshalsToTheAPIShape(t *testing.T) {
	setUp(t)
	c := newClient(t)
	got := getBackground(t, c)
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); !strings.Contains(s, `"chat_id":"+15551234567"`) || !strings.Contains(s, `"has_background":false`) ||
		strings.Contains(s, "changed") {
		t.Errorf("JSON %s", s)
	}
}

func TestBadKeyIsAuthenticationWithTheServerMessage(t *testing.T) {
	setUp(t)
	const secret = "bl_wrong_key_9f8e7d6c5b4a"
	c := newClient(t, WithAPIKey(secret), WithMaxRetries(0))
	_, err := c.GetChatBackground(t.Context(), chat)
	e := wantError(t, err, StatusAuthentication)
	if e.HTTPStatus != 401 || e.ServerMessage != "invalid API key" || e.Code != "UNAUTHORIZED" || e.Attempts != 1 {
		t.Errorf("error detail %+v", e)
	}
	if !strings.HasPrefix(e.RequestID, "req_") {
		t.Errorf("request id %q", e.RequestID)
	}
	if !strings.Contains(e.Error(), "invalid API key") {
		t.Errorf("message %q", e.Error())
	}
	for _, shown := range []string{e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e), fmt.Sprintf("%+v", c)} {
		if strings.Contains(shown, secret) {
			t.Errorf("the key leaked into %q", shown)
		}
	}
	_, err = c.SetChatBackgroundFile(t.Context(), chat, sample)
	wantError(t, err, StatusAuthentication)
}

func TestInvalidChatIDsSendNothing(t *testing.T) {
	setUp(t)
	c := newClient(t)
	for _, id := range []string{"", ".", "..", "+", "+1555x", "a\x01b"} {
		_, err := c.GetChatBackground(t.Context(), id)
		e := wantError(t, err, StatusInvalidChatID)
		if e.Attempts != 0 || e.HTTPStatus != 0 {
			t.Errorf("%q: %+v", id, e)
		}
		_, err = c.SetChatBackgroundFile(t.Context(), id, sample)
		wantError(t, err, StatusInvalidChatID)
	}
	emu.wantNothingSent(t)
}

func TestArgumentsThatCannotCrossAreRefused(t *testing.T) {
	setUp(t)
	c := newClient(t)
	// nil and empty are the same input: an empty image, as in every binding.
	_, err := c.SetChatBackgroundBytes(t.Context(), chat, nil)
	wantError(t, err, StatusInvalidImage)
	_, err = c.SetChatBackgroundBytes(t.Context(), chat, []byte{})
	wantError(t, err, StatusInvalidImage)
	_, err = c.SetChatBackgroundBytes(t.Context(), chat, []byte("not an image"))
	wantError(t, err, StatusInvalidImage)
	_, err = c.GetChatBackground(t.Context(), chat+"\x00evil")
	wantError(t, err, StatusInvalidArgument)
	_, err = c.SetChatBackgroundFile(t.Context(), chat, "/nonexistent/beach.jpg")
	if e := wantError(t, err, StatusIO); !strings.Contains(e.Message, "/nonexistent/beach.jpg") {
		t.Errorf("io: %s", e.Message)
	}
	emu.wantNothingSent(t)
}

func TestUnusableConfiguration(t *testing.T) {
	setUp(t)
	_, err := NewClient(WithAPIKey("k"), WithBaseURL("http://example.com/v2/api"))
	wantError(t, err, StatusInvalidConfig)
	// The bounds of a timeout are the core's, checked when the client is built.
	_, err = NewClient(WithAPIKey("k"), WithTimeout(0))
	if e := wantError(t, err, StatusInvalidConfig); !strings.Contains(e.Message, "at most one day") {
		t.Errorf("timeout 0: %s", e.Message)
	}
	_, err = NewClient(WithAPIKey("k"), WithMaxRetries(-1))
	wantError(t, err, StatusInvalidArgument)
	_, err = NewClient(WithAPIKey("k\x00"))
	wantError(t, err, StatusInvalidArgument)
}

func TestServerFailuresCarryTheirDetail(t *testing.T) {
	setUp(t)
	c := newClient(t, WithMaxRetries(1))
	emu.control(t, "POST", "script", map[string]any{"status": 502, "repeat": 2}, nil)
	_, err := c.GetChatBackground(t.Context(), chat)
	if e := wantError(t, err, StatusDeviceUnavailable); e.HTTPStatus != 502 || e.Attempts != 2 {
		t.Errorf("%+v", e)
	}
	emu.control(t, "POST", "script", map[string]any{"status": 503}, nil)
	_, err = c.GetChatBackground(t.Context(), chat)
	wantError(t, err, StatusNoActiveNumber)
}

// Goroutines move between OS threads between cgo calls; each call's error must still be its
// own. Successes, refusals and server failures run at once on shared clients.
func TestManyGoroutinesShareOneClient(t *testing.T) {
	setUp(t)
	good := newClient(t)
	bad := newClient(t, WithAPIKey("bl_wrong_key"), WithMaxRetries(0))
	const workers, rounds = 12, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				switch w % 3 {
				case 0:
					id := fmt.Sprintf("+1555%03d%04d", w, r)
					var b *Background
					var err error
					if r%2 == 0 {
						b, err = good.SetChatBackgroundFile(t.Context(), id, sample)
					} else {
						b, err = good.GetChatBackground(t.Context(), id)
					}
					if err != nil || b.ChatID == nil || *b.ChatID != id {
						errs <- fmt.Errorf("worker %d round %d: %v %+v", w, r, err, b)
					}
				case 1:
					id := fmt.Sprintf("+1555x%d-%d", w, r)
					_, err := good.GetChatBackground(t.Context(), id)
					var e *Error
					if !errors.As(err, &e) || e.Status != StatusInvalidChatID || !strings.Contains(e.Message, id) {
						errs <- fmt.Errorf("worker %d round %d: want invalid_chat_id naming %q, got %v", w, r, id, err)
					}
				case 2:
					_, err := bad.GetChatBackground(t.Context(), chat)
					var e *Error
					if !errors.As(err, &e) || e.Status != StatusAuthentication || e.HTTPStatus != 401 || e.ServerMessage != "invalid API key" {
						errs <- fmt.Errorf("worker %d round %d: want authentication, got %v", w, r, err)
					}
				}
				runtime.Gosched()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Close may free the client while a call runs on it: the library keeps what the call needs, so
// it finishes normally (and -race sees no data race).
func TestCloseWhileACallRuns(t *testing.T) {
	setUp(t)
	c, err := NewClient(WithAPIKey(testAPIKey), WithBaseURL(emu.baseURL))
	if err != nil {
		t.Fatal(err)
	}
	emu.control(t, "POST", "config", map[string]any{"latency_ms": 200}, nil)
	done := make(chan error, 1)
	go func() {
		_, err := c.GetChatBackground(t.Context(), chat)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("the running call failed: %v", err)
	}
	c.Close()
	_, err = c.GetChatBackground(t.Context(), chat)
	if e := wantError(t, err, StatusInvalidArgument); !strings.Contains(e.Message, "closed") {
		t.Errorf("after Close: %s", e.Message)
	}
}

func TestAnUnclosedClientIsFreedByTheGarbageCollector(t *testing.T) {
	setUp(t)
	before := liveHandles.Load()
	func() {
		c, err := NewClient(WithAPIKey(testAPIKey), WithBaseURL(emu.baseURL))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetChatBackground(t.Context(), chat); err != nil {
			t.Fatal(err)
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for liveHandles.Load() != before && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if live := liveHandles.Load(); live != before {
		t.Errorf("the client was not freed (%d live objects more)", live-before)
	}
}

func TestLibraryVersionMatchesThePackage(t *testing.T) {
	if v := LibraryVersion(); v != Version {
		t.Errorf("libblooio %s, package %s", v, Version)
	}
	if StatusAuthentication.String() != "authentication" {
		t.Errorf("status name %q", StatusAuthentication.String())
	}
}
