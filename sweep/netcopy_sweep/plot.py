# SPDX-License-Identifier: LGPL-2.1-or-later
# stand-in, replaced by S3's plot.py: says whether matplotlib can draw,
# and draws one throughput figure per workload.
import os


def available():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot  # noqa: F401
    except ImportError as e:
        return False, "matplotlib cannot be imported (%s)" % e
    return True, ""


def plot_sweep(outdir, summary_rows):
    import matplotlib.pyplot as plt
    plots = []
    for wl in dict.fromkeys(r["Workload"] for r in summary_rows):
        fig, ax = plt.subplots()
        for mode in dict.fromkeys(r["Implementation"] for r in summary_rows):
            pts = sorted((int(r["MessageSize"]),
                          float(r["Throughput_Gbps_median"]))
                         for r in summary_rows if r["Workload"] == wl and
                         r["Implementation"] == mode)
            ax.plot([p[0] for p in pts], [p[1] for p in pts], label=mode)
        ax.set_xscale("log", base=2)
        ax.legend()
        name = "throughput-%s" % wl
        for ext in ("png", "svg"):
            fig.savefig(os.path.join(outdir, name + "." + ext))
        plt.close(fig)
        plots.append(("throughput, " + wl, name + ".png", name + ".svg"))
    return plots


def plot_compare(outdir, sweeps):
    return []
