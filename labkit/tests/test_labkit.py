#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Unit tests of sfolabkit, the code the labs share (no root, no network)."""

import contextlib
import io
import os
import shlex
import shutil
import sys
import tempfile
import unittest
import xml.dom.minidom

sys.dont_write_bytecode = True

from sfolabkit import cpio, document, files, guest, inf, proc, stats, svg, table, tap, timeline

T0 = 1_700_000_000 * 10**9


class TableTest(unittest.TestCase):
    GROUPS = (table.Group("lost per phase", (6, 6), ("a", "b")),
              table.Group("gap", (5,), ("ms",)),
              table.Group("TCP", (4, 8), ("re", "survived"), align=">"))

    def test_layout(self):
        out = table.render("what ran", self.GROUPS,
                           [table.row(self.GROUPS, "m1", ["1", "2", "3.5", "0", "yes"]),
                            table.message_row("m2", "unavailable", "no driver\nsecond line")],
                           (["note 1"], [], ["note 2", "more"]))
        lines = out.splitlines()
        self.assertEqual(lines[0], "what ran")
        self.assertEqual(lines[1], "")
        # group titles: centred over several columns unless told, right over one
        self.assertEqual(lines[2], f"{'mode':<18} {'lost per phase':^13} {'gap':>5} "
                                   f"{'TCP':>13}")
        self.assertEqual(lines[3], f"{'':<18} {'a':>6} {'b':>6} {'ms':>5} {'re':>4} "
                                   f"{'survived':>8}")
        self.assertEqual(lines[4], "-" * len(lines[3]))
        self.assertEqual(lines[5], f"{'m1':<18} {'1':>6} {'2':>6} {'3.5':>5} {'0':>4} "
                                   f"{'yes':>8}")
        self.assertEqual(lines[6], f"{'m2':<18} unavailable: no driver")
        # empty note paragraphs leave no blank line behind
        self.assertEqual(lines[7:], ["", "note 1", "", "note 2", "more"])

    def test_row_needs_every_cell(self):
        with self.assertRaises(ValueError):
            table.row(self.GROUPS, "m", ["1"])

    def test_long_message_is_cut(self):
        line = table.message_row("m", "failed", "x" * 400)
        self.assertLess(len(line), 250)
        self.assertIn("whole message in the JSON", line)

    def test_fmt(self):
        self.assertEqual(table.fmt(None), "-")
        self.assertEqual(table.fmt(2.345, 2), "2.35")
        self.assertEqual(table.fmt(7), "7")


class TimelineTest(unittest.TestCase):
    def test_udp_grid_shifts_by_run_start(self):
        rep = {"start_unix_ns": T0 + 20_000_000,     # 20 ms after time zero
               "timeline": {"interval_ms": 10, "rx": [5, 6, 7], "lost": [0, 2, 0]}}
        rx, lost = timeline.udp_grid(rep, T0, 6)
        self.assertEqual(rx, [0, 0, 5, 6, 7, 0])
        self.assertEqual(lost, [0, 0, 0, 2, 0, 0])
        # coarser bins add up; values outside the grid are dropped
        rx, _ = timeline.udp_grid(rep, T0, 2, dt=0.03)
        self.assertEqual(rx, [5, 13])
        self.assertEqual(timeline.udp_grid(None, T0, 3), ([0, 0, 0], [0, 0, 0]))

    def test_tcp_grid_in_mbit(self):
        rep = {"start_unix_ns": T0, "timeline": {"interval_ms": 10, "bytes": [12500, 0]}}
        self.assertEqual(timeline.tcp_grid(rep, T0, 2), [10.0, 0.0])   # 100 kbit per 10 ms
        self.assertEqual(timeline.tcp_grid(rep, T0, 1, dt=0.02), [5.0])

    def test_counter_grid_spreads_late_samples(self):
        samples = [(T0, {"a": (0, 0), "b": (0, 0)}),
                   (T0 + 10_000_000, {"a": (10, 1), "b": (100, 0)}),
                   (T0 + 40_000_000, {"a": (40, 4), "b": (100, 0)})]   # 30 ms late
        rx, tx = timeline.counter_grid(samples, T0, 5, {"a"}.__contains__)
        self.assertEqual([round(v, 6) for v in rx], [10, 10, 10, 10, 0])
        self.assertEqual([round(v, 6) for v in tx], [1, 1, 1, 1, 0])

    def test_counter_grid_new_device_counts_from_zero(self):
        samples = [(T0, {}), (T0 + 10_000_000, {"a": (3, 0)})]
        rx, _ = timeline.counter_grid(samples, T0, 2, lambda d: True)
        self.assertEqual([round(v, 6) for v in rx], [3, 0])

    def test_events_grid(self):
        t = T0 / 1e9
        self.assertEqual(timeline.events_grid([(t + 0.005, 1), (t + 0.015, 2), (t + 5, 9)],
                                              T0, 3), [1, 2, 0])


class SvgTest(unittest.TestCase):
    STYLE = svg.Style(tool="t", phases=("one", "two"), step_labels={"go": "GO!"})

    def run_of(self, n=50):
        z = [0] * n
        return {"grid": {"n": n, "dt": 0.01, "out_rx": [10] * n, "in_rx": [10] * n,
                         "out_lost": [0] * 20 + [3] + [0] * (n - 21), "in_lost": z,
                         "tcp_mbit": [1.0] * n, "vf_guest_tx": [5] * n, "vf_guest_rx": z,
                         "sby_guest_tx": z, "sby_guest_rx": z},
                "phases": [{"kind": "one", "name": "one", "start_s": 0.1, "end_s": 0.3},
                           {"kind": "other", "name": "other", "start_s": 0.3, "end_s": 0.5}],
                "events": [{"what": "go", "label": "go <now>", "t_s": 0.1, "end_s": 0.2,
                            "detail": None}] * 4}

    def render(self, runs):
        out = svg.render(self.STYLE, "headline & more", {"rate": 1000, "tcp_mbit": 2}, runs)
        return out, xml.dom.minidom.parseString(out)

    def test_well_formed_with_every_kind_of_panel(self):
        out, dom = self.render([("a", "A", "sub", self.run_of()),
                                ("b", "B", "unavailable: <why>", None)])
        panels = [g for g in dom.getElementsByTagName("g") if g.getAttribute("class") == "panel"]
        self.assertEqual(len(panels), 1)
        self.assertIn("t: headline &amp; more", out)
        self.assertIn("GO!", out)                          # the style's step label
        self.assertIn("unavailable: &lt;why&gt;", out)
        self.assertIn(svg.PHASE_COLOURS[0], out)           # phase "one" shaded
        self.assertNotIn("diamonds", out)                  # no daemon events: not in legend

    def test_crowded_step_labels_use_every_row(self):
        out, dom = self.render([("a", "A", "sub", self.run_of())])
        ys = {t.getAttribute("y") for t in dom.getElementsByTagName("text")
              if t.getAttribute("class") == "ev"}
        self.assertEqual(len(ys), svg.LABEL_ROWS)

    def test_daemon_events_drawn(self):
        run = self.run_of()
        run["daemon_events"] = [{"t_s": 0.2, "from": "active", "to": "draining",
                                 "reason": "released"}]
        out, _ = self.render([("a", "A", "sub", run)])
        self.assertIn("active -&gt; draining (released)", out)
        self.assertIn("diamonds", out)


class DocumentTest(unittest.TestCase):
    def test_envelope(self):
        doc = document.envelope("tool", "1.0", 3, "migrate", {"rate": 1},
                                [{"mode": "a", "title": "A"}, {"mode": "b"}], 5,
                                {"json": "x"}, extra=1)
        self.assertEqual(list(doc)[:5], ["tool", "version", "schema", "scenario", "params"])
        self.assertEqual(doc["titles"], {"a": "A", "b": "b"})
        self.assertEqual(doc["extra"], 1)
        self.assertTrue(doc["kernel"])
        self.assertNotIn("\n", document.dumps(doc))


class FilesTest(unittest.TestCase):
    """read_json: the one reader of the reports our tools leave in files."""

    def read(self, text):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write(text)
        self.addCleanup(os.unlink, f.name)
        return files.read_json(f.name)

    def test_one_line_and_indented_reports(self):
        self.assertEqual(self.read('{"lost": 0, "gaps": []}\n'), {"lost": 0, "gaps": []})
        self.assertEqual(self.read('{\n  "lost": 3,\n  "gaps": [\n    {"ms": 1.5}\n  ]\n}\n'),
                         {"lost": 3, "gaps": [{"ms": 1.5}]})

    def test_no_report(self):
        self.assertIsNone(self.read(""))
        self.assertIsNone(self.read('{"lost": 3, "ga'))  # cut by a kill
        self.assertIsNone(files.read_json("/nonexistent/report.json"))
        self.assertEqual(files.read_text("/nonexistent/report.json"), "")


class InfTest(unittest.TestCase):
    TEXT = (
        '[Version]\n'
        'Signature = "$Windows NT$" ; a comment\n'
        '[Strings]\n'
        'Desc = "a ""quoted"", name; not a comment"\n'
        '[Install]\n'
        'AddReg = A, \\\n'
        '    B\n'
        'HKR, Ndi, Service, , "svc"\n'
        '[install]\n'
        'HKR, Ndi, FilterType, 0x00010001, 2\n'
        'Binary = %12%\\x.sys, 100%%, %Desc%, %Nope%\n'
    )

    def test_sections_entries_strings(self):
        f = inf.INF(self.TEXT, "t.inf")
        self.assertEqual(f.value("version", "SIGNATURE"), "$Windows NT$")
        self.assertEqual(f.listed("Install", "AddReg"), ["A", "B"])
        self.assertEqual(f.values("INSTALL", "Binary"),
                         [["%12%\\x.sys", "100%", 'a "quoted", name; not a comment', "%Nope%"]])
        self.assertEqual(f.undefined_strings(), [("Install", 11, "Nope")])

    def test_reg_values(self):
        f = inf.INF('[Strings]\nS = "x"\n[Reg]\nHKR, Ndi, Service, , "svc"\n'
                    'HKR, Ndi, FilterType, 0x00010001, 2\nHKR, Ndi, Co, 0x10000, %S%, "y"\n')
        self.assertEqual(f.reg_values("Reg"),
                         [("HKR", "Ndi", "Service", 0, "svc"),
                          ("HKR", "Ndi", "FilterType", 0x10001, "2"),
                          ("HKR", "Ndi", "Co", 0x10000, "x,y")])
        with self.assertRaises(inf.INFError):
            f.reg_values("Strings")

    def test_errors(self):
        for bad in ("[Version\n", "Key = 1\n", '[S]\nA = "open\n'):
            with self.assertRaises(inf.INFError):
                inf.INF(bad, "bad.inf")


class TapTest(unittest.TestCase):
    def test_report_numbers_points_and_fails_on_one(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = tap.report([(True, "a"), (False, "b")])
        self.assertEqual(status, 1)
        self.assertEqual(out.getvalue().splitlines(), ["1..2", "ok 1 - a", "not ok 2 - b"])
        self.assertEqual(tap.failed_points(out.getvalue()), ["not ok 2 - b"])

    def test_diagnostics_under_a_point(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            run = tap.Run(1)
            run.point(True, "x", ["why"])
        self.assertEqual(run.status(), 0)
        self.assertEqual(out.getvalue().splitlines(), ["1..1", "ok 1 - x", "# why"])


class ProcTest(unittest.TestCase):
    def test_run(self):
        self.assertEqual(proc.run(["sh", "-c", "echo hi"]).stdout, "hi\n")
        self.assertEqual(proc.run(["cat"], input="x").stdout, "x")
        with self.assertRaisesRegex(proc.LabError, "exit 3: boom"):
            proc.run(["sh", "-c", "echo boom >&2; exit 3"])
        self.assertEqual(proc.run(["sh", "-c", "exit 3"], check=False).returncode, 3)
        with self.assertRaisesRegex(proc.LabError, "not found"):
            proc.run(["/nonexistent/program"])
        with self.assertRaisesRegex(proc.LabError, "no answer within 0.2 s"):
            proc.run(["sleep", "5"], timeout=0.2)

    def test_wait_until(self):
        self.assertEqual(proc.wait_until(lambda: 7, 1), 7)
        with self.assertRaisesRegex(proc.LabError, "the thing: not reached"):
            proc.wait_until(lambda: 0, 0.05, what="the thing")

    def test_stop_process_escalates(self):
        import subprocess
        p = subprocess.Popen(["sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"],
                             stdout=subprocess.PIPE, text=True)
        self.assertEqual(p.stdout.readline(), "ready\n")   # SIGTERM is ignored from here on
        self.assertEqual(proc.stop_process(p, timeout=0.3), -9)
        p.stdout.close()


class ProcClassTest(unittest.TestCase):
    def test_lifecycle(self):
        import subprocess
        p = proc.Proc(["sh", "-c", "echo $$; exec sleep 30"], stdout=subprocess.PIPE, text=True,
                      name="sleeper")
        self.assertEqual(p.name, "sleeper")
        self.assertEqual(int(p.popen.stdout.readline()), p.pid)   # the program's own PID
        self.assertTrue(p.alive())
        self.assertIsNone(p.wait(0.05))
        self.assertEqual(p.stop(), -15)
        self.assertFalse(p.alive())
        self.assertTrue(p.popen.stdout.closed)
        self.assertEqual(p.stop(), -15)                  # idempotent

    def test_wait_ready_file(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        path = os.path.join(d, "r.ready")
        p = proc.Proc(["sh", "-c", f"sleep 0.1; echo 10.0.0.1:5000 > {path}.tmp; "
                       f"mv {path}.tmp {path}; exec sleep 30"], name="receiver")
        self.addCleanup(p.stop)
        self.assertEqual(proc.wait_ready_file(path, p), "10.0.0.1:5000")
        q = proc.Proc(["sh", "-c", "exit 3"], name="receiver")
        with self.assertRaisesRegex(proc.LabError, "receiver exited with status 3"):
            proc.wait_ready_file(path + ".never", q)
        r = proc.Proc(["sleep", "30"], name="slow")
        self.addCleanup(r.stop)
        with self.assertRaises(proc.Timeout):
            proc.wait_ready_file(path + ".never", r, timeout=0.2)

    def test_processes_with(self):
        import subprocess
        p = subprocess.Popen(["sleep", "30"], env=dict(os.environ, SFO_KIT_TEST=str(os.getpid())))
        self.addCleanup(p.wait)
        self.addCleanup(p.kill)
        mark = f"SFO_KIT_TEST={os.getpid()}".encode()
        self.assertIn(p.pid, proc.wait_until(lambda: proc.processes_with("environ", mark), 2))
        self.assertIn(p.pid, proc.processes_with("cmdline", b"30"))
        self.assertNotIn(p.pid, proc.processes_with("cmdline", b"3"))  # whole items only

    def test_sanitizer_build(self):
        import shutil
        import subprocess
        import tempfile
        self.assertFalse(proc.sanitizer_build(sys.executable))
        self.assertFalse(proc.sanitizer_build("/nonexistent/program"))
        if not shutil.which("cc"):
            self.skipTest("no C compiler")
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        src, exe = os.path.join(d, "t.c"), os.path.join(d, "t")
        with open(src, "w") as f:
            f.write("int main(void) { return 0; }\n")
        r = subprocess.run(["cc", "-fsanitize=address,undefined", "-o", exe, src],
                           capture_output=True)
        if r.returncode:
            self.skipTest("cc cannot build with -fsanitize=address")
        self.assertTrue(proc.sanitizer_build(exe))

    def test_timeout_is_both_kinds(self):
        with self.assertRaises(TimeoutError):
            proc.wait_until(lambda: False, 0.01)
        with self.assertRaises(proc.LabError):
            proc.wait_until(lambda: False, 0.01)


class GuestViewTest(unittest.TestCase):
    """A checkout or a build anywhere here (under /tmp, with spaces or commas in
    its path) is seen by the guest at a fixed path of its own."""

    def setUp(self):
        self.top = tempfile.mkdtemp(prefix="sfo view, a b ")
        self.addCleanup(shutil.rmtree, self.top, True)
        self.build = os.path.join(self.top, "build dir")
        os.makedirs(os.path.join(self.build, "src"))

    def test_guest_path_inside_a_view(self):
        views = {"checkout": self.top, "build": self.build}
        self.assertEqual(guest.guest_path(views, self.top), guest.view_path("checkout"))
        self.assertEqual(guest.guest_path(views, os.path.join(self.build, "src")),
                         guest.view_path("build", "src"))
        self.assertTrue(guest.view_path("build").startswith(guest.VIEWS + "/"))
        self.assertTrue(guest.hidden(guest.VIEWS), "views must lie on the guest's own tmpfs")

    def test_guest_path_outside_views(self):
        self.assertEqual(guest.guest_path({}, "/usr/bin"), os.path.realpath("/usr/bin"))
        with self.assertRaisesRegex(ValueError, "in no view"):
            guest.guest_path({}, self.build)

    def test_bad_view_name(self):
        for name in ("", "a/b", ".."):
            with self.assertRaises(ValueError):
                guest.view_path(name)

    def test_views_reach_qemu_and_init(self):
        views = {"checkout": self.top}
        argv = guest.qemu_argv("/k", "/i", [], views)
        self.assertEqual(argv[-4], "-fsdev")     # the view's, last
        fsdev = argv[-3]
        self.assertIn("path=" + self.top.replace(",", ",,") + ",", fsdev)
        self.assertIn("readonly=on", fsdev)
        init = guest.init_script("6.1", "/k", [], [], "/var/tmp/r", "tok", views)
        mount = [ln for ln in init.splitlines() if "ro0" in ln]
        self.assertEqual(len(mount), 1)
        self.assertIn(shlex.quote(guest.NEWROOT + guest.view_path("checkout")), mount[0])
        # mounted after the guest's own /run tmpfs, which would hide it
        self.assertGreater(init.index(mount[0]), init.index("mount -t tmpfs -o mode=1777"))


class CpioTest(unittest.TestCase):
    def test_newc_layout(self):
        c = cpio.Cpio()
        c.file("a/b", b"hello", 0o644)
        c.symlink("l", "a/b")
        data = c.bytes()
        self.assertTrue(data.startswith(b"070701"))
        self.assertIn(b"a/b\0", data)
        self.assertTrue(data.rstrip(b"\0").endswith(b"TRAILER!!!"))
        self.assertEqual(len(data) % 4, 0)
        # the parent directory is in the archive before its file
        self.assertLess(data.index(b"a\0"), data.index(b"a/b\0"))


class StatsTest(unittest.TestCase):
    """The paired-ratio verdicts of bench/datapath.py: the median's CI from order
    statistics, the goal verdict, and the receiver's steady rate."""

    def test_ci_ranks_match_the_sign_test_tables(self):
        # 95 %: n=6 -> 1st..6th, n=10 -> 2nd..9th, n=20 -> 6th..15th, n=30 -> 10th..21st,
        # n=100 -> 40th..61st (values 1..n, shuffled: the order must not matter)
        for n, lo, hi, cover in ((6, 1, 6, 0.96875), (10, 2, 9, 0.978515625),
                                 (20, 6, 15, 0.9586105), (30, 10, 21, 0.9572261),
                                 (100, 40, 61, 0.9647998)):
            vals = [(i * 37) % n + 1 for i in range(n)]
            self.assertEqual(sorted(vals), list(range(1, n + 1)))
            m, a, b, c = stats.median_ci(vals)
            self.assertEqual((m, a, b), ((n + 1) / 2, lo, hi), n)
            self.assertAlmostEqual(c, cover, places=6)

    def test_too_few_for_an_interval(self):
        self.assertEqual(stats.median_ci([0.9, 1.1, 1.0, 0.95, 1.05]), (1.0, None, None, 0.0))
        # a lower level needs fewer: 80 % from 4 values (1 - 2/16 = 0.875)
        self.assertEqual(stats.median_ci([4, 1, 3, 2], level=0.8), (2.5, 1, 4, 0.875))
        with self.assertRaises(ValueError):
            stats.median_ci([])
        with self.assertRaises(ValueError):
            stats.median_ci([1, 2], level=1.0)

    def test_verdict(self):
        self.assertEqual(stats.verdict(0.98, 1.02, 0.98), "met")  # the bound on the goal
        self.assertEqual(stats.verdict(0.90, 0.9799, 0.98), "missed")
        self.assertEqual(stats.verdict(0.9712, 1.0234, 0.98),
                         "not resolved (CI 0.971-1.023)")
        self.assertEqual(stats.verdict(None, None, 0.95), "not resolved (too few pairs)")

    def test_steady_rate_uses_whole_bins_after_the_warm_up(self):
        bins = [0, 5, 9, 10, 10, 10, 10, 12, 10, 10, 10, 10, 4]
        # first packet at 13 ms, 20 ms warm-up: bins from 40 ms (index 4); last packet at
        # 124 ms: its bin (index 12) is partial; bins 4..11 hold 82 packets in 80 ms
        self.assertEqual(stats.steady_rate(bins, 10, 13.0, 124.5, 20), 1025.0)
        # nothing whole left
        self.assertIsNone(stats.steady_rate(bins, 10, 13.0, 45.0, 20))
        # a last time beyond the timeline (its last bin clamped) counts no missing bin
        self.assertEqual(stats.steady_rate([10, 10, 10], 10, 0.0, 500.0, 0), 1000.0)


class VmlabImagePruneTest(unittest.TestCase):
    """sfo-vmlab keeps one image per work directory but must not remove one
    that another run (another checkout's binaries, another key) is using."""

    def test_prune_keeps_what_is_in_use(self):
        from sfovmlab import image
        with tempfile.TemporaryDirectory() as work:
            for d in ("image-new", "image-used", "image-old", "image-crashed.tmp"):
                os.mkdir(os.path.join(work, d))
            with image._hold(os.path.join(work, "image-used")):
                image._prune(work, "image-new")
                self.assertEqual(sorted(os.listdir(work)), ["image-new", "image-used"])
            image._prune(work, "image-new")  # released: pruned now
            self.assertEqual(os.listdir(work), ["image-new"])


if __name__ == "__main__":
    unittest.main()
