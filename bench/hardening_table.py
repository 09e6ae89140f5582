"""The hardening figures (issue 12): the fuzz tests' own generators (tests/fuzz_strategies.py), run a fixed
number of times against four areas, and one table of what happened.

    python bench/hardening_table.py [--scale X] [--keep]

- CLI: bad arguments to calendar, labels and certificate verify (test_cli_fuzz's generators), in-process
  through `desktop_app.cli.main`. A traceback: any exception but argparse's exit, or "Traceback" printed.
  A wrong acceptance: an exit code outside {0, 1, 2}, `certificate verify` calling generated text valid, or a
  temporary file left in the output folder.
- Services: every service method that takes free text (tests/integration/service_probes.py) with any
  Unicode, controls, bidi marks, emoji and texts of up to 100,000 characters, on the hand-made world of
  tests/integration/world.py. A wrong acceptance: stored but not read back identical after the documented
  cleaning, or a search starting with a word no record has finding something.
- Sign-in: generated user names and passwords (huge ones, control characters) against UserService.sign_in
  on the demo data. A wrong acceptance: signed in without a real user's password, or a message for a real
  user that differs from the one an unknown name with the same history gets (it tells who exists).
- Files written: `--out` for labels, certificate issue, certificate reprint and backup with hostile names
  (long, missing folders, `..`, a file used as a folder, a file already there, a read-only folder). A
  wrong acceptance: anything written but the named file, a file overwritten, exit 0 with no file, or a
  file left behind by a run that failed.

Each area runs on its own temporary copy; nothing outside the temporary folder is touched. Inputs are drawn
with hypothesis (derandomized: the same inputs each run), with no shrinking: every input counts once.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from desktop_app import i18n
from desktop_app.bootstrap import build_services
from desktop_app.errors import DatabaseUnavailableError, UserFacingError
from desktop_app.i18n import _
from desktop_app.services.clock import FixedClock
from desktop_app.services.demo import DEMO_PASSWORD
from desktop_app.signing import generate_keys
from tests.conftest import DEMO_NOW, make_settings
from tests.fuzz_strategies import OUT_NAMES, PASSWORDS, USER_NAMES, cli_arguments, cli_exit_code
from tests.integration.service_probes import PROBES
from tests.integration.world import bogota, build_world


@dataclass
class Area:
    name: str
    tried: int = 0
    tracebacks: int = 0
    wrong: int = 0
    seconds: float = 0.0
    examples: Counter[str] = field(default_factory=Counter)  # what went wrong, by kind
    samples: dict[str, str] = field(default_factory=dict)  # one message per kind

    def traceback(self, exc: BaseException) -> None:
        self.tracebacks += 1
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if "desktop_app" in f.filename]
        where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
        kind = f"traceback {type(exc).__name__}{where}"
        self.examples[kind] += 1
        self.samples.setdefault(kind, str(exc)[:90])

    def wrong_acceptance(self, what: str) -> None:
        self.wrong += 1
        self.examples[f"wrong: {what[:110]}"] += 1


def _drive(strategy: st.SearchStrategy, examples: int, body: Callable[[object], None]) -> None:
    """`body` once per generated input, `examples` inputs, no shrinking, the same inputs every run."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(value=strategy)
    def run(value: object) -> None:
        body(value)

    run()


def _quiet(call: Callable[[], int]) -> tuple[int, str]:
    """Exit code and what was printed to stderr (stdout dropped)."""
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = call()
    return code, err.getvalue()


def _demo_folder(root: Path) -> Path:
    folder = root / "demo"
    folder.mkdir()
    services = build_services(make_settings(folder), clock=FixedClock(DEMO_NOW))
    services.demo.load(DEMO_NOW)
    services.close()
    return folder


# -- areas ----------------------------------------------------------------------------------------------


def cli_area(root: Path, demo: Path, examples: int) -> Area:
    area = Area("CLI")
    os.environ["MAKERSUPPORT_DATA_DIR"] = str(root / "cli-data")
    out = root / "cli-out"
    out.mkdir()
    db = ["--db", make_settings(demo).db_url, "--lang", "en"]

    def one(argv: object) -> None:
        assert isinstance(argv, list)
        area.tried += 1
        try:
            code, err = _quiet(lambda: cli_exit_code([*db, *argv]))
        except Exception as exc:  # counted: that is the point
            area.traceback(exc)
            return
        if "Traceback (most recent call last)" in err:
            area.traceback(RuntimeError(err.strip().splitlines()[-1]))
        elif code not in (0, 1, 2):
            area.wrong_acceptance(f"exit {code} for {argv[:3]}")
        elif argv[:2] == ["certificate", "verify"] and code == 0:
            area.wrong_acceptance(f"generated text verified as a valid certificate: {argv[2][:40]!r}")
        if [p for p in out.iterdir() if p.name.startswith(".")]:
            area.wrong_acceptance("a temporary file left in the output folder")
            for p in out.iterdir():
                if p.name.startswith("."):
                    p.unlink()

    _drive(cli_arguments(str(out)), examples, one)
    return area


def services_area(root: Path, examples: int) -> tuple[Area, list[tuple[str, Area]]]:
    area = Area("services")
    (root / "world").mkdir()
    world = build_world(root / "world", bogota(2026, 12, 1, 9, 10))
    from tests.fuzz_strategies import ANY_TEXT

    per_method = []
    for probe in PROBES:
        mine = Area(probe.name)

        def one(text: object, probe=probe, mine=mine) -> None:  # type: ignore[no-untyped-def]
            assert isinstance(text, str)
            mine.tried += 1
            try:
                probe.run(world, text)
            except AssertionError as exc:
                mine.wrong_acceptance(f"{probe.name}: {str(exc)[:60]!r} for {text[:30]!r}")
            except Exception as exc:
                mine.traceback(exc)

        _drive(ANY_TEXT, max(1, examples // len(PROBES)), one)
        per_method.append((probe.name, mine))
        area.tried += mine.tried
        area.tracebacks += mine.tracebacks
        area.wrong += mine.wrong
        area.examples.update(mine.examples)
        for kind, sample in mine.samples.items():
            area.samples.setdefault(kind, sample)
    world.services.close()
    return area, per_method


def sign_in_area(root: Path, demo: Path, examples: int) -> tuple[Area, str]:
    """Each input: the generated user name and password; then the same password for a real user and for an
    unknown name that have been tried as often (a pair per 15 inputs, each real user with an unknown twin, so
    both meet the same waits)."""
    area = Area("sign-in")
    folder = root / "sign-in"
    shutil.copytree(demo, folder)
    clock = FixedClock(DEMO_NOW)
    services = build_services(make_settings(folder), clock=clock)
    from desktop_app.domain.permissions import SYSTEM

    active = sorted(u.username for u in services.users.users(SYSTEM) if u.active)
    real = {name.casefold() for name in active}
    # The real users compared with unknown names are ones the generated names never try, so that both
    # have the same history of failures (and so the same waits) when they are compared.
    compared = [name for name in active if name not in ("admin", "carolina.rojas")] or active
    timings: dict[str, list[float]] = {"real": [], "unknown": []}
    wrong_password = _("Wrong user or password.")

    def sign_in(name: str, password: str) -> tuple[bool, str]:
        try:
            services.users.sign_in(name, password)
        except DatabaseUnavailableError:
            raise
        except UserFacingError as refused:
            return False, refused.message
        return True, ""

    def one(value: object) -> None:
        name, password = value  # type: ignore[misc]
        area.tried += 1
        clock.set(clock.now() + timedelta(seconds=1))  # some waits over, some not: both sides alike
        try:
            accepted, _message = sign_in(name, password)
            if accepted and not (name.strip().casefold() in real and password == DEMO_PASSWORD):
                area.wrong_acceptance(f"signed in as {name[:30]!r} with {password[:20]!r}")
            if password == DEMO_PASSWORD:
                return
            pair = area.tried // 15
            known = compared[pair % len(compared)]
            start = time.perf_counter()
            _, known_message = sign_in(known, password)
            known_time = time.perf_counter() - start
            start = time.perf_counter()
            _, unknown_message = sign_in(f"nadie.{known}", password)  # its twin: the same history
            unknown_time = time.perf_counter() - start
            if known_message == unknown_message == wrong_password:  # a password was checked on both sides
                timings["real"].append(known_time)
                timings["unknown"].append(unknown_time)
            if known_message != unknown_message:
                area.wrong_acceptance(f"real user: {known_message!r}; unknown: {unknown_message!r}")
        except Exception as exc:
            area.traceback(exc)

    _drive(st.tuples(USER_NAMES, PASSWORDS), examples, one)
    services.close()
    note = ""
    if timings["real"]:
        note = (
            f"sign-in time, same password: real user {statistics.median(timings['real']) * 1000:.0f} ms, "
            f"unknown name {statistics.median(timings['unknown']) * 1000:.0f} ms (medians of the "
            f"{len(timings['real'])} pairs where both got 'Wrong user or password.')"
        )
    return area, note


def files_area(root: Path, demo: Path, examples: int) -> tuple[Area, str]:
    area = Area("files written")
    folder = root / "files-db"
    shutil.copytree(demo, folder)
    settings = make_settings(folder)
    os.environ["MAKERSUPPORT_DATA_DIR"] = str(folder)  # the CLI finds the signing key there
    generate_keys(settings.keys_dir)
    services = build_services(settings, clock=FixedClock(DEMO_NOW))
    contract = next(
        c for c in services.contracts.list_contracts() if services.contracts.state_of(c).in_force and c.machines
    )
    services.close()
    sandbox = root / "files-sandbox"
    target = sandbox / "target"
    target.mkdir(parents=True)
    (sandbox / "outside.txt").write_text("not to be touched")
    (target / "taken.pdf").write_bytes(b"the file that was there first")
    read_only = target / "read-only"
    read_only.mkdir()
    read_only.chmod(0o555)
    db = ["--db", settings.db_url, "--lang", "en"]
    first = target / "first.pdf"
    code, err = _quiet(lambda: cli_exit_code([*db, "certificate", "issue", "--contract", str(contract.id),
                                             "--out", str(first)]))  # fmt: skip
    services = build_services(settings, clock=FixedClock(DEMO_NOW))
    numbers = [c.number for c in services.certificates.for_contract(contract.id)]
    services.close()
    first.unlink(missing_ok=True)
    if code != 0 or not numbers:
        raise SystemExit(f"could not issue the certificate to reprint (exit {code}): {err.strip()}")
    commands = {
        "labels": ["labels", "--customer", str(contract.customer_id), "--out"],
        "certificate issue": ["certificate", "issue", "--contract", str(contract.id), "--out"],
        "certificate reprint": ["certificate", "reprint", numbers[0], "--out"],
        "backup": ["backup", "--out"],
    }
    fixtures = {sandbox / "outside.txt", target / "taken.pdf", read_only}

    def snapshot() -> dict[Path, tuple[int, int]]:
        found = {}
        for path in sandbox.rglob("*"):
            with contextlib.suppress(OSError):
                stat = path.lstat()
                found[path] = (stat.st_size, stat.st_mtime_ns)
        return found

    def one(value: object) -> None:
        command, name = value  # type: ignore[misc]
        area.tried += 1
        out = target / name
        before = snapshot()
        try:
            code, err = _quiet(lambda: cli_exit_code([*db, *commands[command], str(out)]))
        except Exception as exc:
            area.traceback(exc)
            code, err = -1, ""
        if "Traceback (most recent call last)" in err:
            area.traceback(RuntimeError(err.strip().splitlines()[-1]))
        after = snapshot()
        changed = {p for p, stamp in after.items() if before.get(p) != stamp and not p.is_dir()}
        try:
            named = out.resolve() if os.path.lexists(out) or code == 0 else None
        except OSError:
            named = None
        others = {p for p in changed if p.resolve() != named}
        if others:
            area.wrong_acceptance(f"{command} --out {name[:40]!r} also wrote {sorted(str(p) for p in others)[:2]}")
        if (target / "taken.pdf").read_bytes() != b"the file that was there first":
            area.wrong_acceptance(f"{command} overwrote taken.pdf")
            (target / "taken.pdf").write_bytes(b"the file that was there first")
        if code == 0 and not (os.path.isfile(out) and out.stat().st_size > 0):
            area.wrong_acceptance(f"{command} --out {name[:40]!r}: exit 0 and no file")
        if code not in (0, -1) and named is not None and named in changed:
            area.wrong_acceptance(f"{command} --out {name[:40]!r}: exit {code} but the file was written")
        elif code not in (0, 1, 2, -1):
            area.wrong_acceptance(f"{command}: exit {code}")
        for path in sorted(set(after) - set(before), key=lambda p: len(p.parts), reverse=True):
            if path not in fixtures:  # each input starts from the same folder
                with contextlib.suppress(OSError):
                    path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()

    _drive(st.tuples(st.sampled_from(sorted(commands)), OUT_NAMES), examples, one)
    read_only.chmod(0o755)
    note = ""
    if os.geteuid() == 0:
        note = "running as root: a read-only folder does not stop root, so those inputs test less than they say"
    return area, note


# -- the table ------------------------------------------------------------------------------------------


def _table(areas: list[Area]) -> str:
    lines = [
        "| area | inputs tried | tracebacks | wrong acceptances | time |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [f"| {a.name} | {a.tried:,} | {a.tracebacks} | {a.wrong} | {a.seconds:.0f} s |" for a in areas]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="inputs per area times this (1: CLI 300, services 20 per "
        "method, sign-in 200, files 120; about 4 minutes on 2 cores)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--only", choices=("CLI", "services", "sign-in", "files written"), help="one area")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="hardening-"))
    os.environ["MAKERSUPPORT_USER"], os.environ["MAKERSUPPORT_PASSWORD"] = "admin", DEMO_PASSWORD
    os.environ["XDG_CONFIG_HOME"] = os.environ["XDG_DATA_HOME"] = str(root / "xdg")
    i18n.install("en")
    notes: list[str] = []
    areas: list[Area] = []
    per_method: list[tuple[str, Area]] = []
    try:
        demo = _demo_folder(root)
        for name, run in (
            ("CLI", lambda: cli_area(root, demo, round(300 * args.scale))),
            ("services", lambda: services_area(root, round(20 * args.scale) * len(PROBES))),
            ("sign-in", lambda: sign_in_area(root, demo, round(200 * args.scale))),
            ("files written", lambda: files_area(root, demo, round(120 * args.scale))),
        ):
            if args.only and name != args.only:
                continue
            print(f"… {name}", file=sys.stderr, flush=True)
            start = time.perf_counter()
            result = run()
            area = result[0] if isinstance(result, tuple) else result
            if name == "services":
                per_method = result[1]  # type: ignore[index]
            elif isinstance(result, tuple) and result[1]:
                notes.append(str(result[1]))
            area.seconds = time.perf_counter() - start
            areas.append(area)
            i18n.install("en")  # the CLI installs the language it is given
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"kept {root}", file=sys.stderr)
    print(_table(areas))
    print()
    print("Services, by method:")
    print("| method | inputs tried | tracebacks | wrong acceptances |\n|---|---:|---:|---:|")
    for name, a in per_method:
        print(f"| {name} | {a.tried:,} | {a.tracebacks} | {a.wrong} |")
    for note in notes:
        print(f"\nNote: {note}")
    problems = Counter[str]()
    samples: dict[str, str] = {}
    for area in areas:
        problems.update({f"{area.name}: {k}": v for k, v in area.examples.items()})
        samples.update({f"{area.name}: {k}": v for k, v in area.samples.items()})
    if problems:
        print("\nWhat went wrong (count, kind; a traceback's place in desktop_app and one message):")
        for what, count in problems.most_common(60):
            sample = f"  e.g. {samples[what]!r}" if what in samples else ""
            print(f"  {count:4d}  {what}{sample}")
    return 0 if all(a.tracebacks == 0 and a.wrong == 0 for a in areas) else 1


if __name__ == "__main__":
    raise SystemExit(main())
