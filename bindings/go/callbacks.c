// The C side of the Go callbacks (callbacks.go): functions of exactly the library's callback
// types, each passing on to the exported Go function.
#include <stdint.h>

#include "_cgo_export.h"
#include "blooio.h"

bool blooio_go_progress(void *user_data, uint64_t sent, uint64_t total) {
    return blooioGoProgress(user_data, sent, total);
}

void blooio_go_log(void *user_data, enum blooio_log_level level, const char *line) {
    blooioGoLog(user_data, (int)level, (char *)line);
}

// A cgo.Handle (an integer) as the void * user data the library takes.
void *blooio_go_handle(uintptr_t handle) { return (void *)handle; }
