package blooio

/*
#include "blooio.h"
*/
import "C"

import (
	"fmt"
	"time"
)

// Status is what a call of libblooio returned: the values of blooio_status in
// include/blooio.h. Values are fixed and never reused.
type Status int

// The Status constants are in status_gen.go, generated from include/blooio.h.

// String gives the status's stable snake_case name, such as "rate_limited".
func (s Status) String() string {
	return C.GoString(C.blooio_status_name(C.int(s)))
}

// Error is a failed call. Its detail comes from the blooio_error that the library returned
// for that very call (never from thread-local state, which a goroutine cannot rely on).
type Error struct {
	// Status says what kind of failure it is.
	Status Status
	// HTTPStatus is the status of the last response, or 0 when there was none (the call was
	// refused before sending, or no response came).
	HTTPStatus int
	// Message is a complete, actionable message. It never contains the API key.
	Message string
	// ServerMessage is the server's own message from its error body, if it sent one.
	ServerMessage string
	// Code is the server's error code, if it sent one.
	Code string
	// RequestID is the x-request-id of the last response: quote it to Blooio support.
	RequestID string
	// Attempts is how many HTTP attempts were made: 0 when nothing was sent.
	Attempts int
	// RetryAfter is how long the server asked the caller to wait, or 0 if it did not say.
	RetryAfter time.Duration

	// cause is the context's error when the call's context ended it (StatusCancelled).
	cause error
}

// Unwrap gives the context's error (context.Canceled or context.DeadlineExceeded) when the
// call's context ended it, so that errors.Is matches those too; otherwise nil.
func (e *Error) Unwrap() error { return e.cause }

// Error implements the error interface.
func (e *Error) Error() string {
	return "blooio: " + e.Message
}

// Is lets errors.Is match an *Error against a Status:
//
//	if errors.Is(err, blooio.StatusAuthentication) { ... }
//	if errors.Is(err, blooio.ErrCancelled) { ... } // the context, a progress callback or a token stopped it
func (e *Error) Is(target error) bool {
	s, ok := target.(Status)
	return ok && s == e.Status
}

// Error makes a Status usable as an errors.Is target; it gives the same name as String.
func (s Status) Error() string {
	return s.String()
}

// ErrCancelled matches, with errors.Is, every call that was stopped before it finished: by
// its context (cancelled, or its deadline passed; errors.Is then also matches
// context.Canceled or context.DeadlineExceeded) or by a progress callback returning false.
// It is StatusCancelled.
var ErrCancelled error = StatusCancelled

// argumentError is a failure found by this package before calling the library, with the
// status the library gives for the same kind of mistake.
func argumentError(format string, args ...any) *Error {
	return &Error{Status: StatusInvalidArgument, Message: fmt.Sprintf(format, args...)}
}

// takeError reads a failed call's error object and frees it.
func takeError(status Status, e *C.blooio_error) *Error {
	if e == nil {
		return &Error{Status: Status(status), Message: "libblooio failed: " + Status(status).String()}
	}
	received()
	defer func() {
		C.blooio_error_free(e)
		released()
	}()
	out := &Error{
		Status:        Status(C.blooio_error_status(e)),
		HTTPStatus:    int(C.blooio_error_http_status(e)),
		Message:       goString(C.blooio_error_message(e)),
		ServerMessage: goString(C.blooio_error_server_message(e)),
		Code:          goString(C.blooio_error_server_code(e)),
		RequestID:     goString(C.blooio_error_request_id(e)),
		Attempts:      int(C.blooio_error_attempts(e)),
	}
	var ms C.uint64_t
	if C.blooio_error_retry_after_ms(e, &ms) {
		out.RetryAfter = time.Duration(ms) * time.Millisecond
	}
	return out
}

// goString copies a string borrowed from a library object; NULL gives "".
func goString(s *C.char) string {
	if s == nil {
		return ""
	}
	return C.GoString(s)
}
