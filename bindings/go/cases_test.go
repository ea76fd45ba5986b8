package blooio

// The shared case table (tests/cases/cases.json) through the Go binding: every row, no
// per-row code. $BLOOIO_CASES may name another table.

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

type caseFixture struct {
	Hex        *string `json:"hex"`
	StartsWith string  `json:"starts_with"`
	Size       int     `json:"size"`
	Missing    bool    `json:"missing"`
	Directory  bool    `json:"directory"`
}

type caseRow struct {
	Name     string `json:"name"`
	Call     string `json:"call"`
	ChatID   string `json:"chat_id"`
	Image    string `json:"image"`
	NullData bool   `json:"null_data"`
	Closed   bool   `json:"closed"`
	Client   struct {
		MaxRetries *int    `json:"max_retries"`
		TimeoutMs  *int64  `json:"timeout_ms"`
		APIKey     *string `json:"api_key"`
		BaseURL    *string `json:"base_url"`
	} `json:"client"`
	Config json.RawMessage   `json:"config"`
	Script []json.RawMessage `json:"script"`
	Expect map[string]any    `json:"expect"`
}

type caseTable struct {
	Fixtures map[string]caseFixture `json:"fixtures"`
	Cases    []caseRow              `json:"cases"`
}

func casesPath() string {
	if p := os.Getenv("BLOOIO_CASES"); p != "" {
		return p
	}
	return filepath.Join("..", "..", "tests", "cases", "cases.json")
}

// caseImage gives a fixture's bytes (set_bytes) or the path of a file holding them (set_file).
func caseImage(t *testing.T, fixtures map[string]caseFixture, name string, asFile bool, tmp string) ([]byte, string) {
	t.Helper()
	spec, ok := fixtures[name]
	if !ok {
		t.Fatalf("no fixture %q", name)
	}
	if spec.Missing {
		return nil, filepath.Join(tmp, name+"-does-not-exist.png")
	}
	if spec.Directory {
		dir := filepath.Join(tmp, name+"-directory")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return nil, dir
	}
	var data []byte
	var err error
	if spec.Hex != nil {
		data, err = hex.DecodeString(*spec.Hex)
	} else {
		var head []byte
		head, err = hex.DecodeString(*fixtures[spec.StartsWith].Hex)
		data = make([]byte, spec.Size)
		copy(data, head)
	}
	if err != nil {
		t.Fatal(err)
	}
	if !asFile {
		return data, ""
	}
	file := filepath.Join(tmp, name+".img")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return nil, file
}

// caseOutcome is what a call gave, in the table's terms.
type caseOutcome struct {
	status       string
	httpStatus   any // nil or float64, as JSON decodes it
	attempts     float64
	retryAfterMs any
	background   map[string]any
}

func runCase(t *testing.T, fixtures map[string]caseFixture, row caseRow, tmp string) caseOutcome {
	opts := []Option{WithAPIKey(testAPIKey), WithBaseURL(emu.baseURL), WithMaxRetries(0)}
	c := row.Client
	if c.APIKey != nil {
		opts = append(opts, WithAPIKey(*c.APIKey))
	}
	if c.BaseURL != nil {
		opts = append(opts, WithBaseURL(*c.BaseURL))
	}
	if c.MaxRetries != nil {
		opts = append(opts, WithMaxRetries(*c.MaxRetries))
	}
	if c.TimeoutMs != nil {
		opts = append(opts, WithTimeout(time.Duration(*c.TimeoutMs)*time.Millisecond))
	}
	var background *Background
	client, err := NewClient(opts...)
	if err == nil {
		if row.Closed {
			client.Close()
		}
		switch row.Call {
		case "get":
			background, err = client.GetChatBackground(t.Context(), row.ChatID)
		case "set_file":
			_, path := caseImage(t, fixtures, row.Image, true, tmp)
			background, err = client.SetChatBackgroundFile(t.Context(), row.ChatID, path)
		case "set_bytes":
			var data []byte // nil: Go's null buffer
			if !row.NullData {
				data, _ = caseImage(t, fixtures, row.Image, false, tmp)
			}
			background, err = client.SetChatBackgroundBytes(t.Context(), row.ChatID, data)
		default:
			t.Fatalf("%s: unknown call %q", row.Name, row.Call)
		}
		client.Close()
	}
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%s: not a *blooio.Error: %v", row.Name, err)
		}
		out := caseOutcome{status: strings.ToUpper(e.Status.String()), attempts: float64(e.Attempts)}
		if e.HTTPStatus != 0 {
			out.httpStatus = float64(e.HTTPStatus)
		}
		if e.RetryAfter != 0 {
			out.retryAfterMs = float64(e.RetryAfter / time.Millisecond)
		}
		return out
	}
	out := caseOutcome{status: "OK", background: map[string]any{}}
	encoded, _ := json.Marshal(background)
	if err := json.Unmarshal(encoded, &out.background); err != nil {
		t.Fatal(err)
	}
	return out
}

func checkCase(row caseRow, got caseOutcome, records []recordedRequest) []string {
	expect := row.Expect
	var wrong []string
	same := func(what string, got, want any) {
		if !reflect.DeepEqual(got, want) {
			wrong = append(wrong, fmt.Sprintf("%s: got %v, expected %v", what, got, want))
		}
	}
	same("status", got.status, expect["status"])
	same("requests recorded", float64(len(records)), expect["requests"])
	if got.status == "OK" {
		same("attempts (requests recorded)", float64(len(records)), expect["attempts"])
	} else {
		same("attempts", got.attempts, expect["attempts"])
		if want, ok := expect["http_status"]; ok {
			same("http_status", got.httpStatus, want)
		}
		if want, ok := expect["retry_after_ms"]; ok {
			same("retry_after_ms", got.retryAfterMs, want)
		}
	}
	if want, ok := expect["raw_path"]; ok {
		for i, r := range records {
			same(fmt.Sprintf("request %d raw_path", i+1), r.RawPath, want)
		}
	}
	if want, ok := expect["part"].(map[string]any); ok {
		if len(records) == 0 || len(records[len(records)-1].Parts) != 1 {
			wrong = append(wrong, "the last request does not have exactly one multipart part")
		} else {
			part := records[len(records)-1].Parts[0]
			same("part name", part.Name, want["name"])
			same("part content_type", part.ContentType, want["content_type"])
		}
	}
	if want, ok := expect["background"].(map[string]any); ok && got.status == "OK" {
		for field, value := range want {
			same("background."+field, got.background[field], value)
		}
	}
	return wrong
}

func TestCaseTable(t *testing.T) {
	text, err := os.ReadFile(casesPath())
	if err != nil {
		t.Fatal(err)
	}
	var table caseTable
	if err := json.Unmarshal(text, &table); err != nil {
		t.Fatalf("%s: %v", casesPath(), err)
	}
	if len(table.Cases) == 0 {
		t.Fatalf("%s has no cases", casesPath())
	}
	tmp := t.TempDir()
	before := liveHandles.Load()
	failed := 0
	for _, row := range table.Cases {
		emu.reset(t)
		if len(row.Config) > 0 {
			emu.control(t, "POST", "config", row.Config, nil)
		}
		if len(row.Script) > 0 {
			emu.control(t, "POST", "script", row.Script, nil)
		}
		got := runCase(t, table.Fixtures, row, tmp)
		if wrong := checkCase(row, got, emu.requests(t)); len(wrong) > 0 {
			failed++
			t.Errorf("case %s:\n    %s", row.Name, strings.Join(wrong, "\n    "))
		}
	}
	t.Logf("go: ran %d cases from %s (%d failed)", len(table.Cases), casesPath(), failed)
	if after := liveHandles.Load(); after != before {
		t.Errorf("live handles: %d before the cases, %d after", before, after)
	}
}
