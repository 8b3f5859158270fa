# Tests: C unit tests of the library (unit.mk) and shell tests of the
# programs over loopback (integration.mk).  Exit 77 = skip, 99 = error.
include $(top_srcdir)/tests/unit.mk
include $(top_srcdir)/tests/integration.mk
