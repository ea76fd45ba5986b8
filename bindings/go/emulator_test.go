package blooio

// The emulator the tests run against: started once for the package from $BLOOIO_EMULATOR
// (the Makefile passes the path), with --exit-on-stdin-eof and a stdin pipe held by the test
// binary, so it cannot outlive the tests however they end.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

const testAPIKey = "bl_test_key_go_0123456789"

type emulator struct {
	baseURL string
	origin  string
	stdin   io.WriteCloser
	cmd     *exec.Cmd
}

var emu *emulator

func TestMain(m *testing.M) {
	bin := os.Getenv("BLOOIO_EMULATOR")
	if bin == "" {
		fmt.Fprintln(os.Stderr, "set BLOOIO_EMULATOR to the blooio-emulator binary (make test-go does)")
		os.Exit(2)
	}
	var err error
	emu, err = startEmulator(bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	code := m.Run()
	emu.stop()
	os.Exit(code)
}

func startEmulator(bin string) (*emulator, error) {
	cmd := exec.Command(bin, "--listen", "127.0.0.1:0", "--api-key", testAPIKey, "--exit-on-stdin-eof", "--quiet")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the emulator: %w", err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("the emulator printed no URL: %w", err)
	}
	base := strings.TrimSpace(line)
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	return &emulator{baseURL: base, origin: u.Scheme + "://" + u.Host, stdin: stdin, cmd: cmd}, nil
}

func (e *emulator) stop() {
	e.stdin.Close()
	e.cmd.Wait()
}

// control calls the emulator's control API and decodes its JSON answer into out (if not nil).
func (e *emulator) control(t testing.TB, method, path string, body any, out any) {
	t.Helper()
	var reader io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		reader = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.origin+"/__emulator/"+path, reader)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("emulator %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("emulator %s %s: %d %s", method, path, resp.StatusCode, text)
	}
	if out != nil {
		if err := json.Unmarshal(text, out); err != nil {
			t.Fatalf("emulator %s %s: %v in %s", method, path, err, text)
		}
	}
}

type recordedRequest struct {
	Method  string      `json:"method"`
	RawPath string      `json:"raw_path"`
	Headers [][2]string `json:"headers"`
	// BodyLen is the request body's length received (multipart boundaries included).
	BodyLen      int64  `json:"body_len"`
	Status       int    `json:"status"`
	RequestID    string `json:"request_id"`
	ConnectionID int64  `json:"connection_id"`
	// ClientAborted: the client closed the connection before the answer was complete.
	ClientAborted bool `json:"client_aborted"`
	Parts         []struct {
		Name        string `json:"name"`
		ContentType string `json:"content_type"`
		Len         int    `json:"len"`
	} `json:"parts"`
}

func (e *emulator) requests(t testing.TB) []recordedRequest {
	t.Helper()
	var out []recordedRequest
	e.control(t, "GET", "requests", nil, &out)
	return out
}

// wantNothingSent fails the test if a request reached the emulator since its last reset.
func (e *emulator) wantNothingSent(t testing.TB) {
	t.Helper()
	if n := len(e.requests(t)); n != 0 {
		t.Fatalf("%d requests were sent", n)
	}
}

func (e *emulator) reset(t testing.TB) {
	t.Helper()
	e.control(t, "POST", "reset", nil, nil)
}

// header gives the values of header name (lower case) in the order received.
func (r recordedRequest) header(name string) []string {
	var out []string
	for _, h := range r.Headers {
		if h[0] == name {
			out = append(out, h[1])
		}
	}
	return out
}

// stat gives one number of GET /__emulator/stats, such as "connections_accepted".
func (e *emulator) stat(t testing.TB, name string) int64 {
	t.Helper()
	var out map[string]int64
	e.control(t, "GET", "stats", nil, &out)
	return out[name]
}

// script queues faults (one object or an array) for the next API requests.
func (e *emulator) script(t testing.TB, faults any) {
	t.Helper()
	e.control(t, "POST", "script", faults, nil)
}

// waitCutShort polls (up to 2 s) until the emulator marks its request number i (0-based,
// since the last reset) as cut short by the client, and fails the test if it never does.
func (e *emulator) waitCutShort(t testing.TB, i int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		reqs := e.requests(t)
		if i < len(reqs) && reqs[i].ClientAborted {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("the emulator never saw request %d cut short by the client", i+1)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}
