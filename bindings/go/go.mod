module github.com/blooio-native/blooio-native/bindings/go

go 1.24
