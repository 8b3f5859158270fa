# SPDX-License-Identifier: LGPL-2.1-or-later
# stand-in, replaced by S2's report.py: the machine, the parameters and
# the plots, no analysis.


def write_report(path, meta, summary_rows, rows, plots):
    out = ["# netcopy sweep, %s" % meta["started"], "", "## Machine", "",
           "| | |", "|---|---|"]
    out += ["| %s | %s |" % kv for kv in meta["machine"].items()]
    out += ["", "## Parameters", ""]
    out += ["- %s: %s" % kv for kv in meta["params"].items()]
    if meta["interrupted"]:
        out.append("- interrupted: only the points that finished")
    out += ["", "## Notes", ""] + ["- " + n for n in meta["notes"]]
    out += ["", "## Plots", ""]
    out += ["![%s](%s)" % (title, png) for title, png, _ in plots]
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
