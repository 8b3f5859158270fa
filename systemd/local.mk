# netcopy-server.service: upstream's unit for every distribution, made
# from its .in with this build's bindir and sysconfdir (at make time, as
# sweep/netcopy-sweep, so make install prefix=... is followed) and
# installed into systemd's unit directory (configure
# --with-systemdsystemunitdir; by default pkg-config systemd's, or none).
# netcopy-server.default is the commented file of options it reads,
# installed by the distribution's package as
# $(sysconfdir)/default/netcopy-server (a configuration file is the
# packager's, not make install's).
EXTRA_DIST += systemd/netcopy-server.service.in systemd/netcopy-server.default
CLEANFILES += systemd/netcopy-server.service
noinst_DATA = systemd/netcopy-server.service
if WITH_SYSTEMD_UNIT
systemdsystemunit_DATA = systemd/netcopy-server.service
endif

systemd/netcopy-server.service: $(top_srcdir)/systemd/netcopy-server.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && rm -f $@ $@.tmp && \
	$(SED) -e 's|@bindir[@]|$(bindir)|g' \
		-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
		$(top_srcdir)/systemd/netcopy-server.service.in >$@.tmp && \
	mv -f $@.tmp $@

# distcheck installs into a prefix of its own, as a user who may not
# write systemd's directory: the unit follows the prefix there.
AM_DISTCHECK_CONFIGURE_FLAGS = \
	--with-systemdsystemunitdir=$$dc_install_base/$(systemdsystemunitdir)

# service-unit.sh: the options the defaults file names are the server's,
# and systemd-analyze (where installed) verifies the unit and rates its
# sandbox.
TESTS += tests/service-unit.sh
dist_check_SCRIPTS += tests/service-unit.sh
