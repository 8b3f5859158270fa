# Manual pages: hand-written roff (man(7) macros, as popt's popt.3),
# installed as they are; `mandoc -Tlint man/*.[137]` checks them.
dist_man_MANS = \
	man/netcopy-server.1 \
	man/netcopy-client.1 \
	man/netcopy-sweep.1 \
	man/libnetcopy.3 \
	man/netcopy.7

# Packaging tests.  man-options.sh: each long option of a program's
# --help is in its page, each public function in libnetcopy(3), each CSV
# column in netcopy(7), and the pages lint clean.  mode-lists.sh: every
# hand-written list of the modes (man pages, README, the sweep's help)
# names exactly the library's table.  pkgconfig-install.sh:
# `make install DESTDIR=...` (a make of its own, run from the build tree
# with the make, compiler and flags of this build), then a program built
# through `pkg-config --cflags --libs netcopy` makes a loopback run.
NETCOPY_PACKAGING_TESTS = \
	tests/man-options.sh \
	tests/mode-lists.sh \
	tests/pkgconfig-install.sh

TESTS += $(NETCOPY_PACKAGING_TESTS)
dist_check_SCRIPTS += $(NETCOPY_PACKAGING_TESTS)
AM_TESTS_ENVIRONMENT += \
	NETCOPY_MAKE='$(MAKE)'; NETCOPY_CC='$(CC)'; \
	NETCOPY_CPPFLAGS='$(CPPFLAGS)'; NETCOPY_CFLAGS='$(CFLAGS)'; \
	NETCOPY_LDFLAGS='$(LDFLAGS)'; \
	export NETCOPY_MAKE NETCOPY_CC NETCOPY_CPPFLAGS NETCOPY_CFLAGS \
		NETCOPY_LDFLAGS;
