// swift-tools-version:5.9
// Sets a chat's background from Swift through the C API. Needs an installed libblooio
// (`make install PREFIX=...` and PKG_CONFIG_PATH=<prefix>/lib/pkgconfig). Untested: see README.md.
import PackageDescription

let package = Package(
    name: "BlooioExample",
    targets: [
        // The C library, found through pkg-config (blooio.pc gives -I and -lblooio).
        .systemLibrary(
            name: "CBlooio",
            path: "Sources/CBlooio",
            pkgConfig: "blooio",
            providers: []
        ),
        .executableTarget(
            name: "blooio-example-swift",
            dependencies: ["CBlooio"],
            path: "Sources/BlooioExample"
        ),
    ]
)
