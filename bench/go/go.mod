module github.com/blooio-native/blooio-native/bench/go

go 1.24

require github.com/blooio-native/blooio-native/bindings/go v0.0.0

// The binding from this checkout, linked to the libblooio measured.
replace github.com/blooio-native/blooio-native/bindings/go => ../../bindings/go
