// Command burst is `make bench`'s concurrency section for Go: N GETs at once, one goroutine
// each (the Go runtime adds OS threads for the blocking cgo calls).
//
//	burst BASE_URL API_KEY CHAT N ROUNDS
//
// Prints one JSON object. One warm-up burst first.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	blooio "github.com/blooio-native/blooio-native/bindings/go"
)

const usage = "usage: burst BASE_URL API_KEY CHAT N ROUNDS"

func main() {
	if len(os.Args) != 6 {
		fail(2, usage)
	}
	baseURL, apiKey, chat := os.Args[1], os.Args[2], os.Args[3]
	n, rounds := count("N", os.Args[4]), count("ROUNDS", os.Args[5])
	client, err := blooio.NewClient(blooio.WithBaseURL(baseURL), blooio.WithAPIKey(apiKey), blooio.WithMaxRetries(0))
	if err != nil {
		fail(1, err)
	}
	defer client.Close()
	ctx := context.Background()
	var wall []int64
	for r := 0; r <= rounds; r++ {
		start := time.Now()
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := client.GetChatBackground(ctx, chat); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			fail(1, err)
		}
		if r > 0 {
			wall = append(wall, time.Since(start).Nanoseconds())
		}
	}
	out, _ := json.Marshal(map[string]any{"client": "go", "n": n, "wall_ns": wall})
	fmt.Println(string(out))
}

// count reads a whole number of at least 1 (N, ROUNDS), or stops with the usage.
func count(name, arg string) int {
	v, err := strconv.Atoi(arg)
	if err != nil || v < 1 {
		fail(2, fmt.Sprintf("%s is %q: give a whole number of at least 1\n%s", name, arg, usage))
	}
	return v
}

// fail prints why to stderr and exits with code.
func fail(code int, why any) {
	fmt.Fprintln(os.Stderr, why)
	os.Exit(code)
}
