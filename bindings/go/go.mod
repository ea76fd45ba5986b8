module github.com/blooio/blooio-native/bindings/go

go 1.24
