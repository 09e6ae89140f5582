"""Content-addressed file store for attachments: files named by SHA-256, outside the database rows."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class FileAttachmentStore:
    def __init__(self, root: Path) -> None:
        self._root = root

    def path_for(self, sha256: str) -> Path:
        return self._root / sha256[:2] / sha256

    def put(self, content: bytes) -> str:
        sha256 = hashlib.sha256(content).hexdigest()
        target = self.path_for(sha256)
        if target.exists():
            return sha256  # same bytes, same name: never rewrite a stored file
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename, so a crash never leaves a half-written attachment.
        fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return sha256
