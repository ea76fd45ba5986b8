//! Gives the shared library an ELF SONAME, `libblooio.so.<major>`, so programs linked against
//! it keep loading compatible releases and refuse incompatible ones.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let family = std::env::var("CARGO_CFG_TARGET_FAMILY").unwrap_or_default();
    // Apple platforms use install names, Windows import libraries: neither takes -soname.
    if family == "unix" && os != "macos" && os != "ios" {
        let major = env!("CARGO_PKG_VERSION_MAJOR");
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libblooio.so.{major}");
    }
}
