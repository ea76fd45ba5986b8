package blooio

/*
#include "blooio.h"
*/
import "C"

// Background is a chat's background as the API described it. A nil field was not sent by
// the server (or was null). Changed is only set in answer to a set call. It marshals to JSON
// in the API's own shape.
type Background struct {
	ChatID            *string `json:"chat_id,omitempty"`
	HasBackground     *bool   `json:"has_background,omitempty"`
	BackgroundID      *string `json:"background_id,omitempty"`
	BackgroundURL     *string `json:"background_url,omitempty"`
	BackgroundVersion *int64  `json:"background_version,omitempty"`
	Changed           *bool   `json:"changed,omitempty"`
}

// takeBackground copies a background's fields into Go memory and frees it.
func takeBackground(b *C.blooio_background) (*Background, error) {
	received()
	defer func() {
		C.blooio_background_free(b)
		released()
	}()
	var out Background
	var err error
	check := func(status Status, field string) bool {
		if status != StatusOK && err == nil {
			err = &Error{Status: Status(status), Message: "reading the background's " + field + " failed"}
		}
		return status == StatusOK
	}
	str := func(get func(*C.bool, **C.char) Status, field string) *string {
		var present C.bool
		var value *C.char
		if check(get(&present, &value), field) && bool(present) {
			s := goString(value)
			return &s
		}
		return nil
	}
	flag := func(get func(*C.bool, *C.bool) Status, field string) *bool {
		var present, value C.bool
		if check(get(&present, &value), field) && bool(present) {
			v := bool(value)
			return &v
		}
		return nil
	}
	out.ChatID = str(func(p *C.bool, v **C.char) Status {
		return Status(C.blooio_background_chat_id(b, p, v))
	}, "chat_id")
	out.HasBackground = flag(func(p *C.bool, v *C.bool) Status {
		return Status(C.blooio_background_has_background(b, p, v))
	}, "has_background")
	out.BackgroundID = str(func(p *C.bool, v **C.char) Status {
		return Status(C.blooio_background_background_id(b, p, v))
	}, "background_id")
	out.BackgroundURL = str(func(p *C.bool, v **C.char) Status {
		return Status(C.blooio_background_background_url(b, p, v))
	}, "background_url")
	var present C.bool
	var version C.int64_t
	if check(Status(C.blooio_background_background_version(b, &present, &version)), "background_version") && bool(present) {
		v := int64(version)
		out.BackgroundVersion = &v
	}
	out.Changed = flag(func(p *C.bool, v *C.bool) Status {
		return Status(C.blooio_background_changed(b, p, v))
	}, "changed")
	if err != nil {
		return nil, err
	}
	return &out, nil
}
