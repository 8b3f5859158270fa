# netcopy-sweep: whole experiments in one command.
#
# The script is generated here, not by configure, so that bindir is the
# one make install uses (make install prefix=... or bindir=... included).

bin_SCRIPTS = sweep/netcopy-sweep
CLEANFILES += sweep/netcopy-sweep
EXTRA_DIST += sweep/netcopy-sweep.in tests/sweep-lib.sh tests/sshd-lib.sh

sweep/netcopy-sweep: $(top_srcdir)/sweep/netcopy-sweep.in Makefile
	$(AM_V_GEN)$(MKDIR_P) sweep && rm -f $@ $@.tmp && \
	$(SED) -e 's|@bindir[@]|$(bindir)|g' \
		-e 's|@VERSION[@]|$(PACKAGE_VERSION)|g' \
		$(top_srcdir)/sweep/netcopy-sweep.in >$@.tmp && \
	chmod +x $@.tmp && chmod a-w $@.tmp && mv -f $@.tmp $@

# Tests of the sweep (tests/sweep-lib.sh is what they share;
# tests/sshd-lib.sh starts real sshd in network namespaces).
NETCOPY_SWEEP_TESTS = \
	tests/sweep-loopback.sh \
	tests/sweep-netns.sh \
	tests/sweep-interrupt.sh \
	tests/sweep-bad-input.sh \
	tests/sweep-remote.sh \
	tests/sweep-ssh.sh

TESTS += $(NETCOPY_SWEEP_TESTS)
dist_check_SCRIPTS += $(NETCOPY_SWEEP_TESTS)
