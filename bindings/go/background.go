package blooio

/*
#include "blooio.h"
*/
import "C"

// backgroundReader reads a background's fields (takeBackground, generated in
// background_gen.go, makes one call per field) and keeps the first failure.
type backgroundReader struct {
	err error
}

// readField reads one field through its getter: nil when the server did not send it (or
// sent null), or after an earlier field failed.
func readField[T, V any](r *backgroundReader, field string, convert func(T) V, get func(*C.bool, *T) Status) *V {
	if r.err != nil {
		return nil
	}
	var present C.bool
	var value T
	if status := get(&present, &value); status != StatusOK {
		r.err = &Error{Status: status, Message: "reading the background's " + field + " failed"}
		return nil
	}
	if !present {
		return nil
	}
	v := convert(value)
	return &v
}

// The conversions of readField: a field's C value as its Go one.
func fromCBool(v C.bool) bool        { return bool(v) }
func fromCInt64(v C.int64_t) int64   { return int64(v) }
func fromCUint32(v C.uint32_t) int64 { return int64(v) }
