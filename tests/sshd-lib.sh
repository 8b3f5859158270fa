# shellcheck shell=bash disable=SC2034,SC2154
# (SC2034: SD_* results are for the scripts; SC2154: nc_* and NC_* come
# from tests/lib.sh, sourced first.)
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tests/sshd-lib.sh - real OpenSSH servers for the tests, each in a
# network namespace of its own joined to the test's by a veth pair with a
# private /30: a lab machine on this one.  Sourced after tests/lib.sh
# (and tests/sweep-lib.sh, for the sweep's tests).
#
#   sd_init            after nc_init/sw_init: skip (77) unless root with
#                      ip netns, sshd, ssh and ssh-keygen; makes the client
#                      key and sets SD_SSH, and NETCOPY_SWEEP_SSH to it.
#   sd_start_host      one more host: its namespace, veth, host key and
#                      sshd; SD_ADDR is its address (also SD_ADDRS[]),
#                      SD_HOST_ADDR this machine's on its veth, where a
#                      server here is reachable from every host.
#   sd_run DESC HOST COMMAND
#                      nc_run of COMMAND on HOST through SD_SSH.
#
# Every host of a test listens on the same port, SD_PORT (each namespace
# is new, so any port is free in it), and known_hosts holds every host's
# key: one ssh command, SD_SSH, reaches them all.  The test's cleanup
# stops every process in the namespaces and removes them, on every exit
# the shell sees.  Names and addresses are claimed atomically (ip netns
# add, and a check after adding the address), so tests may run at once.

SD_SSHD=
SD_DIR=
SD_PORT=
SD_SSH=
SD_SSH_ARGS=()
SD_KNOWN_HOSTS=
SD_NETNS=()
SD_LINKS=()
SD_PIDS=()
SD_ADDRS=()
SD_HOST_ADDRS=()
SD_LOGS=()

# Results of the latest sd_start_host.
SD_ADDR=
SD_HOST_ADDR=
SD_NS=
SD_PID=
SD_LOG=

# Seconds an sshd may take to start listening (a loaded machine is slow).
SD_START_LIMIT=30

sd_init() {
	local prog

	[ "$(id -u)" = 0 ] ||
		nc_skip "not root: sshd in a network namespace needs root"
	command -v ip >/dev/null || nc_skip "iproute2's ip is not installed"
	SD_SSHD=$(command -v sshd || echo /usr/sbin/sshd)
	[ -x "$SD_SSHD" ] ||
		nc_skip "sshd is not installed (Debian: apt-get install openssh-server)"
	for prog in ssh ssh-keygen; do
		command -v "$prog" >/dev/null ||
			nc_skip "$prog is not installed (Debian: apt-get install openssh-client)"
	done
	# The sweep splits NETCOPY_SWEEP_SSH at blanks.
	[[ $nc_tmp != *[[:space:]]* ]] ||
		nc_error "the temporary folder '$nc_tmp' has a blank in its name"
	SD_DIR=$nc_tmp/sshd
	mkdir -p "$SD_DIR" || nc_error "mkdir $SD_DIR failed"
	trap 'sd_cleanup; nc_cleanup' EXIT
	# sshd's privilege separation needs it; systemd makes it at boot.
	[ -d /run/sshd ] || mkdir -m 0755 /run/sshd 2>/dev/null ||
		[ -d /run/sshd ] || nc_error "cannot create /run/sshd (sshd needs it)"
	ssh-keygen -q -t ed25519 -N '' -C "$nc_me client" -f "$SD_DIR/client" ||
		nc_error "ssh-keygen of the client key failed"
	cp "$SD_DIR/client.pub" "$SD_DIR/authorized_keys" ||
		nc_error "cannot write $SD_DIR/authorized_keys"
	SD_KNOWN_HOSTS=$SD_DIR/known_hosts
	: >"$SD_KNOWN_HOSTS"
	SD_PORT=$((20000 + RANDOM % 40000))
	# -F none: no ssh_config of this machine or of root changes a test.
	SD_SSH_ARGS=(ssh -F none -i "$SD_DIR/client" -o IdentitiesOnly=yes
		-o UserKnownHostsFile="$SD_KNOWN_HOSTS"
		-o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes
		-o BatchMode=yes -o ConnectTimeout=20 -p "$SD_PORT")
	SD_SSH=${SD_SSH_ARGS[*]}
	NETCOPY_SWEEP_SSH=$SD_SSH
	export NETCOPY_SWEEP_SSH
}

# sd_kill_netns NS: stop every process in namespace NS (SIGTERM, then
# SIGKILL after 5 s, for 2 s more; times the factor).
sd_kill_netns() {
	local ns=$1 pids i term ticks

	nc_patience 5
	term=$((NC_PATIENCE_MS / 100))
	nc_patience 7
	ticks=$((NC_PATIENCE_MS / 100))
	for ((i = 0; i < ticks; i++)); do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] || return 0
		# shellcheck disable=SC2086 # a list of pids
		if [ "$i" -lt "$term" ]; then
			[ "$i" = 0 ] && kill -TERM $pids 2>/dev/null
		else
			kill -KILL $pids 2>/dev/null
		fi
		sleep 0.1
	done
	printf '%s: processes left in network namespace %s: %s\n' "$nc_me" \
		"$ns" "$pids" >&2
}

sd_cleanup() {
	local ns link pid

	for ns in ${SD_NETNS[@]+"${SD_NETNS[@]}"}; do
		sd_kill_netns "$ns"
	done
	for pid in ${SD_PIDS[@]+"${SD_PIDS[@]}"}; do
		nc_wait_pid "$pid" 2
	done
	for ns in ${SD_NETNS[@]+"${SD_NETNS[@]}"}; do
		ip netns del "$ns" 2>/dev/null ||
			printf '%s: could not remove network namespace %s\n' \
				"$nc_me" "$ns" >&2
	done
	# Gone with its namespace's end of the pair, unless a process held it.
	for link in ${SD_LINKS[@]+"${SD_LINKS[@]}"}; do
		ip link show "$link" >/dev/null 2>&1 && ip link del "$link" 2>/dev/null
	done
	SD_NETNS=()
	SD_LINKS=()
	SD_PIDS=()
}

# sd_claim_netns: create a namespace with a new name (SD_NS) and the veth
# pair to it (SD_VETH here, SD_VETH_NS there).  ip netns add fails on a
# name taken, by another test too.
SD_VETH=
SD_VETH_NS=
sd_claim_netns() {
	local id i

	for ((i = 0; i < 50; i++)); do
		id=$(printf '%07x' $(((RANDOM << 15 ^ RANDOM ^ $$ << 8) & 0xfffffff)))
		ip netns add "ncsshd-$id" 2>/dev/null || continue
		SD_NS=ncsshd-$id
		SD_NETNS+=("$SD_NS")
		SD_VETH=nsd$id
		SD_VETH_NS=nsd${id}n
		ip link add "$SD_VETH" type veth peer name "$SD_VETH_NS" \
			netns "$SD_NS" 2>"$SD_DIR/ip.err" ||
			nc_skip "cannot create a veth pair here: $(head -n 1 "$SD_DIR/ip.err")"
		SD_LINKS+=("$SD_VETH")
		return 0
	done
	ip netns add "ncsshd-probe-$$" 2>"$SD_DIR/ip.err" &&
		ip netns del "ncsshd-probe-$$"
	nc_skip "cannot create a network namespace here: $(head -n 1 "$SD_DIR/ip.err")"
}

# sd_address_veth: put a /30 of 10.0.0.0/8 on the pair, from a /24 that
# no address here is in; the end here is SD_HOST_ADDR, the namespace's
# SD_ADDR, its default route.  A test that added an address in the same
# /24 at the same moment sees both, and each tries another.  Every host
# reaches every SD_HOST_ADDR: a server here serves them all.
sd_address_veth() {
	local i a b c net

	for ((i = 0; i < 100; i++)); do
		a=$((RANDOM % 256))
		b=$((RANDOM % 256))
		c=$((RANDOM % 64 * 4))
		net=" 10.$a.$b."
		[[ $(ip -4 -o addr show) == *"$net"* ]] && continue
		SD_HOST_ADDR=10.$a.$b.$((c + 1))
		SD_ADDR=10.$a.$b.$((c + 2))
		ip addr add "$SD_HOST_ADDR/30" dev "$SD_VETH" ||
			nc_error "cannot address $SD_VETH"
		if [ "$(ip -4 -o addr show | grep -cF "$net")" -eq 1 ]; then
			if ! ip link set dev "$SD_VETH" up ||
			   ! ip -n "$SD_NS" addr add "$SD_ADDR/30" dev "$SD_VETH_NS" ||
			   ! ip -n "$SD_NS" link set dev "$SD_VETH_NS" up ||
			   ! ip -n "$SD_NS" link set dev lo up ||
			   ! ip -n "$SD_NS" route add default via "$SD_HOST_ADDR"; then
				nc_error "cannot set up the veth pair $SD_VETH"
			fi
			return 0
		fi
		ip addr del "$SD_HOST_ADDR/30" dev "$SD_VETH"
	done
	nc_error "no free /24 in 10.0.0.0/8 for a veth pair"
}

# sd_write_config FILE HOSTKEY PIDFILE: an sshd_config for this host:
# keys only, root by key, nothing from the machine's configuration.
sd_write_config() {
	cat >"$1" <<EOF
ListenAddress $SD_ADDR:$SD_PORT
HostKey $2
PidFile $3
AuthorizedKeysFile $SD_DIR/authorized_keys
PermitRootLogin prohibit-password
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UsePAM no
UseDNS no
PrintMotd no
X11Forwarding no
MaxStartups 64
EOF
}

# sd_banner ADDR PORT: does an SSH server answer there (its banner)?
# Within 4 s, and 5 s for it all (times the factor).
# shellcheck disable=SC2016 # a script for bash -c
sd_banner() {
	local read_s

	nc_patience 4
	read_s=$NC_PATIENCE
	nc_patience 5
	timeout "$NC_PATIENCE" bash -c 'exec 3<>"/dev/tcp/$1/$2" &&
		IFS= read -r -t "$3" l <&3 && [[ $l == SSH-2.0-* ]]' \
		sh "$1" "$2" "$read_s" 2>/dev/null
}

# sd_start_host: start one more host (see the top).  Sets SD_ADDR,
# SD_HOST_ADDR (this end of its veth), SD_NS, SD_PID and SD_LOG (sshd's
# log) and appends them to SD_ADDRS, SD_HOST_ADDRS, SD_PIDS and SD_LOGS.
# A host that does not start is a hard error (99), its log shown.
sd_start_host() {
	local n=$((${#SD_ADDRS[@]} + 1)) key conf i limit ticks

	[ -n "$SD_DIR" ] || nc_error "sd_start_host before sd_init"
	sd_claim_netns
	sd_address_veth
	key=$SD_DIR/host$n
	conf=$SD_DIR/sshd$n.conf
	SD_LOG=$SD_DIR/sshd$n.log
	ssh-keygen -q -t ed25519 -N '' -C "$nc_me host $n" -f "$key" ||
		nc_error "ssh-keygen of host key $n failed"
	printf '[%s]:%s %s\n' "$SD_ADDR" "$SD_PORT" "$(cut -d ' ' -f 1,2 "$key.pub")" \
		>>"$SD_KNOWN_HOSTS"
	sd_write_config "$conf" "$key" "$SD_DIR/sshd$n.pid"
	# sshd re-executes itself: it needs its absolute path.
	ip netns exec "$SD_NS" "$SD_SSHD" -D -e -f "$conf" >"$SD_LOG" 2>&1 </dev/null &
	SD_PID=$!
	SD_PIDS+=("$SD_PID")
	nc_patience "$SD_START_LIMIT"
	limit=$NC_PATIENCE
	ticks=$((NC_PATIENCE_MS / 100))
	for ((i = 0; i < ticks; i++)); do
		sd_banner "$SD_ADDR" "$SD_PORT" && break
		if ! nc_pid_running "$SD_PID"; then
			nc_show "sshd $n log" "$SD_LOG"
			nc_error "sshd $n in $SD_NS ended before it listened"
		fi
		sleep 0.1
	done
	if [ "$i" -ge "$ticks" ]; then
		nc_show "sshd $n log" "$SD_LOG"
		nc_error "sshd $n in $SD_NS did not answer on $SD_ADDR" \
			"port $SD_PORT within ${limit}s"
	fi
	SD_ADDRS+=("$SD_ADDR")
	SD_HOST_ADDRS+=("$SD_HOST_ADDR")
	SD_LOGS+=("$SD_LOG")
	nc_log "sshd $n: $SD_ADDR port $SD_PORT in $SD_NS (pid $SD_PID)"
}

# sd_run DESCRIPTION HOST COMMAND: nc_run of COMMAND (one string, for the
# remote shell) on HOST through SD_SSH.
sd_run() {
	nc_run "$1" "${SD_SSH_ARGS[@]}" "$2" "$3"
}

# sd_netns_others NS PID: the processes in namespace NS other than PID
# (its sshd), as "pid(command line) ...".
sd_netns_others() {
	local pid

	for pid in $(ip netns pids "$1" 2>/dev/null); do
		[ "$pid" = "$2" ] && continue
		printf '%s(%s) ' "$pid" "$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")"
	done
}

# sd_wait_netns_idle NS PID SECONDS: wait until nothing but PID runs in
# namespace NS (SECONDS times the factor at most); SD_LEFT is what was
# left at the end.
SD_LEFT=
sd_wait_netns_idle() {
	local i ticks

	nc_patience "$3"
	ticks=$((NC_PATIENCE_MS / 100))
	for ((i = 0; i <= ticks; i++)); do
		SD_LEFT=$(sd_netns_others "$1" "$2")
		[ -z "$SD_LEFT" ] && return 0
		sleep 0.1
	done
	return 1
}
