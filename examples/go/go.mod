module github.com/blooio-native/blooio-native/examples/go

go 1.24

require github.com/blooio-native/blooio-native/bindings/go v0.0.0

// The binding is used from this checkout (it links the libblooio built here).
replace github.com/blooio-native/blooio-native/bindings/go => ../../bindings/go
