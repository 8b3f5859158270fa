# C unit tests of libnetcopy.  Internals are tested through the
# convenience library (every function of lib/internal.h); the loopback
# test uses the installed shared library's public API only.  Exit status:
# 0 pass, 1 fail, 77 skip, 99 hard error.
unit_internal_tests = \
	tests/unit-layout \
	tests/unit-pattern \
	tests/unit-datagram \
	tests/unit-wire \
	tests/unit-params \
	tests/unit-parse \
	tests/unit-histogram \
	tests/unit-report \
	tests/unit-columns \
	tests/unit-checks \
	tests/unit-counters \
	tests/unit-tcp-info \
	tests/unit-host \
	tests/unit-auth

check_PROGRAMS += $(unit_internal_tests) tests/unit-loopback
# check-layers.sh reads the calls between the library's files and
# folders from nm of the built objects; check-sizes.sh their lengths.
TESTS += $(unit_internal_tests) tests/unit-loopback tests/check-exports.sh \
	tests/check-layers.sh tests/check-sizes.sh
dist_check_SCRIPTS += tests/check-exports.sh tests/check-layers.sh \
	tests/check-sizes.sh

tests_unit_layout_SOURCES = tests/unit-layout.c tests/unit.h
tests_unit_layout_LDADD = lib/libnetcopy-internal.la

tests_unit_pattern_SOURCES = tests/unit-pattern.c tests/unit.h
tests_unit_pattern_LDADD = lib/libnetcopy-internal.la

tests_unit_datagram_SOURCES = tests/unit-datagram.c tests/unit.h
tests_unit_datagram_LDADD = lib/libnetcopy-internal.la

tests_unit_wire_SOURCES = tests/unit-wire.c tests/unit.h
tests_unit_wire_LDADD = lib/libnetcopy-internal.la

tests_unit_params_SOURCES = tests/unit-params.c tests/unit.h
tests_unit_params_LDADD = lib/libnetcopy-internal.la

tests_unit_parse_SOURCES = tests/unit-parse.c tests/unit.h
tests_unit_parse_LDADD = lib/libnetcopy-internal.la

tests_unit_histogram_SOURCES = tests/unit-histogram.c tests/unit.h
tests_unit_histogram_LDADD = lib/libnetcopy-internal.la

tests_unit_report_SOURCES = tests/unit-report.c tests/unit.h
tests_unit_report_CFLAGS = $(AM_CFLAGS) $(JSON_C_CFLAGS)
tests_unit_report_LDADD = lib/libnetcopy-internal.la $(JSON_C_LIBS)
EXTRA_DIST += tests/unit-report.expected

tests_unit_columns_SOURCES = tests/unit-columns.c tests/unit.h
tests_unit_columns_LDADD = lib/libnetcopy-internal.la

tests_unit_checks_SOURCES = tests/unit-checks.c tests/unit.h
tests_unit_checks_LDADD = lib/libnetcopy-internal.la

tests_unit_counters_SOURCES = tests/unit-counters.c tests/unit.h
tests_unit_counters_LDADD = lib/libnetcopy-internal.la

tests_unit_tcp_info_SOURCES = tests/unit-tcp-info.c tests/unit.h
tests_unit_tcp_info_LDADD = lib/libnetcopy-internal.la

tests_unit_host_SOURCES = tests/unit-host.c tests/unit.h
tests_unit_host_LDADD = lib/libnetcopy-internal.la

tests_unit_auth_SOURCES = tests/unit-auth.c tests/unit.h
tests_unit_auth_LDADD = lib/libnetcopy-internal.la

tests_unit_loopback_SOURCES = tests/unit-loopback.c tests/unit.h
tests_unit_loopback_LDADD = lib/libnetcopy.la
