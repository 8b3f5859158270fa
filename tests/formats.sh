#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Output formats: the CSV header (its first 11 columns fixed by the
# study) and row, -o appending with the header only once, JSON (one
# object per line, schema 1, its groups, numbers at their shortest form)
# and text (no line over 100 characters); -I in each, stdout still
# parseable.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
nc_need_jq
nc_start_server
run=(-p "$NC_PORT" -s 4K -t 2 -d 0.1 --verify)

# ---- CSV on stdout
nc_client "csv on stdout" "${run[@]}" -f csv
if nc_check_rc 0; then
	nc_log "CSV header: $(head -n 1 "$NC_OUT")"
	nc_check_csv_run two-copy 4096 2
	header=$(head -n 1 "$NC_OUT")
	nc_check "CSV header starts with exactly the 11 study columns" \
		[ "${header:0:${#NC_CSV_HEAD}+1}" = "$NC_CSV_HEAD," ]
	for col in Mismatches ZcCompletions ZcCopied Status; do
		nc_check "CSV header has a $col column" \
			grep -Eq "(^|,)$col(,|\$)" <<<"$header"
	done
	ncols=$(head -n 1 "$NC_OUT" | awk -F, '{ print NF }')
	rcols=$(sed -n 2p "$NC_OUT" | awk -F, '{ print NF }')
	nc_check "CSV row has as many fields as the header ($rcols/$ncols)" \
		[ "$ncols" = "$rcols" ]
	nc_check "two-copy CSV: ZcCompletions is NA, not 0" \
		[ "$(nc_csv_get "$NC_OUT" ZcCompletions)" = NA ]
fi

# ---- CSV into a file, twice: one header, two rows
csv=$nc_tmp/out.csv
for i in 1 2; do
	nc_client "csv -o run $i" "${run[@]}" -f csv -o "$csv"
	nc_check_rc 0
done
nc_check "-o csv twice: 3 lines (got $(wc -l <"$csv" 2>/dev/null))" \
	[ "$(wc -l <"$csv" 2>/dev/null)" = 3 ]
nc_check "-o csv twice: exactly one header line" \
	[ "$(grep -c '^Implementation,' "$csv")" = 1 ]
nc_check "-o csv twice: the header comes first" \
	[ "$(head -n 1 "$csv" | cut -d, -f1-11)" = "$NC_CSV_HEAD" ]
nc_check "-o csv twice: both rows are two-copy rows" \
	[ "$(grep -c '^two-copy,4096,2,' "$csv")" = 2 ]
[ "$nc_failures" -eq 0 ] || nc_show "$csv" "$csv"

# An existing but empty file gets the header too.
empty=$nc_tmp/empty.csv
: >"$empty"
nc_client "csv -o into an empty file" "${run[@]}" -f csv -o "$empty"
nc_check_rc 0
nc_check "-o csv into an empty file writes the header" \
	[ "$(head -n 1 "$empty" | cut -d, -f1-11)" = "$NC_CSV_HEAD" ]
nc_check "-o csv into an empty file: header and one row" \
	[ "$(wc -l <"$empty")" = 2 ]

# ---- JSON on stdout
jq_common='.schema == 1
	and (.params | type) == "object"
	and (.result | type) == "object"
	and has("sender") and has("receiver")
	and has("zerocopy") and has("latency")
	and .latency == null'
nc_client "json on stdout" "${run[@]}" -f json
if nc_check_rc 0; then
	nc_log "JSON: $(head -c 600 "$NC_OUT")"
	nc_check "json: exactly one line" [ "$(wc -l <"$NC_OUT")" = 1 ]
	nc_check "json: parses, schema 1 and every group" \
		jq -e "$jq_common" "$NC_OUT" >/dev/null
	nc_check "json: params echo the run" \
		jq -e '.params.mode == "two-copy" and .params.size == 4096
			and .params.threads == 2 and .params.verify == true' \
		"$NC_OUT" >/dev/null
	nc_check "json: result status ok, bytes > 0, no mismatch" \
		jq -e '.result.status == "ok" and .result.bytes > 0
			and .result.mismatches == 0' "$NC_OUT" >/dev/null
	nc_check "json: two-copy has zerocopy null" \
		jq -e '.zerocopy == null' "$NC_OUT" >/dev/null
	[ "$nc_failures" -eq 0 ] || nc_show_run
fi

# ---- JSON into a file, twice: two objects, one a line
json=$nc_tmp/out.json
for i in 1 2; do
	nc_client "json -o run $i" "${run[@]}" -f json -o "$json"
	nc_check_rc 0
done
nc_check "-o json twice: 2 lines" [ "$(wc -l <"$json" 2>/dev/null)" = 2 ]
nc_check "-o json twice: each line an object of schema 1" \
	jq -e -s 'length == 2 and all(.[]; .schema == 1)' "$json" >/dev/null

# ---- JSON of zero-copy, where the mode runs (0.3 s: the zero-copy
# sender's set-up can outlast a shorter run on a busy machine; the
# loopback test is the one that holds the short runs to account)
if nc_zero_copy_built; then
	nc_client "json zero-copy" -p "$NC_PORT" -m zero-copy -s 64K -t 1 \
		-d 0.3 --verify -f json
else
	NC_RC=4
fi
if [ "$NC_RC" -eq 4 ]; then
	nc_log "zero-copy not supported here; its JSON is not checked"
elif nc_check_rc 0; then
	nc_check "json zero-copy: zerocopy.completions > 0, copied a number" \
		jq -e '.zerocopy.completions > 0
			and (.zerocopy.copied | type) == "number"' \
		"$NC_OUT" >/dev/null || nc_show_run
fi

# ---- text, explicit and by default
nc_client "text" "${run[@]}" -f text
nc_check_rc 0 &&
	nc_check "text: a summary naming the mode on stdout" \
		grep -q two-copy "$NC_OUT"
nc_client "default format" "${run[@]}"
nc_check_rc 0 &&
	nc_check "default format: a summary on stdout" [ -s "$NC_OUT" ]
text=$nc_tmp/out.txt
nc_client "text -o" "${run[@]}" -o "$text"
nc_check_rc 0 && nc_check "text -o writes the file" [ -s "$text" ]

# ---- JSON numbers at their shortest exact form: 0.6, not
# 0.59999999999999998 (jq would hide the difference: read the text)
nc_client "json -d 0.6" -p "$NC_PORT" -s 4K -t 1 -d 0.6 -f json
if nc_check_rc 0; then
	nc_check "json -d 0.6: \"duration_s\":0.6 as written" \
		grep -q '"duration_s":0\.6[,}]' "$NC_OUT" || nc_show_run
fi

# ---- -I -f json: an object a line, the intervals ("type": "interval")
# then the result, every line parsing on its own
nc_client "json -I 0.2" -p "$NC_PORT" -s 4K -t 1 -d 1 -I 0.2 -f json
if nc_check_rc 0; then
	lines=$(wc -l <"$NC_OUT")
	nc_check "json -I: every stdout line parses on its own" \
		jq -e -c . "$NC_OUT" >/dev/null
	bad=0
	for ((i = 1; i <= lines; i++)); do
		sed -n "${i}p" "$NC_OUT" | jq -e . >/dev/null 2>&1 || bad=$i
	done
	nc_check "json -I: line $bad of $lines does not parse alone" \
		[ "$bad" -eq 0 ]
	nc_check "json -I: every line but the last an interval object" \
		jq -e -s '.[:-1] | length >= 1 and all(.[];
			.type == "interval" and .to_s > .from_s
			and (.bytes | type) == "number"
			and (.throughput_gbps | type) == "number"
			and .retransmits == null
			and (.warmup | type) == "boolean")' "$NC_OUT" >/dev/null
	nc_check "json -I: the last line the result (schema 1, bytes > 0)" \
		jq -e -s '.[-1] | has("type") == false and .schema == 1
			and .result.status == "ok" and .result.bytes > 0' \
		"$NC_OUT" >/dev/null
	[ "$nc_failures" -eq 0 ] || nc_show_run
fi

# ---- -I -f csv: stdout the header and the row; the intervals in
# --interval-file under their own header, or on stderr
# (the server sends: the client cannot see its retransmits, NA)
iv_head='From_s,To_s,Bytes,Throughput_Gbps,Retransmits,Warmup'
ivfile=$nc_tmp/intervals.csv
nc_client "csv -I 0.2 --interval-file" -p "$NC_PORT" -s 4K -t 1 -d 1 \
	-I 0.2 -f csv --verify --interval-file "$ivfile"
if nc_check_rc 0 && nc_check_csv_run two-copy 4096 1; then
	nc_check "csv --interval-file: its header first" \
		[ "$(head -n 1 "$ivfile")" = "$iv_head" ]
	rows=$(grep -Ec '^[0-9.]+,[0-9.]+,[0-9]+,[0-9.]+,NA,[01]$' "$ivfile")
	nc_check "csv --interval-file: header and rows only ($rows rows)" \
		[ "$rows" -ge 1 ] && [ "$((rows + 1))" = "$(wc -l <"$ivfile")" ]
	[ "$nc_failures" -eq 0 ] || nc_show "intervals" "$ivfile"
fi
nc_client "csv -I 0.2 (stderr)" -p "$NC_PORT" -s 4K -t 1 -d 1 -I 0.2 \
	-f csv --verify
if nc_check_rc 0 && nc_check_csv_run two-copy 4096 1; then
	nc_check "csv -I: the intervals on stderr, under their header" \
		[ "$(head -n 1 "$NC_ERR")" = "$iv_head" ] || nc_show_run
	nc_check "csv -I: interval rows on stderr" \
		[ "$(grep -c '^[0-9.]*,[0-9.]*,[0-9]*,' "$NC_ERR")" -ge 1 ]
fi
nc_client_usage_error "--interval-file without -I" "needs -I" \
	-p "$NC_PORT" -d 0.1 --interval-file "$nc_tmp/unused.csv"

# ---- -R -I: the client sends and reads its connections' retransmits
# every interval: a whole number each, adding up to no more than the
# run's SndRetransmits (which the measured span's TCP_INFO gives)
rfile=$nc_tmp/intervals-R.csv
nc_client "csv -R -I 0.2" -p "$NC_PORT" -R -s 4K -t 2 -d 1 -I 0.2 -f csv \
	--verify --interval-file "$rfile"
if nc_check_rc 0 && nc_check_csv_run two-copy 4096 2; then
	snd=$(nc_csv_get "$NC_OUT" SndRetransmits)
	sum=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++)
				   if ($i == "Retransmits") c = i; next }
		       c && $c ~ /^[0-9]+$/ { s += $c; n++; next }
		       { bad++ }
		       END { if (!c || bad || !n) print "bad"; else print s }' \
		"$rfile")
	nc_check "csv -R -I: every row's Retransmits a whole number ($sum)" \
		[ "$sum" != bad ]
	nc_check "csv -R -I: SndRetransmits '$snd' a whole number" \
		grep -Eqx '[0-9]+' <<<"$snd"
	[ "$nc_failures" -eq 0 ] &&
		nc_check "csv -R -I: the rows' $sum retransmits <= $snd" \
			[ "$sum" -le "$snd" ]
	[ "$nc_failures" -eq 0 ] || nc_show "intervals" "$rfile"
fi
nc_client "json -R -I 0.2" -p "$NC_PORT" -R -s 4K -t 1 -d 0.6 -I 0.2 -f json
nc_check_rc 0 &&
	nc_check "json -R -I: every interval's retransmits a whole number" \
		jq -e -s '.[:-1] | length >= 1 and all(.[];
			(.retransmits | type) == "number"
			and .retransmits >= 0
			and .retransmits == (.retransmits | floor))' \
		"$NC_OUT" >/dev/null
# text: iperf3's Retr column, "-" where not measured (the server sends)
for dir in "" -R; do
	want='[0-9]+'
	[ -z "$dir" ] && want=-
	# shellcheck disable=SC2086 # no -R: no word
	nc_client "text $dir -I 0.2" -p "$NC_PORT" $dir -s 4K -t 1 -d 0.6 \
		-I 0.2
	nc_check_rc 0 || continue
	nc_check "text $dir -I: a Retr header" \
		grep -Eq '^ +Interval +Transfer +Throughput +Retr$' "$NC_OUT"
	rows=$(grep -Ec "^ *[0-9.]+- *[0-9.]+ s .* Gbit/s +$want( |\$)" \
		"$NC_OUT")
	nc_check "text $dir -I: rows whose Retr is '$want' ($rows)" \
		[ "$rows" -ge 1 ] || nc_show_run
done

# ---- text a person reads: no line over 100 characters, whatever the
# run (a stream either way, rr, zero-copy, socket buffers, -I)
text_runs=("-s 4K -t 2" "-R -s 4K -t 2" "-w rr -t 2 -s 4K"
	   "--sndbuf 64K --rcvbuf 64K -s 4K -t 2" "-I 0.05 -s 4K -t 2"
	   "--no-perf -s 4K -t 2" "--rx recvmsg -s 64K -t 2")
nc_zero_copy_built && text_runs+=("-m zero-copy -s 64K -t 1")
for extra in "${text_runs[@]}"; do
	# shellcheck disable=SC2086 # the options split on purpose
	nc_client "text $extra" -p "$NC_PORT" -d 0.2 --verify $extra
	[ "$NC_RC" -eq 4 ] && continue	# a mode this kernel lacks
	nc_check_rc 0 || continue
	long=$(awk 'length > 100 { n++ } END { print n + 0 }' "$NC_OUT")
	nc_check "text $extra: $long lines over 100 characters" \
		[ "$long" -eq 0 ] || nc_show_run
done

# ---- an output file that cannot be opened fails before the run, as a
# bad value does
nc_client "-o into a missing directory" "${run[@]}" -f csv \
	-o "$nc_tmp/no/such/dir/out.csv"
nc_check_rc 2 &&
	nc_check "-o into a missing directory: one line on stderr" \
		test "$(wc -l <"$NC_ERR")" -eq 1

nc_finish
