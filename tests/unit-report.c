/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unit-report: netcopy_result_write's CSV, JSON and text of fixed runs,
 * byte for byte against tests/unit-report.expected.  The runs cover a
 * stream (with TCP_INFO figures), rr with its histogram, zero-copy,
 * --rx zero-copy, socket buffers (some TCP_INFO figures NA, paced),
 * counters the machine could not count (some, or all of the PMU's on
 * both sides), a side whose figures never arrived and an error.  Two things vary by
 * machine and release: the CPU model and netcopy's version; they are
 * written as @CPU_MODEL@ and @VERSION@ before the comparison.  Every
 * text line is at most NC_TEXT_WIDTH characters.
 *
 * It also checks the table against what was written: each column's
 * value is in the JSON where columns.def says (where that object is not
 * null), and each text fragment has one conversion, of its cell's kind.
 * And netcopy_result_figure() gives every numeric cell of every run as
 * written, -ENODATA for its NA and -EINVAL for a text column (unit
 * "-", whose cells are text or NA), with netcopy_column_at() naming the
 * CSV header's columns in order.
 *
 * NETCOPY_UPDATE_EXPECTED=FILE writes what this build prints to FILE,
 * for when an output changes on purpose (read the diff before keeping
 * it).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "report/report.h"
#include "unit.h"

/* A side that measured everything. */
static void side(struct nc_figures *f, uint64_t bytes, uint64_t messages,
		 uint64_t interval_ns, uint64_t cpu_us)
{
	memset(f, 0, sizeof(*f));
	f->measured = true;
	f->total_bytes = bytes + 4096;
	f->bytes = bytes;
	f->messages = messages;
	f->interval_ns = interval_ns;
	f->latency_ns = messages ? interval_ns / messages : 0;
	f->cpu_us = cpu_us;
	f->counts.scope = NC_SCOPE_ALL;
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++) {
		f->counts.value[ev] = bytes / 3 + ev * 1000003;
		f->counts.known |= 1u << ev;
	}
	f->zc.sends = f->zc.notifications = f->zc.completions = -1;
	f->zc.copied = f->zc.enobufs = -1;
	f->rx_zc_mapped = f->rx_zc_copied = -1;
	f->sockbuf = nc_sockbufs_none;
	nc_tcp_figures_init(&f->tcp);
}

/* TCP_INFO as a kernel gives it, both sides; the receiver's own sender
 * figures are there but in no column. */
static void tcp_info(struct netcopy_result *r)
{
	static const double tx[NC_TCP_FIGS] = {
		[NC_TCP_RETRANSMITS] = 17, [NC_TCP_RTT_US] = 62.25,
		[NC_TCP_CWND] = 38.5, [NC_TCP_DELIVERY_GBPS] = 41.234567,
		[NC_TCP_BUSY_PCT] = 97.5, [NC_TCP_RWND_LIMITED_PCT] = 40.125,
		[NC_TCP_SNDBUF_LIMITED_PCT] = 3.5, [NC_TCP_RCV_RTT_US] = 9,
		[NC_TCP_RCV_SPACE] = 14480,
	};

	for (int i = 0; i < NC_TCP_FIGS; i++) {
		r->sender.tcp.value[i] = tx[i];
		r->receiver.tcp.value[i] = i == NC_TCP_RCV_SPACE ? 1048576.4 :
					   i == NC_TCP_RCV_RTT_US ? 71.75 : 0;
	}
	r->sender.tcp.conns = r->receiver.tcp.conns = 1;
}

static void run(struct netcopy_result *r, const char *mode, uint64_t size)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->params.mode, sizeof(r->params.mode), "%s", mode);
	r->params.size = size;
	r->params.threads = 1;
	r->params.duration = 2;
	r->params.verify = true;
	r->params.perf = true;
	r->params.workload = NC_WORKLOAD_STREAM;
	r->params.rx = NC_RX_MODE;
	r->timestamp = 1790000000;
	snprintf(r->host, sizeof(r->host), "127.0.0.1");
	snprintf(r->kernel, sizeof(r->kernel), "6.12.0-test");
	side(&r->sender, size * 1000, 1000, 1500000000, 700000);
	side(&r->receiver, size * 1000, 1000, 1400000000, 650000);
	nc_hist_init(&r->rtt);
}

static void stream(struct netcopy_result *r)
{
	run(r, "two-copy", 65536);
	r->receiver.mismatches = 2;
	tcp_info(r);
}

/* The client asks, so it is the sender; --rx zero-copy on both. */
static void rr(struct netcopy_result *r)
{
	run(r, "one-copy", 64);
	r->params.workload = NC_WORKLOAD_RR;
	r->params.rx = NC_RX_ZERO_COPY;
	r->params.threads = 2;
	for (uint64_t i = 1; i <= 5000; i++)
		nc_hist_add(&r->rtt, 9000 + i * i % 77777);
	r->sender.messages = 5000;
	r->receiver.messages = 5000;
	r->sender.rx_zc_mapped = 0;
	r->sender.rx_zc_copied = 320000;
	r->receiver.rx_zc_mapped = 0;
	r->receiver.rx_zc_copied = 320000;
}

/* Loopback: the kernel copied every send. */
static void zero_copy(struct netcopy_result *r)
{
	struct nc_figures *tx = &r->sender;

	run(r, "zero-copy", 262144);
	r->params.rx = NC_RX_RECV;
	r->params.reverse = true;
	r->params.threads = 4;
	tx->zc.sends = 1000;
	tx->zc.notifications = 300;
	tx->zc.completions = 1000;
	tx->zc.copied = 1000;
	tx->zc.enobufs = 3;
}

/* uring-zc on a kernel that does not say what it copied. */
static void zero_copy_unknown(struct netcopy_result *r)
{
	struct nc_figures *tx = &r->sender;

	run(r, "uring-zc", 4096);
	r->params.rx = NC_RX_RECV;
	tx->zc.sends = 1000;
	tx->zc.notifications = 1000;
	tx->zc.completions = 1000;
	tx->zc.copied = -1;
	tx->zc.enobufs = 0;
}

/* --rx zero-copy that mapped some pages, or that the kernel refused. */
static void rx_zero_copy(struct netcopy_result *r, bool refused)
{
	run(r, "sendfile", 1048576);
	r->params.rx = NC_RX_ZERO_COPY;
	r->receiver.rx_zc_mapped = refused ? 0 : 786432000;
	r->receiver.rx_zc_copied = refused ? 1048576000 : 262144000;
	if (refused)
		r->receiver.rx_zc_refused = -EOPNOTSUPP;
}

/* --sndbuf asked, --rcvbuf left to the kernel; the receiver's held
 * figure unknown.  Paced by the kernel at 200 Mbit/s. */
static void socket_buffers(struct netcopy_result *r)
{
	run(r, "two-copy", 16384);
	r->params.verify = false;
	r->params.rate = 200000000;
	r->sender.pacing = NC_PACING_KERNEL;
	r->params.sndbuf = 131072;
	r->sender.sockbuf.snd = 262144;
	r->sender.sockbuf.rcv = 131072;
	r->receiver.sockbuf.snd = 16384;
	r->receiver.sockbuf.rcv = -1;
	/* A kernel without the chronograph's fields, the receiver with
	 * no RTT estimate yet. */
	tcp_info(r);
	r->sender.tcp.value[NC_TCP_BUSY_PCT] = -1;
	r->sender.tcp.value[NC_TCP_RWND_LIMITED_PCT] = -1;
	r->sender.tcp.value[NC_TCP_SNDBUF_LIMITED_PCT] = -1;
	r->sender.tcp.value[NC_TCP_DELIVERY_GBPS] = -1;
	r->receiver.tcp.value[NC_TCP_RCV_RTT_US] = -1;
}

/* UDP, client sending: the server counted 2 % lost, which warns. */
static void udp(struct netcopy_result *r)
{
	run(r, "one-copy", 1472);
	r->params.proto = NC_PROTO_UDP;
	r->params.reverse = true;
	r->receiver.udp = (struct nc_udp_counts){ true, 20, 3, 1, 245, 12.5 };
	r->receiver.messages = 980;
	r->receiver.bytes = r->receiver.total_bytes = 980 * 1472;
	r->sender.udp_sends = r->sender.messages;	/* one a call */
}

/* A machine that counts user mode only and lacks some counters. */
static void partial_counters(struct netcopy_result *r)
{
	run(r, "splice", 8192);
	r->sender.counts.scope = NC_SCOPE_USER;
	r->sender.counts.known &= ~(1u << NC_EV_CACHE_MISSES |
				    1u << NC_EV_CYCLES);
	r->receiver.counts.scope = NC_SCOPE_ALL;
	r->receiver.counts.known = 1u << NC_EV_TASK_CLOCK |
				   1u << NC_EV_CONTEXT_SWITCHES;
	r->receiver.bytes = 0;
}

/* A VM: neither side has the PMU's counters, said once. */
static void no_pmu(struct netcopy_result *r)
{
	const unsigned int sw = 1u << NC_EV_CONTEXT_SWITCHES |
				1u << NC_EV_TASK_CLOCK |
				1u << NC_EV_PAGE_FAULTS;

	run(r, "two-copy", 1024);
	r->params.verify = false;
	r->sender.counts.known = sw;
	r->receiver.counts.known = sw;
	tcp_info(r);
}

static void no_perf(struct netcopy_result *r)
{
	run(r, "one-copy", 1000);
	r->params.perf = false;
	r->params.verify = false;
	r->sender.counts.scope = NC_SCOPE_OFF;
	r->sender.counts.known = 1u << NC_EV_TASK_CLOCK;
	r->receiver.counts.scope = NC_SCOPE_OFF;
	r->receiver.counts.known = 0;
}

/* The server went away: the receiver's figures never arrived. */
static void error(struct netcopy_result *r)
{
	run(r, "two-copy", 65536);
	r->status = -ECONNRESET;
	r->timestamp = -1;
	r->kernel[0] = '\0';
	snprintf(r->host, sizeof(r->host), "host,with \"quotes\"");
	memset(&r->receiver, 0, sizeof(r->receiver));
	snprintf(r->receiver.reason, sizeof(r->receiver.reason),
		 "the server closed the connection");
	r->sender.interval_ns = 0;
}

/* Cut short: bytes missing, the reason said. */
static void short_run(struct netcopy_result *r)
{
	run(r, "two-copy", 65536);
	r->status = NETCOPY_ESHORT;
	r->sender.measured = false;
	snprintf(r->receiver.reason, sizeof(r->receiver.reason),
		 "interrupted");
}

/* The object at path ("sender.counters") in doc; NULL if null. */
static json_object *object_at(json_object *doc, const char *path)
{
	char buf[64], *save = NULL;
	json_object *o = doc;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && o;
	     k = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, k, &o))
			unit_error("no %s in the JSON document", path);
	return o;
}

static bool same(json_object *v, struct nc_cell c)
{
	switch (c.kind) {
	case NC_CELL_NA:
		return v == NULL;
	case NC_CELL_U64:
		return json_object_is_type(v, json_type_int) &&
		       json_object_get_uint64(v) == c.u;
	case NC_CELL_DOUBLE:
		return json_object_is_type(v, json_type_double) &&
		       json_object_get_double(v) == c.d;
	case NC_CELL_TEXT:
		return json_object_is_type(v, json_type_string) &&
		       strcmp(json_object_get_string(v), c.text) == 0;
	}
	return false;
}

/* Each column is in r's JSON where the table says, with its value. */
static void check_json_places(const char *name,
			      const struct netcopy_result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	json_object *doc;

	CHECK_INT(netcopy_result_write(r, m, NETCOPY_FORMAT_JSON, false), 0);
	fclose(m);
	doc = json_tokener_parse(buf);
	if (!doc)
		unit_error("%s: the JSON does not parse", name);
	for (size_t i = 0; i < nc_column_count; i++) {
		const struct nc_column *c = &nc_columns[i];
		json_object *o, *v = NULL;

		if (c->where == NC_JSON_NONE)
			continue;
		o = object_at(doc, nc_json_obj_path[c->where]);
		if (!o)
			continue;
		CHECK(json_object_object_get_ex(o, c->key, &v),
		      "%s: no %s.%s for %s", name,
		      nc_json_obj_path[c->where], c->key, c->name);
		CHECK(same(v, nc_column_cell(r, i)), "%s: %s.%s is %s, not %s",
		      name, nc_json_obj_path[c->where], c->key,
		      json_object_to_json_string(v), c->name);
	}
	json_object_put(doc);
	free(buf);
}

/* The conversion of a text fragment, which must hold exactly one. */
static const char *conversion(const char *fmt, char *buf, size_t len)
{
	const char *found = NULL;
	size_t n = 0;

	for (const char *s = fmt; (s = strchr(s, '%')); s++) {
		if (s[1] == '%') {
			s++;
			continue;
		}
		found = s;
		n++;
	}
	if (n != 1)
		return NULL;
	snprintf(buf, len, "%.*s", (int)strcspn(found + 1, "diouxXeEfgGsc") + 2,
		 found);
	return buf;
}

static bool text_shown[NC_COLUMN_COUNT];

/* Each fragment fits the kind of its column's cell, where known. */
static void check_text_fragments(const char *name,
				 const struct netcopy_result *r)
{
	for (size_t i = 0; i < nc_column_count; i++) {
		const char *fmt = nc_columns[i].text, *conv;
		struct nc_cell c = nc_column_cell(r, i);
		char buf[16];
		char last;

		if (!fmt || c.kind == NC_CELL_NA)
			continue;
		conv = conversion(fmt, buf, sizeof(buf));
		CHECK(conv, "%s: text \"%s\" has not one conversion",
		      nc_columns[i].name, fmt);
		if (!conv)
			continue;
		last = conv[strlen(conv) - 1];
		CHECK(c.kind == NC_CELL_U64 ? strcmp(conv + strlen(conv) - 3,
						     "llu") == 0 :
		      c.kind == NC_CELL_DOUBLE ? strchr("eEfgG", last) != NULL :
		      last == 's', "%s: %s: \"%s\" does not fit its cell",
		      name, nc_columns[i].name, fmt);
		text_shown[i] = true;
	}
}

/* netcopy_result_figure() of each column of r: its cell, as a double. */
static void check_figures(const char *name, const struct netcopy_result *r)
{
	for (size_t i = 0; i < nc_column_count; i++) {
		const char *col = nc_columns[i].name;
		struct nc_cell c = nc_column_cell(r, i);
		bool text = strcmp(nc_columns[i].unit, "-") == 0;
		double v = -1;
		int err = netcopy_result_figure(r, col, &v);

		CHECK(text ? c.kind == NC_CELL_TEXT || c.kind == NC_CELL_NA :
		      c.kind != NC_CELL_TEXT,
		      "%s: %s: unit %s, cell kind %d", name, col,
		      nc_columns[i].unit, c.kind);
		if (text || c.kind == NC_CELL_NA) {
			CHECK(err == (text ? -EINVAL : -ENODATA),
			      "%s: %s: figure %d", name, col, err);
			continue;
		}
		CHECK(err == 0 && v == (c.kind == NC_CELL_U64 ? (double)c.u :
					c.d), "%s: %s: figure %d, %.17g",
		      name, col, err, v);
		CHECK(netcopy_result_figure(r, col, NULL) == 0,
		      "%s: %s: no value asked for", name, col);
	}
}

/* The column handles, and the names that are no column's. */
static void check_column_api(const struct netcopy_result *r)
{
	char header[4096] = "";
	double v = 42;

	CHECK_INT(netcopy_column_count(), nc_column_count);
	for (size_t i = 0; i < netcopy_column_count(); i++) {
		const struct netcopy_column *c = netcopy_column_at(i);

		CHECK(c && strcmp(netcopy_column_unit(c), nc_columns[i].unit) ==
			   0 && strcmp(netcopy_column_meaning(c),
				       nc_columns[i].meaning) == 0,
		      "column %zu's unit or meaning", i);
		if (c)
			snprintf(header + strlen(header),
				 sizeof(header) - strlen(header), "%s%s",
				 i ? "," : "", netcopy_column_name(c));
	}
	CHECK(!netcopy_column_at(netcopy_column_count()), "one past the end");
	CHECK(strcmp(header, netcopy_result_csv_header()) == 0,
	      "the columns' names: %.60s", header);
	CHECK_INT(netcopy_result_figure(r, "NoSuchColumn", &v), -ENOENT);
	CHECK_INT(netcopy_result_figure(NULL, "NoSuchColumn", &v), -ENOENT);
	CHECK_INT(netcopy_result_figure(r, "latency_us", &v), -ENOENT);
	CHECK_INT(netcopy_result_figure(r, NULL, &v), -ENOENT);
	CHECK_INT(netcopy_result_figure(r, "", &v), -ENOENT);
	CHECK_INT(netcopy_result_figure(NULL, "Latency_us", &v), -ENODATA);
	CHECK_INT(netcopy_result_figure(NULL, "Status", &v), -EINVAL);
	CHECK(v == 42, "a failed call left %g", v);
}

static void rx_zero_copy_mapped(struct netcopy_result *r)
{
	rx_zero_copy(r, false);
}

static void rx_zero_copy_refused(struct netcopy_result *r)
{
	rx_zero_copy(r, true);
}

/* The runs, in the order of the expected output. */
static const struct {
	const char *name;
	void (*fill)(struct netcopy_result *r);
} runs[] = {
	{ "stream", stream },
	{ "rr", rr },
	{ "zero-copy", zero_copy },
	{ "zero-copy-unknown", zero_copy_unknown },
	{ "rx-zero-copy", rx_zero_copy_mapped },
	{ "rx-zero-copy-refused", rx_zero_copy_refused },
	{ "socket-buffers", socket_buffers },
	{ "partial-counters", partial_counters },
	{ "no-pmu", no_pmu },
	{ "no-perf", no_perf },
	{ "error", error },
	{ "short", short_run },
	{ "udp", udp },
};

static void write_all(FILE *out, const char *name,
		      const struct netcopy_result *r, bool header)
{
	static const enum netcopy_format formats[] = {
		NETCOPY_FORMAT_CSV, NETCOPY_FORMAT_JSON, NETCOPY_FORMAT_TEXT,
	};

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		fprintf(out, "== %s %s\n", name,
			i == 0 ? "csv" : i == 1 ? "json" : "text");
		CHECK_INT(netcopy_result_write(r, out, formats[i],
					       header && i == 0), 0);
	}
	check_json_places(name, r);
	check_text_fragments(name, r);
	check_figures(name, r);
}

/* Replace every "from" in *s by "to". */
static void replace(char **s, const char *from, const char *to)
{
	size_t flen = strlen(from), tlen = strlen(to), n = 0;
	char *p, *out, *o;

	if (!flen)
		return;
	for (p = strstr(*s, from); p; p = strstr(p + flen, from))
		n++;
	out = malloc(strlen(*s) + n * tlen + 1);
	if (!out)
		unit_error("out of memory");
	o = out;
	for (p = *s;;) {
		char *hit = strstr(p, from);

		if (!hit) {
			strcpy(o, p);
			break;
		}
		memcpy(o, p, (size_t)(hit - p));
		o += hit - p;
		memcpy(o, to, tlen);
		o += tlen;
		p = hit + flen;
	}
	free(*s);
	*s = out;
}

/* The CPU model this machine wrote, as JSON text ("..." or null). */
static char *cpu_model_json(const char *all)
{
	const char *j = strstr(all, "json\n");
	json_object *o, *m, *c;
	char *s;

	if (!j)
		unit_error("no JSON written");
	o = json_tokener_parse(j + 5);
	if (!o || !json_object_object_get_ex(o, "machine", &m))
		unit_error("JSON without machine: %.200s", j + 5);
	json_object_object_get_ex(m, "cpu_model", &c);
	s = strdup(json_object_to_json_string_ext(c, JSON_C_TO_STRING_PLAIN |
				JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

/* No text line under the first (those start with two spaces) wider
 * than the printer's width; CSV and JSON lines may be. */
static void check_text_width(const char *all)
{
	for (const char *line = all; *line;) {
		size_t len = strcspn(line, "\n");

		CHECK(len <= NC_TEXT_WIDTH || strncmp(line, "  ", 2),
		      "a text line of %zu: %.*s", len, (int)len, line);
		line += len + (line[len] == '\n');
	}
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int c;

	if (!f)
		unit_error("cannot open %s", path);
	m = open_memstream(&buf, &len);
	while ((c = getc(f)) != EOF)
		putc(c, m);
	fclose(f);
	fclose(m);
	return buf;
}

/* The first line where a and b differ, for the failure message. */
static void first_difference(const char *a, const char *b)
{
	unsigned int line = 1;
	const char *la = a, *lb = b;

	for (; *a && *a == *b; a++, b++) {
		if (*a == '\n') {
			line++;
			la = a + 1;
			lb = b + 1;
		}
	}
	fprintf(stderr, "line %u differs:\n  want: %.*s\n  got:  %.*s\n",
		line, (int)strcspn(la, "\n"), la, (int)strcspn(lb, "\n"), lb);
}

int main(void)
{
	static struct netcopy_result r;
	const char *top = getenv("top_srcdir");
	const char *update = getenv("NETCOPY_UPDATE_EXPECTED");
	char *got = NULL, *want, *model, path[4096];
	size_t len = 0;
	FILE *out = open_memstream(&got, &len);

	if (!out)
		unit_error("open_memstream failed");
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		runs[i].fill(&r);
		write_all(out, runs[i].name, &r, i == 0);
	}
	fclose(out);
	check_column_api(&r);
	for (size_t i = 0; i < nc_column_count; i++)
		CHECK(!nc_columns[i].text || text_shown[i],
		      "no run shows %s's text", nc_columns[i].name);

	check_text_width(got);
	model = cpu_model_json(got);
	{
		char from[300];

		snprintf(from, sizeof(from), "\"cpu_model\":%s", model);
		replace(&got, from, "\"cpu_model\":@CPU_MODEL@");
	}
	/* Only where the version is written, not in figures like it. */
	replace(&got, "," PACKAGE_VERSION "\n", ",@VERSION@\n");
	replace(&got, "," PACKAGE_VERSION ",", ",@VERSION@,");
	replace(&got, "\"netcopy_version\":\"" PACKAGE_VERSION "\"",
		"\"netcopy_version\":\"@VERSION@\"");
	free(model);

	if (update) {
		FILE *f = fopen(update, "w");

		if (!f || fputs(got, f) < 0 || fclose(f))
			unit_error("cannot write %s", update);
	}
	snprintf(path, sizeof(path), "%s/tests/unit-report.expected",
		 top ? top : ".");
	want = slurp(path);
	CHECK(strcmp(got, want) == 0, "output differs from %s", path);
	if (strcmp(got, want))
		first_difference(want, got);
	free(want);
	free(got);
	return unit_exit("unit-report");
}
