"""The generators of the hardening fuzz tests (issue 12), in one place: the property tests in tests/ and
the figures table (bench/hardening_table.py) draw the same inputs.

- `ANY_TEXT`: what a person may type, paste or have a broken program hand over: any code point, lone
  surrogates, NUL and other control characters, bidirectional marks, emoji sequences, and now and then
  a huge text (up to `HUGE` characters).
- `cli_arguments`, `cli_exit_code`: bad command-line arguments and how a run ends.
- `OUT_NAMES`: hostile file names for an output file (`--out`).
- `USER_NAMES`, `PASSWORDS`: what is typed at the sign-in.
"""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

from hypothesis import strategies as st

HUGE = 100_000

# Characters that broke or fooled programs before: NUL, escapes, DEL, C1 controls, line and paragraph
# separators, a byte order mark, bidirectional overrides and marks, joiners, an emoji with modifiers.
NASTY = [
    "\x00",
    "\x01",
    "\x08",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9f",
    "\n",
    "\r",
    "\t",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\u200b",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202e",
    "\u2066",
    "\u2069",
    "\ufffd",
    "\U0001f469\u200d\U0001f527",
    "\U0001f44d\U0001f3fd",
    "%",
    "_",
    "'",
    '"',
    "\\",
    ";",
    "--",
]
# Any code point; lone surrogates on purpose (st.characters leaves them out).
ANY_CHAR = st.one_of(
    st.characters(),
    st.integers(0xD800, 0xDFFF).map(chr),
    st.sampled_from(NASTY),
)
SHORT_TEXT = st.lists(ANY_CHAR, max_size=300).map("".join)
ANY_TEXT = st.one_of(
    SHORT_TEXT,
    SHORT_TEXT.map(lambda text: "El extrusor no calienta desde ayer en la tarde. " + text),  # long enough for R2
    # now and then a very long text: a few characters repeated up to HUGE characters
    st.builds(
        lambda piece, n: (piece * n)[:HUGE],
        st.lists(ANY_CHAR, min_size=1, max_size=8).map("".join),
        st.integers(1, HUGE),
    ),
)

# -- the command line ---------------------------------------------------------------------------------

_TEXT = (
    st.text(max_size=60)
    | st.text(alphabet="0123456789-:T+.Z ", max_size=30)
    | st.sampled_from(
        ["", "-1", "0", "nan", "inf", "1e309", "99999999999999999999999", "9223372036854775808", "²", "\u0660"]
    )
)
_MOMENT = (
    st.datetimes(timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=14)),
                                            timezone(-timedelta(hours=12))])).map(lambda d: d.isoformat())
    | st.dates().map(lambda d: d.isoformat())
    | _TEXT
)  # fmt: skip
_LONG = st.integers(min_value=4000, max_value=120_000).map(lambda n: "https://somosmaker.com/soporte/c/" + "A" * n)
FILE_NAME = st.text(
    alphabet=st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)), min_size=1, max_size=300
).filter(lambda name: name not in (".", ".."))


def cli_arguments(out_folder: str) -> st.SearchStrategy[list[str]]:
    """Bad arguments for the commands that read what a person typed (calendar, labels, certificate verify)."""
    calendar_add = st.tuples(_MOMENT, _TEXT | st.floats().map(str)).map(lambda a: ["calendar", "add", *a])
    calendar_between = st.tuples(_MOMENT, _MOMENT).map(lambda a: ["calendar", "between", *a])
    holidays = _TEXT.map(lambda year: ["calendar", "holidays", "--", year])
    labels = st.tuples(FILE_NAME, _TEXT).map(lambda a: ["labels", "--out", f"{out_folder}/{a[0]}", "--customer", a[1]])
    verify = (_TEXT | _LONG | FILE_NAME.map(lambda name: f"{out_folder}/{name}")).map(
        lambda source: ["certificate", "verify", source]
    )
    return st.one_of(calendar_add, calendar_between, holidays, labels, verify)


def cli_exit_code(argv: list[str]) -> int:
    """How `makersupport argv` ends, in-process: any uncaught exception propagates with its traceback."""
    from desktop_app.cli import main  # imported late: the bench sets the environment first

    try:
        return main(argv)
    except SystemExit as stop:  # argparse: a usage message, exit 2
        return stop.code if isinstance(stop.code, int) else 2


# -- output files -------------------------------------------------------------------------------------

# A relative path under the target folder: hostile characters, names too long for the system, a missing
# folder, a climb out of the folder, a name that points at a file already there ("taken.pdf").
OUT_NAMES = st.one_of(
    FILE_NAME,
    st.integers(200, 400).map(lambda n: "n" * n + ".pdf"),
    st.tuples(FILE_NAME, FILE_NAME).map(lambda parts: f"missing {parts[0][:50]}/{parts[1][:50]}"),
    FILE_NAME.map(lambda name: f"../{name[:60]}"),
    FILE_NAME.map(lambda name: f"read-only/{name[:60]}"),
    st.sampled_from(["taken.pdf", "read-only", ".", "..", " ", "-", "--help", "con", "a\nb.pdf", "a:b?.pdf"]),
)

# -- sign-in ------------------------------------------------------------------------------------------

USER_NAMES = st.one_of(
    SHORT_TEXT,
    st.sampled_from(["admin", "Admin", " admin ", "admin\x00", "carolina.rojas", "admin'--", "%", "_", ""]),
    st.integers(1_000, HUGE).map(lambda n: "u" * n),
)
PASSWORDS = st.one_of(
    SHORT_TEXT,
    st.sampled_from(["", " " * 8, "\x00" * 12, "makerdemo", "' OR '1'='1"]),
    st.integers(1_000, 1_000_000).map(lambda n: "p" * n),
)
