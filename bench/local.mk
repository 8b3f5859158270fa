EXTRA_DIST += bench/vs-iperf3 bench/memcpy-bw.c bench/callgrind-per-message \
	bench/flows \
	bench/udp-paths
