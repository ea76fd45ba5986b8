"""scripts/bindgen.py --verify catches drift: in a copy of the generated files, an edit to any
of them, or a status added to the header without regenerating, makes it fail; regenerating
mends it. Run by `make check-bindings`."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GENERATED = ["bindings/node/generated.js", "bindings/node/index.d.ts",
             "bindings/python-ctypes/blooio_ctypes.py", "bindings/go/status_gen.go",
             "bindings/go/background_gen.go"]


def bindgen(root: Path, *args: str) -> int:
    cmd = [sys.executable, str(ROOT / "scripts" / "bindgen.py"), "--root", str(root), *args]
    return subprocess.run(cmd, capture_output=True, text=True).returncode


class VerifyCatchesDrift(unittest.TestCase):
    def setUp(self) -> None:
        self.root = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.root)
        for rel in ["include/blooio.h", *GENERATED]:
            (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / rel, self.root / rel)

    def test_the_checked_in_files_are_current(self) -> None:
        self.assertEqual(bindgen(self.root, "--verify"), 0)

    def test_an_edited_generated_file_fails_until_regenerated(self) -> None:
        for rel in GENERATED:
            with self.subTest(rel):
                path = self.root / rel
                text = path.read_text()
                edited = text.replace("INVALID_IMAGE", "INVALID_PICTURE").replace("changed", "altered")
                self.assertNotEqual(edited, text)
                path.write_text(edited)
                self.assertEqual(bindgen(self.root, "--verify"), 1)
                self.assertEqual(bindgen(self.root), 0)
                self.assertEqual(bindgen(self.root, "--verify"), 0)

    def test_a_new_status_in_the_header_reaches_every_table(self) -> None:
        header = self.root / "include/blooio.h"
        text = header.read_text()
        count = sum(1 for line in text.splitlines() if line.strip().startswith("BLOOIO_STATUS_") and " = " in line)

        def with_status(value: int) -> str:
            end = text.index("} blooio_status;")
            return (text[:end] + f"    /**\n     * Something new.\n     */\n    BLOOIO_STATUS_SOMETHING_NEW = {value},\n"
                    + text[end:])

        header.write_text(with_status(count + 1))
        self.assertEqual(bindgen(self.root), 1, "values must run without a gap")
        header.write_text(with_status(count))
        self.assertEqual(bindgen(self.root, "--verify"), 1)
        self.assertEqual(bindgen(self.root), 0)
        for rel in (r for r in GENERATED if not r.endswith("background_gen.go")):
            generated = (self.root / rel).read_text()
            self.assertTrue("SOMETHING_NEW" in generated or "SomethingNew" in generated, rel)


if __name__ == "__main__":
    unittest.main()
