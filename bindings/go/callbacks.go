package blooio

// The Go functions the library calls back (progress, log lines). C holds only a cgo.Handle
// (an integer) as user data, never a Go pointer; the C side is in callbacks.c. A file with
// //export may only declare C in its preamble.

/*
#include <stdbool.h>
#include <stdint.h>
*/
import "C"

import (
	"context"
	"log/slog"
	"runtime/cgo"
	"unsafe"
)

//export blooioGoProgress
func blooioGoProgress(user unsafe.Pointer, sent, total C.uint64_t) (goOn C.bool) {
	p := cgo.Handle(uintptr(user)).Value().(*progressState)
	if p.panicked {
		return false
	}
	// A panic must not unwind into the library: keep it, stop the upload, and let the
	// caller's goroutine raise it once the call has returned (inFlight.end).
	defer func() {
		if r := recover(); r != nil {
			p.panicked, p.panicVal = true, r
			goOn = false
		}
	}()
	return C.bool(p.fn(int64(sent), int64(total)))
}

//export blooioGoLog
func blooioGoLog(user unsafe.Pointer, level C.int, line *C.char) {
	logger := cgo.Handle(uintptr(user)).Value().(*slog.Logger)
	text := C.GoString(line)
	defer func() { _ = recover() }() // a failing handler must not unwind into the library
	lvl := slog.LevelInfo
	if level == 2 { // BLOOIO_LOG_LEVEL_DEBUG
		lvl = slog.LevelDebug
	}
	logger.Log(context.Background(), lvl, text)
}
