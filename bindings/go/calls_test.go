package blooio

// Issues 12 and 13 through the Go binding, against the emulator: headers on the wire and
// refused with nothing sent, a per-call timeout against a slow answer, request id and
// attempts, log lines (a *slog.Logger and $BLOOIO_LOG) without the key, upload progress and
// its abort (false or a panic), and cancellation by a context (cancel, deadline, during a
// retry's wait, before the start) with its latency measured and the connection not reused.

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func sampleBytes(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestHeadersOnTheWire(t *testing.T) {
	setUp(t)
	t.Setenv("BLOOIO_CUSTOM_HEADERS", "X-Env: from-env\n\nX-Team: env-loses\n")
	c := newClient(t, WithHeader("X-Team", "platform"), WithHeader("X-Both", "client"))
	if _, err := c.GetChatBackground(t.Context(), chat,
		WithHeader("x-both", "call"), WithHeader("X-Trace", "1"), WithHeader("X-Trace", "2")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetChatBackground(t.Context(), chat); err != nil {
		t.Fatal(err)
	}
	reqs := emu.requests(t)
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	for name, want := range map[string]string{"x-env": "from-env", "x-team": "platform", "x-both": "call", "x-trace": "2"} {
		if got := strings.Join(reqs[0].header(name), ","); got != want {
			t.Errorf("first call: %s is %q, want %q", name, got, want)
		}
	}
	// A later header of the same name replaced the earlier one (X-Trace: 2). The second call
	// had no call headers: the client's only.
	for name, want := range map[string]string{"x-env": "from-env", "x-team": "platform", "x-both": "client", "x-trace": ""} {
		if got := strings.Join(reqs[1].header(name), ","); got != want {
			t.Errorf("second call: %s is %q, want %q", name, got, want)
		}
	}
}

func TestRefusedHeadersSendNothing(t *testing.T) {
	setUp(t)
	bad := [][2]string{
		{"Authorization", "Bearer other"}, {"content-type", "text/plain"}, {"Content-Length", "1"},
		{"Host", "example.com"}, {"Transfer-Encoding", "chunked"},
		{"X-Evil\r\nX-Injected", "1"}, {"X-Ok", "a\r\nX-Injected: 1"}, {"X-Ok", "a\nb"},
		{"X Space", "1"}, {"", "1"}, {"X-Nul\x00", "1"}, {"X-Ok", "a\x00b"},
	}
	c := newClient(t)
	for _, h := range bad {
		_, err := NewClient(WithAPIKey(testAPIKey), WithBaseURL(emu.baseURL), WithHeader(h[0], h[1]))
		e := wantError(t, err, StatusInvalidConfig)
		if h[0] != "" && !strings.Contains(strings.ToLower(e.Message), strings.ToLower(strings.Split(strings.Split(h[0], "\r")[0], "\x00")[0])) {
			t.Errorf("client header %q: the message does not name it: %s", h[0], e.Message)
		}
		_, err = c.GetChatBackground(t.Context(), chat, WithHeader(h[0], h[1]))
		wantError(t, err, StatusInvalidConfig)
		_, err = c.SetChatBackgroundFile(t.Context(), chat, sample, WithHeader(h[0], h[1]))
		wantError(t, err, StatusInvalidConfig)
	}
	t.Setenv("BLOOIO_CUSTOM_HEADERS", "X-Fine: 1\nAuthorization: Bearer stolen")
	_, err := NewClient(WithAPIKey(testAPIKey), WithBaseURL(emu.baseURL))
	if e := wantError(t, err, StatusInvalidConfig); !strings.Contains(e.Message, "BLOOIO_CUSTOM_HEADERS") {
		t.Errorf("the message does not name BLOOIO_CUSTOM_HEADERS: %s", e.Message)
	}
	emu.wantNothingSent(t)
}

func TestPerCallTimeoutAgainstASlowAnswer(t *testing.T) {
	setUp(t)
	c := newClient(t, WithMaxRetries(0), WithTimeout(30*time.Second))
	emu.script(t, map[string]any{"delay_ms": 3000})
	start := time.Now()
	_, err := c.GetChatBackground(t.Context(), chat, WithTimeout(200*time.Millisecond))
	took := time.Since(start)
	wantError(t, err, StatusTimeout)
	if took < 150*time.Millisecond || took > 1500*time.Millisecond {
		t.Errorf("a 200 ms call timeout returned after %v", took)
	}
	t.Logf("per-call timeout of 200 ms against a 3 s answer: returned after %v", took.Round(time.Millisecond))
	// Out of range: refused, nothing sent.
	emu.reset(t)
	for _, d := range []time.Duration{0, -time.Second, 25 * time.Hour} {
		_, err := c.GetChatBackground(t.Context(), chat, WithTimeout(d))
		wantError(t, err, StatusInvalidConfig)
	}
	emu.wantNothingSent(t)
}

func TestRequestIDAndAttempts(t *testing.T) {
	setUp(t)
	c := newClient(t)
	first := getBackground(t, c)
	emu.script(t, map[string]any{"status": 502})
	set, err := c.SetChatBackgroundBytes(t.Context(), chat, sampleBytes(t))
	if err != nil {
		t.Fatal(err)
	}
	reqs := emu.requests(t)
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	if deref(t, "attempts", first.Attempts) != 1 || deref(t, "request id", first.RequestID) != reqs[0].RequestID {
		t.Errorf("get: attempts %d, request id %q; the emulator answered %q", *first.Attempts, *first.RequestID, reqs[0].RequestID)
	}
	if deref(t, "attempts", set.Attempts) != 2 || deref(t, "request id", set.RequestID) != reqs[2].RequestID {
		t.Errorf("set after a 502: attempts %d, request id %q; the emulator answered %q", *set.Attempts, *set.RequestID, reqs[2].RequestID)
	}
	if !strings.HasPrefix(reqs[2].RequestID, "req_") {
		t.Errorf("request id %q", reqs[2].RequestID)
	}
}

// lines is a slog handler's output, safe for the calls' goroutines.
type lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func TestLoggerGetsOneLinePerAttemptWithoutTheKey(t *testing.T) {
	setUp(t)
	var out lines
	logger := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, WithLogger(logger))
	emu.script(t, map[string]any{"status": 502})
	got := getBackground(t, c)
	text := out.String()
	t.Logf("logged:\n%s", text)
	for _, want := range []string{
		"level=INFO", "GET /v2/api/chats/%2B15551234567/background -> 502", "(attempt 1 of 3",
		"-> 200", "(attempt 2 of 3, request id " + *got.RequestID, "level=DEBUG", "retrying in",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the log lacks %q", want)
		}
	}
	if strings.Contains(text, testAPIKey) || strings.Contains(text, "Bearer") {
		t.Error("the log shows the key")
	}
	// At info, no retry decisions.
	emu.reset(t)
	out.buf.Reset()
	info := newClient(t, WithLogger(slog.New(slog.NewTextHandler(&out, nil))))
	emu.script(t, map[string]any{"status": 502})
	if _, err := info.GetChatBackground(t.Context(), chat); err != nil {
		t.Fatal(err)
	}
	if text := out.String(); strings.Count(text, "level=INFO") != 2 || strings.Contains(text, "retrying") {
		t.Errorf("an info logger got:\n%s", text)
	}
}

// TestBLOOIOLogToStderr runs this test binary again as a child with BLOOIO_LOG=debug and no
// logger, and reads the child's stderr.
func TestBLOOIOLogToStderr(t *testing.T) {
	if os.Getenv("BLOOIO_GO_LOG_CHILD") == "1" {
		setUp(t)
		c := newClient(t)
		if _, err := c.GetChatBackground(t.Context(), chat); err != nil {
			t.Fatal(err)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBLOOIOLogToStderr$", "-test.count=1")
	cmd.Env = append(os.Environ(), "BLOOIO_GO_LOG_CHILD=1", "BLOOIO_LOG=debug")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v\n%s", err, stderr.String())
	}
	text := stderr.String()
	if !strings.Contains(text, "blooio: GET /v2/api/chats/%2B15551234567/background -> 200") || strings.Contains(text, testAPIKey) {
		t.Errorf("stderr of a child with BLOOIO_LOG=debug:\n%s", text)
	}
}

func TestProgressTotalsEqualTheBodyLength(t *testing.T) {
	setUp(t)
	c := newClient(t)
	big := append(sampleBytes(t), make([]byte, 3<<20)...) // a PNG head and 3 MiB: many chunks
	var calls int
	var last, total int64
	monotonic := true
	b, err := c.SetChatBackgroundBytes(t.Context(), chat, big, WithProgress(func(sent, tot int64) bool {
		calls++
		if sent < last {
			monotonic = false
		}
		last, total = sent, tot
		return true
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !*b.Changed {
		t.Error("not changed")
	}
	reqs := emu.requests(t)
	if calls < 2 || !monotonic || last != total || total != reqs[0].BodyLen {
		t.Errorf("%d progress calls, monotonic %v, last %d of %d; the emulator received %d bytes", calls, monotonic, last, total, reqs[0].BodyLen)
	}
	// From a file too.
	emu.reset(t)
	last, total = 0, 0
	if _, err := c.SetChatBackgroundFile(t.Context(), chat, sample, WithProgress(func(sent, tot int64) bool {
		last, total = sent, tot
		return true
	})); err != nil {
		t.Fatal(err)
	}
	if reqs := emu.requests(t); last != total || total != reqs[0].BodyLen {
		t.Errorf("file: last %d of %d; the emulator received %d bytes", last, total, reqs[0].BodyLen)
	}
}

// connectionOf gives the connection the emulator saw the last request on.
func lastConnection(t *testing.T) int64 {
	t.Helper()
	reqs := emu.requests(t)
	if len(reqs) == 0 {
		t.Fatal("no request recorded")
	}
	return reqs[len(reqs)-1].ConnectionID
}

// checkNotReused makes one more call and checks that it did not travel on connection old.
func checkNotReused(t *testing.T, c *Client, old int64) {
	t.Helper()
	if _, err := c.GetChatBackground(t.Context(), chat); err != nil {
		t.Fatal(err)
	}
	if now := lastConnection(t); now == old {
		t.Errorf("the connection of the stopped call (%d) was reused", old)
	}
}

func TestProgressReturningFalseStopsTheUpload(t *testing.T) {
	setUp(t)
	c := newClient(t)
	if _, err := c.GetChatBackground(t.Context(), chat); err != nil { // a pooled connection
		t.Fatal(err)
	}
	pooled := lastConnection(t)
	big := append(sampleBytes(t), make([]byte, 4<<20)...)
	var calls int
	_, err := c.SetChatBackgroundBytes(t.Context(), chat, big, WithProgress(func(sent, total int64) bool {
		calls++
		return sent < total/4
	}))
	e := wantError(t, err, StatusCancelled)
	if !errors.Is(err, ErrCancelled) || errors.Is(err, context.Canceled) {
		t.Errorf("errors.Is: ErrCancelled %v, context.Canceled %v", errors.Is(err, ErrCancelled), errors.Is(err, context.Canceled))
	}
	if calls == 0 {
		t.Error("the callback was never called")
	}
	t.Logf("stopped by the callback: %s", e.Message)
	emu.waitCutShort(t, 1)
	for _, r := range emu.requests(t) {
		if r.Method == "PUT" && r.Status == 200 {
			t.Error("the stopped upload was answered 200")
		}
	}
	checkNotReused(t, c, pooled)
}

func TestProgressPanicStopsTheUploadAndIsRaisedAgain(t *testing.T) {
	setUp(t)
	c := newClient(t)
	big := append(sampleBytes(t), make([]byte, 4<<20)...)
	calls := 0
	var got any
	func() {
		defer func() { got = recover() }()
		c.SetChatBackgroundBytes(t.Context(), chat, big, WithProgress(func(sent, total int64) bool {
			calls++
			panic("boom from the callback")
		}))
	}()
	if got != "boom from the callback" || calls != 1 {
		t.Fatalf("recovered %v after %d calls", got, calls)
	}
	for _, r := range emu.requests(t) {
		if r.Status == 200 {
			t.Error("the upload whose callback panicked was answered 200")
		}
	}
	if _, err := c.GetChatBackground(t.Context(), chat); err != nil {
		t.Fatalf("the client after a panicking callback: %v", err)
	}
}

// cancelLatency starts a call against a 5 s answer, cancels it after 200 ms with cancel, and
// gives how long after the cancel the call returned.
func cancelLatency(t *testing.T, c *Client, ctx context.Context, cancel func()) (time.Duration, error) {
	t.Helper()
	emu.script(t, map[string]any{"delay_ms": 5000})
	var at time.Time
	timer := time.AfterFunc(200*time.Millisecond, func() { at = time.Now(); cancel() })
	defer timer.Stop()
	_, err := c.GetChatBackground(ctx, chat)
	returned := time.Now()
	if at.IsZero() {
		t.Fatalf("the call returned before the cancel: %v", err)
	}
	return returned.Sub(at), err
}

func TestContextCancelStopsTheCall(t *testing.T) {
	setUp(t)
	c := newClient(t)
	var worst time.Duration
	var all []string
	for i := 0; i < 5; i++ {
		if _, err := c.GetChatBackground(t.Context(), chat); err != nil { // a pooled connection
			t.Fatal(err)
		}
		pooled := lastConnection(t)
		ctx, cancel := context.WithCancel(t.Context())
		took, err := cancelLatency(t, c, ctx, cancel)
		wantError(t, err, StatusCancelled)
		if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrCancelled) {
			t.Errorf("errors.Is(err, context.Canceled) is false: %v", err)
		}
		if lastConnection(t) != pooled {
			t.Errorf("the slow call did not go on the pooled connection")
		}
		emu.waitCutShort(t, len(emu.requests(t))-1)
		checkNotReused(t, c, pooled)
		worst = max(worst, took)
		all = append(all, took.Round(100*time.Microsecond).String())
	}
	t.Logf("cancel -> return: %s (worst %v)", strings.Join(all, ", "), worst)
	if worst > 250*time.Millisecond {
		t.Errorf("a cancelled call took %v to return", worst)
	}
}

func TestContextDeadlineBoundsTheCall(t *testing.T) {
	setUp(t)
	c := newClient(t)
	emu.script(t, map[string]any{"delay_ms": 5000})
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.SetChatBackgroundFile(ctx, chat, sample)
	took := time.Since(start)
	e := wantError(t, err, StatusCancelled)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(e.Message, "deadline") {
		t.Errorf("not a deadline: %v", err)
	}
	emu.waitCutShort(t, 0)
	t.Logf("a 300 ms deadline against a 5 s answer: returned after %v", took.Round(time.Millisecond))
	if took < 300*time.Millisecond || took > 550*time.Millisecond {
		t.Errorf("returned after %v", took)
	}
}

func TestContextCancelDuringTheRetryWait(t *testing.T) {
	setUp(t)
	c := newClient(t)
	emu.script(t, map[string]any{"status": 503, "headers": map[string]string{"Retry-After": "20"}})
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetChatBackground(ctx, chat)
	took := time.Since(start)
	e := wantError(t, err, StatusCancelled)
	if took > 550*time.Millisecond || e.Attempts != 1 || len(emu.requests(t)) != 1 {
		t.Errorf("after %v, %d attempts, %d requests", took, e.Attempts, len(emu.requests(t)))
	}
	t.Logf("cancelled while waiting 20 s to retry: returned after %v", took.Round(time.Millisecond))
}

func TestContextDoneBeforeTheCallSendsNothing(t *testing.T) {
	setUp(t)
	c := newClient(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.GetChatBackground(ctx, chat)
	wantError(t, err, StatusCancelled)
	_, err = c.SetChatBackgroundBytes(ctx, chat, sampleBytes(t))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("not context.Canceled: %v", err)
	}
	_, err = c.GetChatBackground(nil, chat)
	wantError(t, err, StatusInvalidArgument)
	emu.wantNothingSent(t)
}

func TestManyGoroutinesCancelled(t *testing.T) {
	setUp(t)
	c := newClient(t)
	emu.script(t, []map[string]any{{"delay_ms": 5000, "repeat": 8}})
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.GetChatBackground(ctx, chat, WithHeader("X-Worker", "w"))
		}()
	}
	time.Sleep(300 * time.Millisecond)
	at := time.Now()
	cancel()
	wg.Wait()
	took := time.Since(at)
	for _, err := range errs {
		wantError(t, err, StatusCancelled)
	}
	t.Logf("8 goroutines cancelled at once: all returned %v after the cancel", took.Round(time.Millisecond))
	if took > 300*time.Millisecond {
		t.Errorf("took %v", took)
	}
}

func TestLoggerOutlivesCloseWhileACallRuns(t *testing.T) {
	setUp(t)
	var out lines
	c, err := NewClient(WithAPIKey(testAPIKey), WithBaseURL(emu.baseURL),
		WithLogger(slog.New(slog.NewTextHandler(&out, nil))))
	if err != nil {
		t.Fatal(err)
	}
	emu.script(t, map[string]any{"delay_ms": 300})
	done := make(chan error)
	go func() {
		_, err := c.GetChatBackground(t.Context(), chat)
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	c.Close() // the call runs on, and still logs
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "-> 200") {
		t.Errorf("no log line from the call that outlived Close: %q", out.String())
	}
	c = nil
	runtime.GC() // the cleanup deletes the logger's handle; nothing may call it after
	runtime.GC()
}
