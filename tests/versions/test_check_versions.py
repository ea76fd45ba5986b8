"""scripts/check-versions.py passes on this tree, and fails, naming the file, when any one
manifest, header macro, template or binding constant is moved off the workspace version.

    python3 -m unittest discover -s tests/versions   (make check-versions)
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check-versions.py"
FILES = [
    "Cargo.toml",
    "Cargo.lock",
    "CHANGELOG.md",
    "crates/python/pyproject.toml",
    "bindings/node/package.json",
    "bindings/node/package-lock.json",
    "bindings/go/blooio.go",
    "bindings/python-ctypes/blooio_ctypes.py",
    "include/blooio.h",
    "crates/ffi/packaging/blooio.pc.in",
    "crates/ffi/packaging/blooioConfig.cmake.in",
    "crates/ffi/packaging/blooioConfigVersion.cmake.in",
] + [str(p.relative_to(ROOT)) for p in sorted(ROOT.glob("crates/*/Cargo.toml"))]
VERSION = re.search(r'^version = "([^"]+)"', (ROOT / "Cargo.toml").read_text(), re.M).group(1)
OTHER = "9.8.7"

# (file, pattern, replacement, what the error must name): one disagreement each.
MUTATIONS = [
    ("Cargo.toml", r'(blooio-core = \{[^}]*version = ")[^"]*', rf"\g<1>{OTHER}", "blooio-core"),
    ("Cargo.lock", r'(name = "blooio-ffi"\nversion = ")[^"]*', rf"\g<1>{OTHER}", "Cargo.lock blooio-ffi"),
    ("crates/cli/Cargo.toml", r"version\.workspace = true", f'version = "{OTHER}"', "crates/cli/Cargo.toml"),
    ("crates/python/pyproject.toml", r'dynamic = \["version"\]', f'version = "{OTHER}"', "pyproject.toml"),
    ("bindings/node/package.json", rf'"version": "{re.escape(VERSION)}"', f'"version": "{OTHER}"', "package.json"),
    ("bindings/node/package-lock.json", rf'"version": "{re.escape(VERSION)}"', f'"version": "{OTHER}"', "package-lock.json"),
    ("bindings/go/blooio.go", r'const Version = "[^"]*"', f'const Version = "{OTHER}"', "blooio.go"),
    ("bindings/python-ctypes/blooio_ctypes.py", r'__version__ = "[^"]*"', f'__version__ = "{OTHER}"', "blooio_ctypes.py"),
    ("include/blooio.h", r"(#define BLOOIO_VERSION_PATCH )\d+", r"\g<1>77", "blooio.h"),
    ("crates/ffi/packaging/blooio.pc.in", r"@VERSION@", OTHER, "blooio.pc.in"),
    ("crates/ffi/packaging/blooioConfigVersion.cmake.in", r'PACKAGE_VERSION "@VERSION@"', f'PACKAGE_VERSION "{OTHER}"', "blooioConfigVersion"),
    ("CHANGELOG.md", r"^## \S+", f"## {OTHER}", "CHANGELOG.md"),
]


def run(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), "--root", str(root)], capture_output=True, text=True)


class CheckVersions(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="blooio-versions-"))
        for rel in FILES:
            (self.tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / rel, self.tmp / rel)

    def tearDown(self) -> None:
        shutil.rmtree(self.tmp)

    def test_the_tree_agrees(self) -> None:
        result = run(ROOT)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(f"agree on {VERSION}", result.stdout)

    def test_each_disagreement_fails_and_is_named(self) -> None:
        self.assertEqual(run(self.tmp).returncode, 0, "the copied files must agree before mutation")
        for rel, pattern, replacement, named in MUTATIONS:
            with self.subTest(file=rel):
                path = self.tmp / rel
                original = path.read_text()
                mutated, count = re.subn(pattern, replacement, original, count=1, flags=re.M)
                self.assertEqual(count, 1, f"the mutation found nothing to change in {rel}")
                path.write_text(mutated)
                try:
                    result = run(self.tmp)
                finally:
                    path.write_text(original)
                self.assertEqual(result.returncode, 1, f"{rel} moved to {OTHER} and the check passed")
                self.assertIn(named, result.stderr)

    def pom_fails_until_fixed(self, rel: str, body: str, named: str, why: str = "") -> None:
        """A pom at `rel` naming OTHER fails the check, saying `named`; with VERSION it passes."""
        pom = self.tmp / rel
        pom.parent.mkdir(parents=True)
        pom.write_text(
            '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>' + body + "</project>"
        )
        result = run(self.tmp)
        self.assertEqual(result.returncode, 1)
        self.assertIn(named, result.stderr)
        pom.write_text(pom.read_text().replace(OTHER, VERSION))
        self.assertEqual(run(self.tmp).returncode, 0, why)

    def test_a_pom_with_another_version_fails(self) -> None:
        self.pom_fails_until_fixed(
            "bindings/java/pom.xml",
            f"<groupId>io.blooionative</groupId><artifactId>y</artifactId><version>{OTHER}</version>",
            "bindings/java/pom.xml",
        )

    def test_an_example_depending_on_another_version_fails(self) -> None:
        self.pom_fails_until_fixed(
            "examples/java/pom.xml",
            "<groupId>io.blooionative.examples</groupId><artifactId>e</artifactId><version>0</version>"
            "<dependencies><dependency><groupId>io.blooionative</groupId><artifactId>blooio-native</artifactId>"
            f"<version>{OTHER}</version></dependency></dependencies>",
            "examples/java/pom.xml dependency io.blooionative:blooio-native",
            "an example's own version (0) is not checked",
        )


if __name__ == "__main__":
    unittest.main()
