"""Paints the SLA countdown as a coloured pill with its words. Paint-only: the state and the text
come from the model's roles."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktop_app.domain.sla import SlaState
from desktop_app.ui import theme
from desktop_app.ui.models.queue_model import QueueRole

_PAD_X = 9
_PILL_HEIGHT = 20


class SlaDelegate(QStyledItemDelegate):
    # Room the pill needs beyond its text: padding on both sides and the margin to the cell edge.
    EXTRA_WIDTH = 2 * _PAD_X + 12

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        # Let the style draw selection and focus; then the pill on top, without the default text.
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        state = SlaState(index.data(QueueRole.SLA_STATE) or SlaState.MET.value)
        background, foreground = theme.sla_colors(state)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = theme.tabular_font(opt.font)
        if state is SlaState.BREACHED:
            font.setBold(True)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        width = min(metrics.horizontalAdvance(text) + 2 * _PAD_X, option.rect.width() - 8)
        rect = QRectF(
            option.rect.right() - width - 4,
            option.rect.center().y() - _PILL_HEIGHT / 2 + 1,
            width,
            _PILL_HEIGHT,
        )
        if background.alpha():
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(background)
            painter.drawRoundedRect(rect, _PILL_HEIGHT / 2, _PILL_HEIGHT / 2)
        painter.setPen(foreground)
        elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(rect.width()) - 2 * _PAD_X + 2)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, elided)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + 2 * _PAD_X + 8, max(size.height(), _PILL_HEIGHT + 8))
