# netcopy-sweep: whole experiments in one command.  A Python 3 program
# (Debian's /usr/bin/python3): the script sweep/netcopy-sweep and its
# package netcopy_sweep, installed under pkgdatadir (Automake's pythondir
# is not on Debian's python3 path; the script puts pkgdatadir there).
#
# The script is generated here, not by configure, so that bindir and
# pkgdatadir are the ones make install uses (make install prefix=...
# included).

bin_SCRIPTS = sweep/netcopy-sweep
CLEANFILES += sweep/netcopy-sweep
EXTRA_DIST += sweep/netcopy-sweep.in tests/sweep-lib.sh tests/sshd-lib.sh

netcopy_sweepdir = $(pkgdatadir)/netcopy_sweep
dist_netcopy_sweep_DATA = \
	sweep/netcopy_sweep/__init__.py \
	sweep/netcopy_sweep/__main__.py \
	sweep/netcopy_sweep/cli.py \
	sweep/netcopy_sweep/grid.py \
	sweep/netcopy_sweep/interrupt.py \
	sweep/netcopy_sweep/topology.py \
	sweep/netcopy_sweep/runner.py \
	sweep/netcopy_sweep/machine.py \
	sweep/netcopy_sweep/output.py \
	sweep/netcopy_sweep/preflight.py \
	sweep/netcopy_sweep/hosts.py \
	sweep/netcopy_sweep/sweep.py \
	sweep/netcopy_sweep/record.py \
	sweep/netcopy_sweep/data.py \
	sweep/netcopy_sweep/stats.py \
	sweep/netcopy_sweep/summary.py \
	sweep/netcopy_sweep/report.py \
	sweep/netcopy_sweep/report_udp.py \
	sweep/netcopy_sweep/report_flows.py \
	sweep/netcopy_sweep/compare.py \
	sweep/netcopy_sweep/plot.py \
	sweep/netcopy_sweep/plot_figures.py

sweep/netcopy-sweep: $(top_srcdir)/sweep/netcopy-sweep.in Makefile
	$(AM_V_GEN)$(MKDIR_P) sweep && rm -f $@ $@.tmp && \
	$(SED) -e 's|@bindir[@]|$(bindir)|g' \
		-e 's|@pkgdatadir[@]|$(pkgdatadir)|g' \
		-e 's|@VERSION[@]|$(PACKAGE_VERSION)|g' \
		$(top_srcdir)/sweep/netcopy-sweep.in >$@.tmp && \
	chmod +x $@.tmp && chmod a-w $@.tmp && mv -f $@.tmp $@

# Tests of the sweep (tests/sweep-lib.sh is what they share;
# tests/sshd-lib.sh starts real sshd in network namespaces); the pytest
# tests of the package run through tests/sweep-pytest.sh.
NETCOPY_SWEEP_TESTS = \
	tests/sweep-loopback.sh \
	tests/sweep-udp.sh \
	tests/sweep-flows.sh \
	tests/sweep-netns.sh \
	tests/sweep-interrupt.sh \
	tests/sweep-bad-input.sh \
	tests/sweep-remote.sh \
	tests/sweep-ssh.sh \
	tests/sweep-client-host.sh \
	tests/sweep-pytest.sh

NETCOPY_SWEEP_PYTESTS = \
	tests/python/test_grid.py \
	tests/python/test_cli.py \
	tests/python/test_interrupt.py \
	tests/python/test_machine.py \
	tests/python/test_output.py \
	tests/python/test_topology.py \
	tests/python/test_hosts.py \
	tests/python/test_data.py \
	tests/python/test_stats.py \
	tests/python/test_summary.py \
	tests/python/test_report.py \
	tests/python/test_report_udp.py \
	tests/python/test_flows.py \
	tests/python/test_compare.py \
	tests/python/test_plot.py \
	tests/python/data/loopback-results.csv \
	tests/python/data/loopback-sndbuf32k-results.csv \
	tests/python/data/loopback-summary-bash.csv

TESTS += $(NETCOPY_SWEEP_TESTS)
dist_check_SCRIPTS += $(NETCOPY_SWEEP_TESTS)
EXTRA_DIST += $(NETCOPY_SWEEP_PYTESTS)
