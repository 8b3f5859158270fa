/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * report.h - what the report files (columns.c, report-print.c,
 * report-csv.c, report.c, result.c) offer the rest of the library and
 * its tests: a run's result, the table of columns, the figures derived
 * from a run's raw ones, the printer and the writers.  Uses wire/ (a
 * side's figures), recv/ and send/ (the names of paths) and base/.
 */
#ifndef NETCOPY_REPORT_H
#define NETCOPY_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/histogram.h"
#include "params/params.h"
#include "wire/wire.h"

struct json_object;

/* ---- result.c: a run, as the client hands it to its caller. */
struct netcopy_result {
	struct nc_params params;	/* what the run asked for */
	int status;
	int64_t timestamp;		/* run start, seconds since the epoch */
	char host[256];			/* the server, as given */
	char kernel[65];		/* this machine's release */
	/* In rr the client, which asks, is the sender. */
	struct nc_figures receiver;
	struct nc_figures sender;
	struct nc_histogram rtt;	/* rr: every round trip, in ns */
	/* The client's span of the run, from its first data connection to
	 * the trailer: the peer's figures' check holds them to it. */
	uint64_t wall_ns;
	/* The peer's figures were refused (left NA): a row says error. */
	bool peer_refused;
	/* --bidir: the client-sends run's result, freed with this one. */
	struct netcopy_result *next;
	/* The client's time to connect its data connections; 0: NA. */
	uint64_t connect_ns;
	/* --per-flow where the client received: each flow's bytes (they
	 * sum to receiver.bytes), freed with this; NULL: not asked. */
	uint64_t *flow_bytes;
	uint32_t flow_bytes_n;
};

/* ---- columns.c: the columns, and the figures they are made of. */
/* One figure, as it is written: NA (unknown, never 0), a count, a
 * number with CSV's decimals, or text. */
enum nc_cell_kind { NC_CELL_NA, NC_CELL_U64, NC_CELL_DOUBLE, NC_CELL_TEXT };

struct nc_cell {
	enum nc_cell_kind kind;
	uint64_t u;
	double d;
	int decimals;
	const char *text;
};

/* The columns, in CSV order (lib/columns.def). */
enum nc_column_id {
#define COLUMN(id, name, unit, side, where, key, text, get, check, meaning) \
	COL_##id,
#include "columns.def"
#undef COLUMN
	NC_COLUMN_COUNT
};

/* The JSON document's objects that hold columns. */
enum nc_json_obj {
	NC_JSON_NONE,
	NC_JSON_PARAMS,
	NC_JSON_RESULT,
	NC_JSON_SENDER,
	NC_JSON_SENDER_COUNTERS,
	NC_JSON_RECEIVER,
	NC_JSON_RECEIVER_COUNTERS,
	NC_JSON_ZEROCOPY,
	NC_JSON_RX_ZEROCOPY,
	NC_JSON_LATENCY,
	NC_JSON_MACHINE,
	NC_JSON_OBJ_COUNT
};
/* Each one's key path from the document's top: "sender.counters". */
extern const char *const nc_json_obj_path[NC_JSON_OBJ_COUNT];

/* What the run asked for, without which a peer's figure is never sent. */
enum nc_ask {
	NC_ASK_ALWAYS,
	NC_ASK_PERF,		/* the counters: not with --no-perf */
	NC_ASK_ZC,		/* a zero-copy mode (netcopy_mode.zero_copy) */
	NC_ASK_RX_ZC,		/* --rx zero-copy */
	NC_ASK_SOCKBUF,		/* --sndbuf or --rcvbuf */
	NC_ASK_VERIFY,		/* --verify */
	NC_ASK_TCPI,		/* the TCP_INFO figures */
	NC_ASK_UDP,		/* --proto udp */
	NC_ASK_FLOWS,		/* --flows (above -t) */
};

/* The bound on a peer's figure v (col: a column's figure; threads: the
 * run's; the wall time: netcopy_result.wall_ns with a little slack). */
enum nc_rule_kind {
	NC_RULE_ANY,		/* none of its own: the run's, or made of
				 * figures that have one */
	NC_RULE_MAX,		/* v <= x */
	/* v <= (col + Flows) * x: one unit a connection for a count or
	 * time each connection truncates, or starts a little apart */
	NC_RULE_AT_MOST,
	/* Bytes: v <= what the sender sent in all, and that >= what the
	 * receiver received in all (the receiver cannot get more) */
	NC_RULE_BYTES,
	/* Whole messages: v <= col / the message size + Flows (rr:
	 * one a connection answered across the end of the warm-up) */
	NC_RULE_WHOLE,
	NC_RULE_SPAN,		/* v * x seconds <= the wall time */
	/* A SPAN, and above 0 once col counts anything */
	NC_RULE_INTERVAL,
	NC_RULE_CPU,		/* v * x seconds <= threads * the wall time */
	/* A share of one CPU in % over its side's interval: the CPU time
	 * at most threads * that interval */
	NC_RULE_SHARE,
	/* A pacing method: none exactly when the run asked for no rate */
	NC_RULE_PACING,
	/* Datagrams: v <= those sent in all (the sender's bytes / the
	 * size) + Flows */
	NC_RULE_SENT,
};

struct nc_rule {
	uint8_t ask;			/* enum nc_ask */
	uint8_t kind;			/* enum nc_rule_kind */
	uint8_t col;			/* enum nc_column_id */
	double x;
};

/* Physics, for the rules: no core runs at 10 GHz nor retires 16
 * instructions a cycle (and NC_WIRE_MAX_GBPS). */
#define NC_MAX_CYCLES_PER_US 1e4
#define NC_MAX_IPC 16
/* Misses are a part of references, but each event is counted on its own
 * and scaled by the kernel when multiplexed (measure/counters.c), so
 * two honest estimates can disagree: allow misses up to twice. */
#define NC_MAX_MISSES_PER_REF 2

/* One column: columns.def says what each member means. */
struct nc_column {
	const char *name;
	const char *unit;
	const char *side;
	uint8_t where;			/* enum nc_json_obj */
	const char *key;
	const char *text;
	struct nc_cell (*get)(const struct netcopy_result *r);
	struct nc_rule rule;
	const char *meaning;
};
extern const struct nc_column nc_columns[];
extern const size_t nc_column_count;

/* The figure of column id (enum nc_column_id) for run r. */
struct nc_cell nc_column_cell(const struct netcopy_result *r, size_t id);
/* ---- figure.c: whether column id holds text (else a number). */
bool nc_column_is_text(size_t id);

struct nc_cell nc_cell_na(void);
struct nc_cell nc_cell_u64(bool known, uint64_t v);
struct nc_cell nc_cell_double(bool known, double v, int decimals);
struct nc_cell nc_cell_text(const char *s);

/* Figures of one side that more than one writer needs. */
bool nc_figures_have_interval(const struct nc_figures *f);
double nc_figures_interval_s(const struct nc_figures *f);
double nc_figures_gbps(const struct nc_figures *f);	/* 0: no interval */
bool nc_figures_counted(const struct nc_figures *f, enum nc_event ev);
bool nc_figures_zc_known(const struct nc_figures *f);
bool nc_figures_rx_zc_known(const struct nc_figures *f);
struct nc_cell nc_figures_counter(const struct nc_figures *f,
				  enum nc_event ev);
struct nc_cell nc_figures_cpu_per_kib(const struct nc_figures *f);
struct nc_cell nc_figures_cpu_share(const struct nc_figures *f);
struct nc_cell nc_figures_sock_buf(const struct nc_figures *f, bool rcv);
const char *nc_scope_name(uint8_t scope);
const char *nc_status_word(int status);
bool nc_result_rr(const struct netcopy_result *r);
bool nc_result_round_trips(const struct netcopy_result *r);
/* The rate each data connection's sender was held to: --rate, or the
 * server's --max-rate-per-host share where that is lower (a server may
 * only lower it); 0: unpaced. */
uint64_t nc_result_rate(const struct netcopy_result *r);
/* Whether the server lowered (or set) the run's rate. */
bool nc_result_rate_capped(const struct netcopy_result *r);

/* ---- checks.c: the peer's figures (the server's side of r) against
 * each column's rule.  0, or NETCOPY_EPROTOCOL with why: the first
 * figure that cannot be, by its column's name. */
int nc_result_check_peer(const struct netcopy_result *r, char *why,
			 size_t cap);

/* ---- report-csv.c: a run as one CSV row, after the header if asked. */
void nc_report_csv(const struct netcopy_result *r, FILE *out, bool header);

/* ---- report-print.c: text or JSON from the same calls (iproute2's
 * json_print).  A print call names where it goes: the text only, the
 * JSON only, or both; in the text its fmt (one printf conversion, of the
 * cell's kind) is printed, nothing for NA; in the JSON the key gets the
 * value, null for NA.
 *
 * The text is lines, each a label in the lead's width and then items:
 * a cell's fragment is one, joined to the one before by ", ", or glued
 * to it where it starts with a space; "(s)" in a count's fragment is
 * its plural ("1 thread", "2 threads").  An item that would pass
 * NC_TEXT_WIDTH goes on a new line under the lead. */
enum nc_print_to {
	NC_PRINT_TEXT = 1,
	NC_PRINT_JSON = 2,
	NC_PRINT_ANY = NC_PRINT_TEXT | NC_PRINT_JSON,
};

#define NC_PRINT_DEPTH 4
#define NC_TEXT_WIDTH 100
#define NC_TEXT_LEAD 16

struct nc_printer {
	FILE *out;
	bool json;
	const struct netcopy_result *r;
	int depth;
	struct json_object *obj[NC_PRINT_DEPTH];
	uint8_t id[NC_PRINT_DEPTH];	/* enum nc_json_obj */
	bool shown[NC_COLUMN_COUNT];	/* in the text, by nc_print_column */
	size_t col;			/* the text's column */
	unsigned int items;		/* on the text's line so far */
	const char *label;		/* the line's, until it is written */
};

void nc_printer_init(struct nc_printer *p, FILE *out, bool json,
		     const struct netcopy_result *r);
/* Write the JSON document out (nothing for text).  Returns 0 or -EIO. */
int nc_printer_finish(struct nc_printer *p);
void nc_print_cell(struct nc_printer *p, enum nc_print_to to,
		   const char *key, const char *fmt, struct nc_cell c);
/* Column id, under the key and with the fragment columns.def gives it. */
void nc_print_column(struct nc_printer *p, enum nc_print_to to, size_t id);
void nc_print_bool(struct nc_printer *p, const char *key, bool v);
/* JSON only: an array of n counts under key. */
void nc_print_u64_array(struct nc_printer *p, const char *key,
			const uint64_t *v, uint32_t n);
/* Text as it is, no item: a line's start or its words. */
__attribute__((format(printf, 2, 3)))
void nc_print_text(struct nc_printer *p, const char *fmt, ...);
/* A new text line (ending the one begun), label in the lead; NULL: the
 * lead blank, for a line that goes on with the one above.  Written with
 * its first item or text: a line with nothing on it is left out. */
void nc_print_line(struct nc_printer *p, const char *label);
void nc_print_line_end(struct nc_printer *p);
/* A sentence on lines of its own under the lead, wrapped at words. */
void nc_print_note(struct nc_printer *p, const char *text);
/* One of the document's JSON objects, or null for it (the text is left
 * alone).  Closing it writes the columns the table puts in it that were
 * not written yet, in the table's order: a new column needs no writer. */
void nc_print_open(struct nc_printer *p, enum nc_json_obj obj);
void nc_print_close(struct nc_printer *p);
void nc_print_null(struct nc_printer *p, enum nc_json_obj obj);
/* The text's counterpart: the known columns of obj with a fragment,
 * not shown yet, on a line of their own under the lead (nothing when
 * there are none). */
void nc_print_text_rest(struct nc_printer *p, enum nc_json_obj obj);

/* ---- report.c: the text or the JSON document of r.  Returns 0 or
 * -EIO. */
int nc_report(const struct netcopy_result *r, FILE *out, bool json);

#endif /* NETCOPY_REPORT_H */
