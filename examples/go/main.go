// Command example sets a chat's background from an image file, reads it back, and prints both.
//
//	go run . +15551234567 ../assets/sample.png
//
// The key and the API's address come from BLOOIO_API_KEY and BLOOIO_BASE_URL, so the same
// program runs against the real API or the bundled emulator. Ctrl-C stops a call at once (the
// calls take a context), and the whole run has 30 seconds.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"time"

	blooio "github.com/blooio-native/blooio-native/bindings/go"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: example CHAT_ID IMAGE")
		os.Exit(2)
	}
	chatID, image := os.Args[1], os.Args[2]

	opts := []blooio.Option{blooio.WithAPIKey(os.Getenv("BLOOIO_API_KEY"))}
	if url := os.Getenv("BLOOIO_BASE_URL"); url != "" {
		opts = append(opts, blooio.WithBaseURL(url))
	}
	client, err := blooio.NewClient(opts...)
	if err != nil {
		fail(err)
	}
	defer client.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()

	set, err := client.SetChatBackgroundFile(ctx, chatID, image)
	if err != nil {
		fail(err)
	}
	show("set", set)
	got, err := client.GetChatBackground(ctx, chatID)
	if err != nil {
		fail(err)
	}
	show("get", got)
}

func show(what string, b *blooio.Background) {
	text, err := json.Marshal(b)
	if err != nil {
		fail(err)
	}
	fmt.Printf("%s: %s\n", what, text)
}

func fail(err error) {
	var e *blooio.Error
	if errors.As(err, &e) {
		if errors.Is(err, blooio.ErrCancelled) {
			fmt.Fprintln(os.Stderr, "stopped:", e.Message)
			os.Exit(130)
		}
		fmt.Fprintf(os.Stderr, "error (%v): %s\n", e.Status, e.Message)
	} else {
		fmt.Fprintln(os.Stderr, "error:", err)
	}
	os.Exit(1)
}
