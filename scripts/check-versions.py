#!/usr/bin/env python3
"""One version: every manifest, header macro and binding constant says the workspace's.

    python3 scripts/check-versions.py [--root DIR] [ARTIFACT...]

The workspace version is `[workspace.package] version` in Cargo.toml. Checked against it, in the
source tree: each crate's manifest (version.workspace, or the same literal), the workspace's own
dependency pins, Cargo.lock, crates/python/pyproject.toml (version from Cargo, or the same
literal), bindings/node/package.json and its lockfile, the Go binding's `Version`, the ctypes
module's `__version__`, include/blooio.h's BLOOIO_VERSION_MAJOR/MINOR/PATCH, the .pc and CMake
templates (which must take @VERSION@ from the build, not a literal), every pom.xml of the
project (its own version if its groupId is io.blooionative, and every dependency on
io.blooionative), and the top entry of CHANGELOG.md.

Each ARTIFACT (what `make dist` built) is checked too, by what it says of itself: a .pc file,
a blooioConfigVersion.cmake, a wheel or sdist (by its name and its metadata), an npm tarball
(its package.json), the C SDK tarball (its name, .pc, CMake package and library file names).

Exits 1 and names every disagreement; prints one line per thing checked otherwise.
Standard library only (Python 3.9+: no tomllib).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path


JAVA_GROUP = "io.blooionative"


class Checker:
    def __init__(self, version: str) -> None:
        self.version = version
        self.problems: list[str] = []
        self.checked = 0

    def expect(self, where: str, found: str | None) -> None:
        self.checked += 1
        if found is None:
            self.problems.append(f"{where}: no version found")
        elif found != self.version:
            self.problems.append(f"{where}: {found}, but the workspace is {self.version}")
        else:
            print(f"ok  {where}: {found}")

    def fail(self, where: str, why: str) -> None:
        self.checked += 1
        self.problems.append(f"{where}: {why}")


def toml_section(text: str, name: str) -> str:
    """The body of `[name]` in a TOML file (up to the next table header)."""
    match = re.search(rf"^\[{re.escape(name)}\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    return match.group(1) if match else ""


def toml_string(body: str, key: str) -> str | None:
    match = re.search(rf'^{re.escape(key)}\s*=\s*"([^"]*)"', body, re.M)
    return match.group(1) if match else None


def workspace_version(root: Path) -> str:
    text = (root / "Cargo.toml").read_text()
    version = toml_string(toml_section(text, "workspace.package"), "version")
    if version is None:
        sys.exit("check-versions: no [workspace.package] version in Cargo.toml")
    return version


def check_sources(root: Path, c: Checker) -> None:
    v = c.version
    workspace = (root / "Cargo.toml").read_text()
    members = re.search(r"^members\s*=\s*\[(.*?)\]", workspace, re.M | re.S)
    crate_dirs = re.findall(r'"([^"]+)"', members.group(1)) if members else []
    crate_names = []
    for crate in crate_dirs:
        manifest = root / crate / "Cargo.toml"
        package = toml_section(manifest.read_text(), "package")
        crate_names.append(toml_string(package, "name"))
        where = f"{crate}/Cargo.toml"
        if re.search(r"^version\.workspace\s*=\s*true", package, re.M):
            c.expect(where + " (version.workspace)", v)
        else:
            c.expect(where, toml_string(package, "version"))
    # Pins of our own crates in [workspace.dependencies] (a path dependency with a version).
    for name, spec in re.findall(r'^(blooio-[\w-]+)\s*=\s*\{([^}]*)\}', toml_section(workspace, "workspace.dependencies"), re.M):
        pin = re.search(r'version\s*=\s*"=?([^"]*)"', spec)
        if pin:
            c.expect(f"Cargo.toml [workspace.dependencies] {name}", pin.group(1))
    lock = (root / "Cargo.lock").read_text()
    for name in filter(None, crate_names):
        found = re.search(rf'^name = "{re.escape(name)}"\nversion = "([^"]*)"', lock, re.M)
        c.expect(f"Cargo.lock {name}", found.group(1) if found else None)

    pyproject = (root / "crates/python/pyproject.toml").read_text()
    project = toml_section(pyproject, "project")
    literal = toml_string(project, "version")
    if literal is not None:
        c.expect("crates/python/pyproject.toml", literal)
    elif re.search(r'^dynamic\s*=\s*\[[^\]]*"version"', project, re.M):
        c.expect("crates/python/pyproject.toml (version from Cargo.toml, by maturin)", v)
    else:
        c.fail("crates/python/pyproject.toml", "neither a version nor a dynamic one")

    package_json = json.loads((root / "bindings/node/package.json").read_text())
    c.expect("bindings/node/package.json", package_json.get("version"))
    lock_json = json.loads((root / "bindings/node/package-lock.json").read_text())
    c.expect("bindings/node/package-lock.json", lock_json.get("version"))
    c.expect('bindings/node/package-lock.json packages[""]', lock_json.get("packages", {}).get("", {}).get("version"))

    go = (root / "bindings/go/blooio.go").read_text()
    found = re.search(r'^const Version = "([^"]*)"', go, re.M)
    c.expect("bindings/go/blooio.go Version", found.group(1) if found else None)

    ctypes_py = (root / "bindings/python-ctypes/blooio_ctypes.py").read_text()
    found = re.search(r'^__version__ = "([^"]*)"', ctypes_py, re.M)
    c.expect("bindings/python-ctypes/blooio_ctypes.py __version__", found.group(1) if found else None)

    header = (root / "include/blooio.h").read_text()
    parts = [re.search(rf"^#define BLOOIO_VERSION_{p} (\d+)", header, re.M) for p in ("MAJOR", "MINOR", "PATCH")]
    c.expect("include/blooio.h BLOOIO_VERSION_*", ".".join(m.group(1) for m in parts) if all(parts) else None)

    for template, pattern in [
        ("crates/ffi/packaging/blooio.pc.in", r"^Version:\s*(\S+)"),
        ("crates/ffi/packaging/blooioConfig.cmake.in", r'set\(blooio_VERSION "([^"]*)"\)'),
        ("crates/ffi/packaging/blooioConfigVersion.cmake.in", r'set\(PACKAGE_VERSION "([^"]*)"\)'),
    ]:
        found = re.search(pattern, (root / template).read_text(), re.M)
        if found is None:
            c.fail(template, "no version line")
        elif found.group(1) != "@VERSION@":
            c.fail(template, f"says {found.group(1)}: it must take @VERSION@ from Cargo.toml")
        else:
            c.expect(template + " (@VERSION@ from Cargo.toml)", v)

    for pom in sorted(root.glob("**/pom.xml")):
        rel = pom.relative_to(root)
        if any(part in ("target", "node_modules", ".git") for part in rel.parts):
            continue
        tree = ET.parse(pom).getroot()
        ns = {"m": tree.tag[1:].split("}")[0]} if tree.tag.startswith("{") else {"m": ""}
        q = (lambda tag: f"m:{tag}") if ns["m"] else (lambda tag: tag)
        def text(node: ET.Element | None, tag: str) -> str | None:
            child = node.find(q(tag), ns) if node is not None else None
            return child.text.strip() if child is not None and child.text else None

        # The project's own version when it is one of ours (io.blooionative); an example's pom
        # (another groupId, never published) is checked by its dependencies on ours instead.
        group = text(tree, "groupId") or text(tree.find(q("parent"), ns), "groupId")
        if group == JAVA_GROUP:
            c.expect(str(rel), text(tree, "version") or text(tree.find(q("parent"), ns), "version"))
        for dep in tree.iter(f"{{{ns['m']}}}dependency" if ns["m"] else "dependency"):
            if text(dep, "groupId") == JAVA_GROUP:
                c.expect(f"{rel} dependency {JAVA_GROUP}:{text(dep, 'artifactId')}", text(dep, "version"))

    changelog = (root / "CHANGELOG.md").read_text()
    found = re.search(r"^## (\S+)", changelog, re.M)
    c.expect("CHANGELOG.md (top entry)", found.group(1) if found else None)


def check_pc(where: str, text: str, c: Checker) -> None:
    found = re.search(r"^Version:\s*(\S+)", text, re.M)
    c.expect(where, found.group(1) if found else None)


def check_cmake(where: str, text: str, c: Checker) -> None:
    found = re.search(r'set\(PACKAGE_VERSION "([^"]*)"\)', text)
    c.expect(where, found.group(1) if found else None)


def metadata_version(text: str) -> str | None:
    found = re.search(r"^Version:\s*(\S+)", text, re.M)
    return found.group(1) if found else None


def check_artifact(path: Path, c: Checker) -> None:
    name = path.name
    v = c.version
    if name.endswith(".pc"):
        check_pc(name, path.read_text(), c)
    elif name == "blooioConfigVersion.cmake":
        check_cmake(str(path), path.read_text(), c)
    elif name.endswith(".whl"):
        c.expect(f"{name} (file name)", name.split("-")[1])
        with zipfile.ZipFile(path) as wheel:
            meta = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
            c.expect(f"{name} METADATA", metadata_version(wheel.read(meta[0]).decode()) if meta else None)
    elif name.startswith("blooio_native-") and name.endswith(".tar.gz"):
        c.expect(f"{name} (file name)", name[len("blooio_native-") : -len(".tar.gz")])
        with tarfile.open(path) as sdist:
            pkg_info = next((m for m in sdist.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")), None)
            text = sdist.extractfile(pkg_info).read().decode() if pkg_info else ""
            c.expect(f"{name} PKG-INFO", metadata_version(text))
    elif name.startswith("libblooio-") and name.endswith(".tar.gz"):
        stem = name[: -len(".tar.gz")]
        c.expect(f"{name} (file name)", stem.split("-")[1])
        with tarfile.open(path) as sdk:
            names = sdk.getnames()
            for member in sdk.getmembers():
                if member.name.endswith("lib/pkgconfig/blooio.pc"):
                    check_pc(f"{name}: {member.name}", sdk.extractfile(member).read().decode(), c)
                elif member.name.endswith("lib/cmake/blooio/blooioConfigVersion.cmake"):
                    check_cmake(f"{name}: {member.name}", sdk.extractfile(member).read().decode(), c)
            if not any(n.endswith(f"lib/libblooio.so.{v}") for n in names):
                c.fail(name, f"has no lib/libblooio.so.{v}")
            else:
                c.expect(f"{name}: lib/libblooio.so.{v}", v)
    elif name.endswith(".tgz"):
        with tarfile.open(path) as npm:
            package = json.load(io.TextIOWrapper(npm.extractfile("package/package.json")))
            c.expect(f"{name} package/package.json", package.get("version"))
            c.expect(f"{name} (file name)", name[len(package.get("name", "")) + 1 : -len(".tgz")])
    elif name.endswith(".jar"):
        found = re.search(r"-(\d+\.\d+\.\d+[^/]*?)(?:-[a-z]+)?\.jar$", name)
        c.expect(f"{name} (file name)", found.group(1) if found else None)
    else:
        c.fail(name, "not an artifact this check knows")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("artifacts", nargs="*", type=Path)
    args = parser.parse_args()
    c = Checker(workspace_version(args.root))
    print(f"workspace version: {c.version}")
    check_sources(args.root, c)
    for artifact in args.artifacts:
        check_artifact(artifact, c)
    if c.problems:
        print(f"check-versions: {len(c.problems)} of {c.checked} disagree with {c.version}:", file=sys.stderr)
        for problem in c.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"check-versions: all {c.checked} agree on {c.version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
