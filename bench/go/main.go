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

func main() {
	if len(os.Args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: burst BASE_URL API_KEY CHAT N ROUNDS")
		os.Exit(2)
	}
	n, _ := strconv.Atoi(os.Args[4])
	rounds, _ := strconv.Atoi(os.Args[5])
	client, err := blooio.NewClient(blooio.WithBaseURL(os.Args[1]), blooio.WithAPIKey(os.Args[2]), blooio.WithMaxRetries(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
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
				if _, err := client.GetChatBackground(ctx, os.Args[3]); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if r > 0 {
			wall = append(wall, time.Since(start).Nanoseconds())
		}
	}
	out, _ := json.Marshal(map[string]any{"client": "go", "n": n, "wall_ns": wall})
	fmt.Println(string(out))
}
