"""`makersupport web export --out DIR [--force]`: makeR's public support pages, thin over
WebSiteService (the facts) and desktop_app/web (the files).

It only reads the database, so like `certificate verify` it needs no sign-in; it signs the list of
revoked certificates with the office's key, which only the office installation's user can read.
DIR gets `soporte/` (upload it to the web site's root), `nginx-soporte.conf` and `apache-soporte.conf`
(for the web server's configuration); an earlier export is replaced only with --force, and a folder
this program did not write is never touched.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.i18n import _

if TYPE_CHECKING:
    from desktop_app.bootstrap import Services


def add_web_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    web = commands.add_parser("web", help=_("makeR's public support pages behind the QR codes"))
    web_commands = web.add_subparsers(dest="web_command", required=True)
    export = web_commands.add_parser(
        "export", help=_("write the label page, the certificate verifier and the policy page as a static site")
    )
    export.add_argument("--out", required=True, type=Path, metavar="DIR", help=_("the folder to write the site in"))
    export.add_argument("--force", action="store_true", help=_("replace an earlier export in that folder"))


def run_web(args: argparse.Namespace, services: Services) -> int:
    from desktop_app.web.export import write_site
    from desktop_app.web.site import build_site

    facts = services.web_site.facts()
    written = write_site(build_site(facts), args.out, force=args.force)
    print(_("Site written in {folder} ({files} files).").format(folder=written.folder, files=written.files))
    print(
        _("Keys published: {keys}; revoked certificates: {revoked}; policy version {version}.").format(
            keys=len(facts.trust.keys), revoked=len(facts.trust.revoked), version=facts.policy_version
        )
    )
    print(
        _(
            "Upload the folder “{name}” to the root of the web site, and include {servers} in the web server's "
            "configuration (see the README)."
        ).format(name=written.folder.name, servers=_(" or ").join(str(p) for p in written.servers))
    )
    return 0
