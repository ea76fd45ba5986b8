"""gen_native.py --verify catches drift: in a copy of what it reads and writes, an edited
generated file, a status or function added to the header, or a new workspace version makes it
fail until regenerated; a C type it has no mapping for stops it. Run by `make check-java-bindings`."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FILES = ["include/blooio.h", "Cargo.toml", "bindings/java/pom.xml", "examples/java/pom.xml",
         "bindings/java/src/main/java/io/blooionative/internal/BlooioLibrary.java",
         "bindings/java/src/main/java/io/blooionative/Status.java"]


def gen(root: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(HERE / "gen_native.py"), "--root", str(root), *args]
    return subprocess.run(cmd, capture_output=True, text=True)


class VerifyCatchesDrift(unittest.TestCase):
    def setUp(self) -> None:
        self.root = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.root)
        for rel in FILES:
            (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / rel, self.root / rel)

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        self.assertIn(old, text)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def assert_stale_then_mended(self) -> None:
        self.assertEqual(gen(self.root, "--verify").returncode, 1)
        self.assertEqual(gen(self.root).returncode, 0)
        self.assertEqual(gen(self.root, "--verify").returncode, 0)

    def test_the_checked_in_files_are_current(self) -> None:
        self.assertEqual(gen(self.root, "--verify").returncode, 0)

    def test_an_edited_generated_file_fails_until_regenerated(self) -> None:
        for rel, old, new in [(FILES[4], "blooio_client_new", "blooio_client_make"),
                              (FILES[5], 'INVALID_IMAGE(4, "invalid_image")', 'INVALID_IMAGE(40, "invalid_image")'),
                              (FILES[2], "<version>0.", "<version>9."),
                              (FILES[3], "<version>0.", "<version>9.")]:
            with self.subTest(rel):
                self.edit(rel, old, new)
                self.assert_stale_then_mended()

    def test_a_new_status_and_function_in_the_header_reach_the_java_files(self) -> None:
        self.edit("include/blooio.h", "} blooio_status;",
                  "    /**\n     * The server's certificate is not trusted.\n     */\n"
                  "    BLOOIO_STATUS_SOMETHING_NEW = 99,\n} blooio_status;")
        self.edit("include/blooio.h", "void blooio_error_free(struct blooio_error *error);",
                  "void blooio_error_free(struct blooio_error *error);\n\n/**\n * New.\n */\n"
                  "enum blooio_status blooio_options_set_ca_file(struct blooio_options *options,\n"
                  "                                              const char *path,\n"
                  "                                              struct blooio_error **error);")
        self.assert_stale_then_mended()
        status = (self.root / FILES[5]).read_text(encoding="utf-8")
        self.assertIn('SOMETHING_NEW(99, "something_new")', status)
        library = (self.root / FILES[4]).read_text(encoding="utf-8")
        self.assertIn("int blooio_options_set_ca_file(Pointer options, byte[] path, PointerByReference error);", library)

    def test_a_new_callback_typedef_and_enum_reach_the_java_interface(self) -> None:
        self.edit("include/blooio.h", "#ifdef __cplusplus\nextern \"C\" {",
                  "/**\n * How loud.\n */\ntypedef enum blooio_volume {\n  BLOOIO_VOLUME_LOW = 1,\n"
                  "  BLOOIO_VOLUME_HIGH = 2,\n} blooio_volume;\n\n"
                  "/**\n * Called with each chunk.\n */\ntypedef bool (*blooio_chunk_callback)(void *user_data,\n"
                  "                                      uint64_t done,\n"
                  "                                      const char *note);\n\n"
                  "#ifdef __cplusplus\nextern \"C\" {")
        self.edit("include/blooio.h", "void blooio_error_free(struct blooio_error *error);",
                  "void blooio_error_free(struct blooio_error *error);\n\n/**\n * New.\n */\n"
                  "void blooio_on_chunk(blooio_chunk_callback cb, enum blooio_volume volume, void *user_data);")
        self.assert_stale_then_mended()
        library = (self.root / FILES[4]).read_text(encoding="utf-8")
        self.assertIn("interface ChunkCallback extends Callback {\n        byte invoke(Pointer userData, long done, Pointer note);",
                      library)
        self.assertIn("int VOLUME_HIGH = 2;", library)
        self.assertIn("void blooio_on_chunk(ChunkCallback cb, int volume, Pointer user_data);", library)

    def test_a_new_workspace_version_reaches_both_poms(self) -> None:
        self.edit("Cargo.toml", 'version = "', 'version = "7')
        self.assert_stale_then_mended()
        for rel in FILES[2:4]:
            self.assertIn("<version>7", (self.root / rel).read_text(encoding="utf-8"))

    def test_a_c_type_without_a_mapping_stops_it(self) -> None:
        self.edit("include/blooio.h", "void blooio_error_free(struct blooio_error *error);",
                  "void blooio_error_free(struct blooio_error *error);\n\n/**\n * New.\n */\n"
                  "void blooio_take_float(float value);")
        result = gen(self.root, "--verify")
        self.assertEqual(result.returncode, 2)
        self.assertIn("`float`", result.stderr)


if __name__ == "__main__":
    unittest.main()
