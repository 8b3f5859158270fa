# Integration tests: the two programs over loopback, driven by shell
# scripts (tests/*.sh, helpers in tests/lib.sh), with tests/rawpeer as a
# misbehaving peer.  Each script starts its own servers on free ports, so
# they run in parallel (make -j check).

check_PROGRAMS += tests/rawpeer
tests_rawpeer_SOURCES = tests/rawpeer.c

# libnetcopy(3)'s example, a user of the public API alone (no config.h),
# linked with the uninstalled shared library: example-figure.sh runs it.
check_PROGRAMS += examples/figure
examples_figure_SOURCES = examples/figure.c
examples_figure_CPPFLAGS = -I$(top_srcdir)/lib
examples_figure_LDADD = lib/libnetcopy.la

NETCOPY_INTEGRATION_TESTS = \
	tests/loopback-two-copy.sh \
	tests/loopback-one-copy.sh \
	tests/loopback-zero-copy.sh \
	tests/loopback-sendfile.sh \
	tests/loopback-splice.sh \
	tests/loopback-uring.sh \
	tests/loopback-uring-zc.sh \
	tests/uring-options.sh \
	tests/formats.sh \
	tests/bad-input-client.sh \
	tests/bad-input-server.sh \
	tests/peer-errors.sh \
	tests/peer-lies.sh \
	tests/server-robustness.sh \
	tests/server-limits.sh \
	tests/auth.sh \
	tests/server-deadlines.sh \
	tests/server-budgets.sh \
	tests/server-lifecycle.sh \
	tests/disable-modes.sh \
	tests/ipv6.sh \
	tests/help-version.sh \
	tests/rr.sh \
	tests/client-interrupt.sh \
	tests/perf-columns.sh \
	tests/tcp-info.sh \
	tests/abuse-clients.sh \
	tests/abuse-sequential.sh \
	tests/zero-copy-enobufs.sh \
	tests/zero-copy-stall.sh \
	tests/rx.sh \
	tests/udp.sh \
	tests/udp-mtu.sh \
	tests/udp-veth.sh \
	tests/socket-buffers.sh \
	tests/rate.sh \
	tests/bidir.sh \
	tests/server-rate-cap.sh \
	tests/zc-memlock.sh \
	tests/server-hosts.sh \
	tests/server-binding.sh \
	tests/server-threads.sh \
	tests/server-greeting.sh \
	tests/descriptors.sh \
	tests/flows.sh \
	tests/flows-uring.sh \
	tests/flows-addr.sh \
	tests/flows-ports.sh \
	tests/flows-rate.sh \
	tests/flows-udp.sh \
	tests/example-figure.sh \
	tests/rx-size.sh

TESTS += $(NETCOPY_INTEGRATION_TESTS)
dist_check_SCRIPTS += $(NETCOPY_INTEGRATION_TESTS)
EXTRA_DIST += tests/lib.sh tests/server-lib.sh tests/modes-lib.sh

# A benchmark, not a test: run by hand (see bench/README).
EXTRA_DIST += bench/counting-overhead bench/README
