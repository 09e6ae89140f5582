"""Files for a new ticket: dropped from the file manager, pasted from the clipboard (a screenshot or
copied files) or chosen in a dialog, shown as thumbnails before anything is saved.

Each file is checked as it arrives, so the person learns at once that a video is too large or a
photo is damaged, while the other files and the typed description stay as they are.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QIcon, QImage, QImageReader, QKeySequence, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QStyle, QWidget

from desktop_app.formatting import format_size
from desktop_app.i18n import _
from desktop_app.services.tickets import MAX_ATTACHMENT_BYTES, NewAttachment

MAX_FILES = 20
MAX_TOTAL_BYTES = 100 * 1024 * 1024
THUMBNAIL = QSize(96, 96)


@dataclass(frozen=True)
class PendingFile:
    filename: str
    content: bytes
    media_type: str

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")

    def as_attachment(self) -> NewAttachment:
        return NewAttachment(self.filename, self.content, self.media_type)


def file_problem(filename: str, content: bytes, media_type: str, already: tuple[PendingFile, ...] = ()) -> str:
    """Why a file cannot be attached (empty, too large, too many, a damaged image), or ""."""
    if not content:
        return _("{name} is empty.").format(name=filename)
    if len(content) > MAX_ATTACHMENT_BYTES:
        return _too_large(filename)
    if len(already) >= MAX_FILES:
        return _("At most {n} files per ticket; {name} was not added.").format(n=MAX_FILES, name=filename)
    if sum(len(f.content) for f in already) + len(content) > MAX_TOTAL_BYTES:
        return _("The files would exceed {limit} in total; {name} was not added.").format(
            limit=format_size(MAX_TOTAL_BYTES), name=filename
        )
    if media_type.startswith("image/") and QImage.fromData(content).isNull():
        return _("{name} is not a readable image (damaged or of another type).").format(name=filename)
    return ""


def read_file(path: Path, already: tuple[PendingFile, ...] = ()) -> PendingFile | str:
    """The file ready to attach, or the reason it cannot be (the file itself is never changed)."""
    try:
        if path.stat().st_size > MAX_ATTACHMENT_BYTES:
            return _too_large(path.name)
        content = path.read_bytes()
    except OSError as exc:
        return _("{name} cannot be read: {reason}").format(name=path.name, reason=exc.strerror or exc)
    return pending_file(path.name, content, "", already)


def pending_file(
    filename: str, content: bytes, media_type: str, already: tuple[PendingFile, ...] = ()
) -> PendingFile | str:
    media_type = media_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    problem = file_problem(filename, content, media_type, already)
    return problem or PendingFile(filename, content, media_type)


def clipboard_files(mime: QMimeData | None, already: tuple[PendingFile, ...] = ()) -> list[PendingFile | str]:
    """Copied files, or a screenshot as a PNG named after the moment; each file or why not.
    An empty clipboard has no data at all (None) on some systems: it holds nothing to attach."""
    if mime is None:
        return [_("The clipboard holds no image or file.")]
    if mime.hasUrls() and any(url.isLocalFile() for url in mime.urls()):
        found: list[PendingFile | str] = []
        for url in mime.urls():
            if url.isLocalFile():
                item = read_file(
                    Path(url.toLocalFile()), already + tuple(f for f in found if isinstance(f, PendingFile))
                )
                found.append(item)
        return found
    if mime.hasImage():
        image = QImage(mime.imageData())
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        name = datetime.now().strftime(_("pasted-%Y%m%d-%H%M%S.png"))
        return [pending_file(name, bytes(data.data()), "image/png", already)]
    return [_("The clipboard holds no image or file.")]


def _too_large(filename: str) -> str:
    return _("{name} is larger than {limit}; send a smaller file or a link.").format(
        name=filename, limit=format_size(MAX_ATTACHMENT_BYTES)
    )


class AttachmentList(QListWidget):
    """Signals:
    rejected(str): a file was not added, and why (shown next to the list; nothing else changes).
    changed(): a file was added or removed.
    """

    rejected = Signal(str)
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._files: list[PendingFile] = []
        self.setViewMode(QListWidget.ViewMode.IconMode)
        self.setIconSize(THUMBNAIL)
        self.setGridSize(QSize(THUMBNAIL.width() + 40, THUMBNAIL.height() + 40))
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setMovement(QListWidget.Movement.Static)
        self.setWordWrap(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setMinimumHeight(THUMBNAIL.height() + 48)
        self.setToolTip(_("Drop files here, paste with Ctrl+V, or use “Add files…”. Delete removes the selected."))

    # -- own API ---------------------------------------------------------------------------------

    @property
    def files(self) -> tuple[PendingFile, ...]:
        return tuple(self._files)

    def has_images(self) -> bool:
        return any(f.is_image for f in self._files)

    def add_paths(self, paths: list[Path]) -> None:
        for path in paths:
            self._add(read_file(path, self.files))

    def add_content(self, filename: str, content: bytes, media_type: str = "") -> bool:
        """Add one file after checking it; False (and a `rejected` message) when it is refused."""
        return self._add(pending_file(filename, content, media_type, self.files))

    def paste(self, mime: QMimeData | None) -> None:
        for item in clipboard_files(mime, self.files):
            self._add(item)

    def _add(self, item: PendingFile | str) -> bool:
        if isinstance(item, str):
            self.rejected.emit(item)
            return False
        self._files.append(item)
        size = format_size(len(item.content))
        entry = QListWidgetItem(self._icon(item), f"{item.filename}\n{size}")
        entry.setToolTip(f"{item.filename} · {item.media_type} · {size}")
        self.addItem(entry)
        self.changed.emit()
        return True

    def remove_selected(self) -> None:
        for row in sorted((self.row(item) for item in self.selectedItems()), reverse=True):
            self.takeItem(row)
            del self._files[row]
        self.changed.emit()

    # -- internals -------------------------------------------------------------------------------

    def _icon(self, pending: PendingFile) -> QIcon:
        if pending.is_image:
            buffer = QBuffer()
            buffer.setData(QByteArray(pending.content))
            reader = QImageReader(buffer)
            reader.setAutoTransform(True)
            size = reader.size()
            if size.isValid():
                reader.setScaledSize(size.scaled(THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio))
            image = reader.read()
            if not image.isNull():
                return QIcon(QPixmap.fromImage(image))
        return self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)

    # -- Qt overrides ----------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() or event.mimeData().hasImage():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:  # type: ignore[override]
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        self.paste(event.mimeData())
        event.acceptProposedAction()

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.matches(QKeySequence.StandardKey.Delete):
            self.remove_selected()
            return
        super().keyPressEvent(event)
