module github.com/blooio/blooio-native/bench/go

go 1.24

require github.com/blooio/blooio-native/bindings/go v0.0.0

// The binding from this checkout, linked to the libblooio measured.
replace github.com/blooio/blooio-native/bindings/go => ../../bindings/go
