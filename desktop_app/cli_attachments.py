"""`makersupport attachments upload`: send to the team database the attachments' files that only
this workstation has (issue 16).

On a team PostgreSQL database every file added since the database kept the files (migration 0014)
is already there: the desk sends it when the file is added. Files added before, or whose upload
was cut, live only in the folder of the workstation where they were added; run this command once
on each workstation (it sends only what the database lacks, and resumes a cut upload). It signs in
like the other commands that write, and prints the files the database still lacks that this
workstation does not have either (exit 1), to be sent from the one that has them.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from desktop_app.i18n import _, ngettext
from desktop_app.persistence.field.blobs import SharedAttachmentStore

if TYPE_CHECKING:
    from desktop_app.bootstrap import Services


def add_attachments_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    attachments = commands.add_parser("attachments", help=_("the attachments' files on a team database"))
    attachments_commands = attachments.add_subparsers(dest="attachments_command", required=True)
    attachments_commands.add_parser("upload", help=_("send the files this computer has and the team database lacks"))


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def run_attachments(args: argparse.Namespace, services: Services) -> int:
    """0 when the database has every file tickets and mails name; 1 when some are still missing."""
    store = services.attachments
    if not isinstance(store, SharedAttachmentStore):
        print(
            _("The database is a file on this computer and its attachments are in {folder}: nothing to send.").format(
                folder=services.settings.attachments_dir
            )
        )
        return 0
    summary = store.upload_local()
    print(
        ngettext(
            "{n} file sent to the team database ({size}).",
            "{n} files sent to the team database ({size}).",
            summary.uploaded,
        ).format(n=summary.uploaded, size=_megabytes(summary.bytes_sent))
    )
    if not summary.still_missing:
        print(_("The team database has every attached file."))
        return 0
    print(
        ngettext(
            "{n} attached file is neither in the team database nor on this computer; "
            "run this command on the workstation where it was added:",
            "{n} attached files are neither in the team database nor on this computer; "
            "run this command on the workstations where they were added:",
            len(summary.still_missing),
        ).format(n=len(summary.still_missing)),
        file=sys.stderr,
    )
    for sha256 in summary.still_missing:
        print(f"  {sha256}", file=sys.stderr)
    return 1
