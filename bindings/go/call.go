package blooio

// Per-call options and cancellation: what a call hands the library besides its arguments.

/*
#include <stdint.h>
#include <stdlib.h>
#include "blooio.h"

// In callbacks.c: the C side of the Go callbacks, and a handle as the callbacks' user data.
bool blooio_go_progress(void *user_data, uint64_t sent, uint64_t total);
void *blooio_go_handle(uintptr_t handle);
*/
import "C"

import (
	"context"
	"errors"
	"runtime/cgo"
	"time"
	"unsafe"
)

// A CallOption changes one call: WithTimeout, WithHeader, WithProgress.
type CallOption interface{ applyCall(*callSettings) }

// callSettings holds what a call's options asked for.
type callSettings struct {
	timeout  *time.Duration
	headers  [][2]string
	progress func(sent, total int64) bool
}

type callOption func(*callSettings)

func (f callOption) applyCall(s *callSettings) { f(s) }

func (o TimeoutOption) applyCall(s *callSettings) { d := time.Duration(o); s.timeout = &d }

func (o HeaderOption) applyCall(s *callSettings) { s.headers = append(s.headers, o) }

// WithProgress has fn called as the request body is sent, with the bytes sent so far and the
// body's total (the whole multipart body, so total is the same on every call and the last
// call has sent == total). Returning false stops the upload: the call fails with
// StatusCancelled and its connection is dropped. A panic in fn stops the upload too, and is
// raised again in the calling goroutine once the call has returned. fn runs on the calling
// goroutine, inside the call; it should be quick. Ignored by GetChatBackground, which sends
// no body.
func WithProgress(fn func(sent, total int64) bool) CallOption {
	return callOption(func(s *callSettings) { s.progress = fn })
}

// progressState is what the progress callback's handle holds.
type progressState struct {
	fn       func(sent, total int64) bool
	panicked bool
	panicVal any
}

// inFlight is one call's C options, cancel token and callback handle, until end.
type inFlight struct {
	options  *C.blooio_call_options
	token    *C.blooio_cancel_token
	stop     func() bool   // stops the context watcher
	fired    chan struct{} // closed once the watcher has cancelled the token
	progress *progressState
	handle   cgo.Handle
}

// newCall builds the C call options for opts and, when ctx can end, a cancel token that a
// watcher cancels when it does. Nothing is allocated for a call without options or deadline.
func newCall(ctx context.Context, opts []CallOption) (*inFlight, error) {
	var s callSettings
	for _, o := range opts {
		if o != nil {
			o.applyCall(&s)
		}
	}
	call := &inFlight{}
	if s.timeout == nil && len(s.headers) == 0 && s.progress == nil && ctx.Done() == nil {
		return call, nil
	}
	var e *C.blooio_error
	if status := Status(C.blooio_call_options_new(&call.options, &e)); status != StatusOK {
		return nil, takeError(status, e)
	}
	received()
	fail := func(status Status) (*inFlight, error) {
		call.end()
		return nil, takeError(status, e)
	}
	if s.timeout != nil {
		if status := Status(C.blooio_call_options_set_timeout_ms(call.options, milliseconds(*s.timeout), &e)); status != StatusOK {
			return fail(status)
		}
	}
	for _, h := range s.headers {
		name, value, err := headerStrings(h)
		if err != nil {
			call.end()
			return nil, err
		}
		status := Status(C.blooio_call_options_add_header(call.options, name, value, &e))
		C.free(unsafe.Pointer(name))
		C.free(unsafe.Pointer(value))
		if status != StatusOK {
			return fail(status)
		}
	}
	if s.progress != nil {
		call.progress = &progressState{fn: s.progress}
		call.handle = cgo.NewHandle(call.progress)
		status := Status(C.blooio_call_options_set_progress(call.options, C.blooio_progress_callback(C.blooio_go_progress),
			C.blooio_go_handle(C.uintptr_t(call.handle)), &e))
		if status != StatusOK {
			return fail(status)
		}
	}
	if ctx.Done() != nil {
		if status := Status(C.blooio_cancel_token_new(&call.token, &e)); status != StatusOK {
			return fail(status)
		}
		received()
		if status := Status(C.blooio_call_options_set_cancel_token(call.options, call.token, &e)); status != StatusOK {
			return fail(status)
		}
		token := call.token
		call.fired = make(chan struct{})
		fired := call.fired
		call.stop = context.AfterFunc(ctx, func() {
			C.blooio_cancel_token_cancel(token)
			close(fired)
		})
	}
	return call, nil
}

// end frees what newCall made, once the call has returned, and raises the progress
// callback's panic again if it had one.
func (c *inFlight) end() {
	if c.stop != nil && !c.stop() {
		<-c.fired // the watcher is cancelling the token: let it finish before the token goes
	}
	if c.token != nil {
		C.blooio_cancel_token_free(c.token)
		released()
	}
	if c.options != nil {
		C.blooio_call_options_free(c.options)
		released()
	}
	if c.progress != nil {
		c.handle.Delete()
		if c.progress.panicked {
			panic(c.progress.panicVal)
		}
	}
}

// cancelledBeforeStart is the error of a call whose context had ended before it began: the
// library is not called, so nothing is sent.
func cancelledBeforeStart(method string, ctx context.Context) *Error {
	return &Error{Status: StatusCancelled, Message: method + " was not started: " + ctx.Err().Error(), cause: ctx.Err()}
}

// withContext ties a cancelled call's error to the context's reason, so that
// errors.Is(err, context.DeadlineExceeded) (or context.Canceled) holds.
func withContext(e *Error, ctx context.Context) *Error {
	if e.Status == StatusCancelled {
		if cause := ctx.Err(); cause != nil {
			e.cause = cause
			if errors.Is(cause, context.DeadlineExceeded) {
				e.Message += " (the context's deadline passed)"
			} else {
				e.Message += " (the context was cancelled)"
			}
		}
	}
	return e
}
