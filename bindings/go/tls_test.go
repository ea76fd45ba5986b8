package blooio

// HTTPS against the emulator and tinyproxy of tests/tls/with-tls.sh (make test-go runs the
// tests under it): both endpoints with the CA by WithCAFile and by SSL_CERT_FILE, refused
// certificates after exactly one connection as StatusTLS, a bad CA file, and the proxy.

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func tlsEnv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run under tests/tls/with-tls.sh (make test-go does)", name)
	}
	return v
}

// tlsEmulator is the HTTPS emulator, driven through its plain control origin, freshly reset.
func tlsEmulator(t *testing.T) *emulator {
	t.Helper()
	os.Unsetenv("SSL_CERT_FILE")
	os.Unsetenv("SSL_CERT_DIR")
	e := &emulator{baseURL: tlsEnv(t, "BLOOIO_TEST_TLS_BASE_URL"), origin: tlsEnv(t, "BLOOIO_TEST_TLS_CONTROL_URL")}
	e.reset(t)
	return e
}

func tlsConnections(t *testing.T, e *emulator) int {
	var stats struct {
		TLSConnections int `json:"tls_connections"`
	}
	e.control(t, "GET", "stats", nil, &stats)
	return stats.TLSConnections
}

func tlsClient(t *testing.T, opts ...Option) (*Client, error) {
	base := []Option{
		WithAPIKey(tlsEnv(t, "BLOOIO_TEST_API_KEY")),
		WithBaseURL(tlsEnv(t, "BLOOIO_TEST_TLS_BASE_URL")),
		WithMaxRetries(3),
	}
	return NewClient(append(base, opts...)...)
}

var tlsTail byte

func bothEndpoints(t *testing.T, c *Client, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tlsTail++
	image, _ := os.ReadFile(filepath.Join("..", "..", "examples", "assets", "sample.png"))
	set, err := c.SetChatBackgroundBytes(t.Context(), "+15551234567", append(image, tlsTail))
	if err != nil {
		t.Fatal(err)
	}
	if set.BackgroundURL == nil || !strings.HasPrefix(*set.BackgroundURL, "https://") {
		t.Fatalf("background URL %v", set.BackgroundURL)
	}
	got, err := c.GetChatBackground(t.Context(), "+15551234567")
	if err != nil {
		t.Fatal(err)
	}
	if *got.BackgroundID != *set.BackgroundID {
		t.Fatalf("got %s, set %s", *got.BackgroundID, *set.BackgroundID)
	}
}

func TestTLSWithCAFile(t *testing.T) {
	e := tlsEmulator(t)
	before := tlsConnections(t, e)
	c, err := tlsClient(t, WithCAFile(tlsEnv(t, "BLOOIO_TEST_CA_FILE")))
	bothEndpoints(t, c, err)
	if n := tlsConnections(t, e) - before; n != 1 {
		t.Fatalf("%d TLS connections for two calls", n)
	}
}

func TestTLSWithSSLCertFile(t *testing.T) {
	tlsEmulator(t)
	os.Setenv("SSL_CERT_FILE", tlsEnv(t, "BLOOIO_TEST_CA_FILE"))
	c, err := tlsClient(t)
	os.Unsetenv("SSL_CERT_FILE")
	bothEndpoints(t, c, err)
}

func TestTLSRefusedAfterOneConnection(t *testing.T) {
	e := tlsEmulator(t)
	for _, tc := range []struct {
		fault string
		trust bool
		says  string
	}{
		{"", false, "is not trusted (unknown issuer"},
		{"tls_expired_cert", true, "has expired"},
		{"tls_wrong_name_cert", true, "is not valid for the name 127.0.0.1"},
		{"tls_ca_as_leaf", true, "is a CA certificate"},
	} {
		if tc.fault != "" {
			e.control(t, "POST", "script", map[string]string{"action": tc.fault}, nil)
		}
		var opts []Option
		if tc.trust {
			opts = append(opts, WithCAFile(tlsEnv(t, "BLOOIO_TEST_CA_FILE")))
		}
		c, err := tlsClient(t, opts...)
		if err != nil {
			t.Fatal(err)
		}
		before := tlsConnections(t, e)
		_, err = c.GetChatBackground(t.Context(), "+15551234567")
		c.Close()
		var be *Error
		if !errors.As(err, &be) || !errors.Is(err, StatusTLS) {
			t.Fatalf("%s: want StatusTLS, got %v", tc.says, err)
		}
		if be.Attempts != 1 || !strings.Contains(be.Message, tc.says) || strings.Contains(be.Message, "gave up") {
			t.Fatalf("attempts %d, message %q", be.Attempts, be.Message)
		}
		if strings.Contains(be.Message, tlsEnv(t, "BLOOIO_TEST_API_KEY")) {
			t.Fatal("the key is in the message")
		}
		if n := tlsConnections(t, e) - before; n != 1 {
			t.Fatalf("%s: %d connections", tc.says, n)
		}
	}
	if reqs := e.requests(t); len(reqs) != 0 {
		t.Fatalf("%d requests got through", len(reqs))
	}
}

func TestTLSBadCAFile(t *testing.T) {
	tlsEmulator(t)
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.pem")
	os.WriteFile(empty, nil, 0o644)
	for _, path := range []string{empty, filepath.Join(dir, "missing.pem")} {
		_, err := tlsClient(t, WithCAFile(path))
		var be *Error
		if !errors.As(err, &be) || be.Status != StatusInvalidConfig || !strings.Contains(be.Message, path) {
			t.Fatalf("%s: %v", path, err)
		}
	}
	if _, err := tlsClient(t, WithCAFile(empty), WithPlatformVerifier(true)); !errors.Is(err, StatusInvalidConfig) {
		t.Fatalf("ca file with platform verifier: %v", err)
	}
}

func TestTLSThroughTheProxy(t *testing.T) {
	tlsEmulator(t)
	c, err := tlsClient(t, WithCAFile(tlsEnv(t, "BLOOIO_TEST_CA_FILE")), WithProxy(tlsEnv(t, "BLOOIO_TEST_PROXY")))
	bothEndpoints(t, c, err)
	log, err := os.ReadFile(tlsEnv(t, "BLOOIO_TEST_PROXY_LOG"))
	if err != nil {
		t.Fatal(err)
	}
	base := tlsEnv(t, "BLOOIO_TEST_TLS_BASE_URL")
	hostPort := strings.TrimSuffix(strings.TrimPrefix(base, "https://"), "/v2/api")
	if !strings.Contains(string(log), "CONNECT "+hostPort) {
		t.Fatalf("no CONNECT %s in the proxy log:\n%s", hostPort, log)
	}
	if strings.Contains(string(log), tlsEnv(t, "BLOOIO_TEST_API_KEY")) || strings.Contains(string(log), "/chats/") {
		t.Fatal("the proxy saw the key or a path")
	}
}
