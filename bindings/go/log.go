package blooio

// WithLogger's side: the library's log callback, pointed at a *slog.Logger through a handle.

/*
#include <stdint.h>
#include "blooio.h"

void blooio_go_log(void *user_data, enum blooio_log_level level, const char *line);
void *blooio_go_handle(uintptr_t handle);
*/
import "C"

import (
	"context"
	"log/slog"
	"runtime/cgo"
)

// logHandle is the handle the library holds as the log callback's user data.
type logHandle struct{ h cgo.Handle }

// release deletes the handle; nil is harmless.
func (l *logHandle) release() {
	if l != nil {
		l.h.Delete()
	}
}

// setLogger installs logger as the options' log callback, at the most detailed level it has
// enabled (debug or info). nil: none, and $BLOOIO_LOG decides.
func setLogger(o *C.blooio_options, logger *slog.Logger) (*logHandle, error) {
	if logger == nil {
		return nil, nil
	}
	level := C.uint32_t(C.BLOOIO_LOG_LEVEL_INFO)
	if logger.Enabled(context.Background(), slog.LevelDebug) {
		level = C.BLOOIO_LOG_LEVEL_DEBUG
	}
	l := &logHandle{cgo.NewHandle(logger)}
	var e *C.blooio_error
	status := Status(C.blooio_options_set_log_callback(o, level, C.blooio_log_callback(C.blooio_go_log),
		C.blooio_go_handle(C.uintptr_t(l.h)), &e))
	if status != StatusOK {
		l.release()
		return nil, takeError(status, e)
	}
	return l, nil
}
