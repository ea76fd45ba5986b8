# The bindings' copies of the C surface, derived from include/blooio.h (issue 10).
#
#   make bindings        regenerate them (scripts/bindgen.py): Node's prototypes, statuses,
#                        options and fields, index.d.ts's generated region, ctypes' generated
#                        region, Go's status constants
#   make check-bindings  fail if any differs from what the header gives, and prove that check
#                        catches an edited file (scripts/test_bindgen.py); part of `make test`

TEST_TARGETS += check-bindings

.PHONY: bindings check-bindings

bindings:
	$(PYTHON) scripts/bindgen.py

check-bindings:
	$(PYTHON) scripts/bindgen.py --verify
	$(PYTHON) -m unittest -q scripts/test_bindgen.py
