"""Paints a ticket's number with its escalation badge ("N2", "N3") at the right of the cell.
Paint-only: the badge's text and the level come from the model's roles."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QIcon, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktop_app.domain.sla import SlaState
from desktop_app.ui import theme
from desktop_app.ui.models.queue_model import QueueRole

_PAD_X = 4
_BADGE_HEIGHT = 18
_GAP = 4  # between the number and the badge
_MARGIN = 4  # between the badge and the cell's right edge


class EscalationBadgeDelegate(QStyledItemDelegate):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    @staticmethod
    def room(font: QFont, badge: str) -> int:
        """The width a badge takes beside the number: its bold text, padding, gap and margin."""
        return QFontMetrics(theme.bold(font)).horizontalAdvance(badge) + 2 * _PAD_X + _GAP + _MARGIN

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        badge = index.data(QueueRole.ESCALATION_BADGE)
        if not badge:
            super().paint(painter, option, index)
            return
        font = theme.bold(option.font)
        painter.save()
        painter.setFont(font)
        width = painter.fontMetrics().horizontalAdvance(badge) + 2 * _PAD_X
        painter.restore()
        # The number and its icon in what is left; the badge in the reserved room on the right.
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        badge_rect = QRectF(
            option.rect.right() - width - _MARGIN,
            option.rect.center().y() - _BADGE_HEIGHT / 2 + 1,
            width,
            _BADGE_HEIGHT,
        )
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            # The background and selection across the whole cell; the text short of the badge.
            full = QStyleOptionViewItem(opt)
            full.text = ""
            full.icon = QIcon()
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, full, painter, opt.widget)
            opt.rect = opt.rect.adjusted(0, 0, -(width + _GAP + _MARGIN), 0)
            opt.backgroundBrush = Qt.BrushStyle.NoBrush
            opt.state &= ~QStyle.StateFlag.State_Selected
            opt.state &= ~QStyle.StateFlag.State_HasFocus
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        level = index.data(QueueRole.ESCALATION_LEVEL) or 2
        background, foreground = theme.sla_colors(SlaState.BREACHED if level >= 3 else SlaState.AT_RISK)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(background)
        painter.drawRoundedRect(badge_rect, 4, 4)
        painter.setPen(foreground)
        painter.setFont(font)
        painter.drawText(badge_rect, Qt.AlignmentFlag.AlignCenter, badge)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        badge = index.data(QueueRole.ESCALATION_BADGE)
        extra = self.room(option.font, badge) if badge else 0
        return QSize(size.width() + extra, max(size.height(), _BADGE_HEIGHT + 8))
