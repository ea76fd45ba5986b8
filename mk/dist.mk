# Shipping (issue 14): one version everywhere, and what users install.
#
#   make check-versions  every manifest, header macro, template and binding constant says the
#                        workspace version (scripts/check-versions.py), and the check can fail
#                        (tests/versions); part of `make test`

TEST_TARGETS += check-versions

.PHONY: check-versions

check-versions:
	$(PYTHON) scripts/check-versions.py
	$(PYTHON) -m unittest discover -s tests/versions
