"""Look and feel: Fusion with a light or dark palette following the OS, one accent (makeR orange),
the style sheet, tinted SVG icons, and Qt's own strings in Spanish."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import QByteArray, QLibraryInfo, QLocale, QSize, Qt, QTranslator
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from desktop_app.domain.model import Severity
from desktop_app.domain.sla import SlaState
from desktop_app.paths import resource_path

ACCENT = "#E8611A"


@dataclass(frozen=True)
class Colors:
    dark: bool
    text: str
    muted: str
    border: str
    card: str
    sidebar: str
    hover: str
    chip: str
    accent_soft: str
    accent_text: str


LIGHT = Colors(False, "#1F2328", "#5F6B76", "#D9DEE3", "#FFFFFF", "#F3F4F6", "#E7EAEE", "#EEF0F3", "#FDE3D3", "#A8430C")
DARK = Colors(True, "#E6E8EB", "#9AA4AE", "#3A4048", "#25292E", "#1C1F23", "#2E333A", "#30353C", "#5A2E14", "#FFB68A")

# (background, text) of the SLA pill; paler on light, deeper on dark. Text always says the state too.
_SLA_LIGHT = {
    SlaState.ON_TIME: ("#E3F3E6", "#1E6B32"),
    SlaState.AT_RISK: ("#FFF1D6", "#875200"),
    SlaState.BREACHED: ("#FCE4E2", "#A52A1E"),
    SlaState.PAUSED: ("#ECEFF1", "#4F5B62"),
    SlaState.MET: ("#00000000", "#5F6B76"),
}
_SLA_DARK = {
    SlaState.ON_TIME: ("#1F3A26", "#9ADBA9"),
    SlaState.AT_RISK: ("#4A3710", "#FFD48A"),
    SlaState.BREACHED: ("#4D1F1B", "#FFADA5"),
    SlaState.PAUSED: ("#33393F", "#B8C2CA"),
    SlaState.MET: ("#00000000", "#9AA4AE"),
}
_SEVERITY = {
    Severity.CRITICAL: "#D93025",
    Severity.HIGH: "#E8711A",
    Severity.MEDIUM: "#E0A800",
    Severity.LOW: "#6B8299",
}


def is_dark() -> bool:
    app = QGuiApplication.instance()
    if app is None:
        return False
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def colors() -> Colors:
    return DARK if is_dark() else LIGHT


def sla_colors(state: SlaState) -> tuple[QColor, QColor]:
    background, text = (_SLA_DARK if is_dark() else _SLA_LIGHT)[state]
    return QColor(background), QColor(text)


def severity_color(severity: Severity) -> QColor:
    return QColor(_SEVERITY[severity])


@cache
def severity_dot(severity: Severity, size: int = 10) -> QIcon:
    pixmap = QPixmap(size * 2, size * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(severity_color(severity))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


@cache
def icon(name: str, color: str | None = None, size: int = 24) -> QIcon:
    """An SVG from resources/icons, stroked in `color` (the palette's text colour by default), sharp
    at any device-pixel ratio because it is rendered at 1x, 2x and 3x."""
    svg = resource_path("icons", f"{name}.svg").read_text(encoding="utf-8")
    svg = svg.replace("currentColor", color or colors().text)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    result = QIcon()
    for scale in (1, 2, 3):
        pixmap = QPixmap(QSize(size * scale, size * scale))
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        result.addPixmap(pixmap)
    return result


def app_icon() -> QIcon:
    return QIcon(str(resource_path("icons", "app.svg")))


def _palette(c: Colors) -> QPalette:
    palette = QPalette()
    window = QColor("#FAFAFB") if not c.dark else QColor("#202327")
    base = QColor(c.card)
    text = QColor(c.text)
    palette.setColor(QPalette.ColorRole.Window, window)
    palette.setColor(QPalette.ColorRole.WindowText, text)
    palette.setColor(QPalette.ColorRole.Base, base)
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor(c.sidebar))
    palette.setColor(QPalette.ColorRole.Text, text)
    palette.setColor(QPalette.ColorRole.Button, QColor(c.card) if not c.dark else QColor("#2B3036"))
    palette.setColor(QPalette.ColorRole.ButtonText, text)
    palette.setColor(QPalette.ColorRole.ToolTipBase, base)
    palette.setColor(QPalette.ColorRole.ToolTipText, text)
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor(c.muted))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(ACCENT))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#FFFFFF"))
    palette.setColor(QPalette.ColorRole.Link, QColor(c.accent_text))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(c.muted))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(c.muted))
    return palette


def style_sheet(c: Colors) -> str:
    qss = resource_path("styles", "app.qss").read_text(encoding="utf-8")
    sla = _SLA_DARK if c.dark else _SLA_LIGHT
    for key, value in {
        "@ACCENT@": ACCENT,
        "@ACCENT_SOFT@": c.accent_soft,
        "@ACCENT_TEXT@": c.accent_text,
        "@TEXT@": c.text,
        "@MUTED@": c.muted,
        "@BORDER@": c.border,
        "@CARD@": c.card,
        "@SIDEBAR@": c.sidebar,
        "@HOVER@": c.hover,
        "@CHIP@": c.chip,
        "@OK_BG@": sla[SlaState.ON_TIME][0],
        "@OK_TEXT@": sla[SlaState.ON_TIME][1],
        "@BAD_BG@": sla[SlaState.BREACHED][0],
        "@BAD_TEXT@": sla[SlaState.BREACHED][1],
        "@WARN_BG@": sla[SlaState.AT_RISK][0],
        "@WARN_TEXT@": sla[SlaState.AT_RISK][1],
    }.items():
        qss = qss.replace(key, value)
    return qss


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    c = colors()
    app.setPalette(_palette(c))
    app.setStyleSheet(style_sheet(c))
    app.setWindowIcon(app_icon())
    font = app.font()
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
        app.setFont(font)


def bold(base: QFont) -> QFont:
    font = QFont(base)
    font.setBold(True)
    return font


def tabular_font(base: QFont) -> QFont:
    """Digits of equal width, so times and numbers line up in columns."""
    font = QFont(base)
    font.setFeature(QFont.Tag("tnum"), 1)
    return font


def install_qt_translator(app: QApplication, language: str) -> QTranslator | None:
    """Qt's own strings (OK/Cancel, context menus) in the UI language. The caller keeps the reference."""
    if language.startswith("en"):
        return None
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(QLocale.Language.Spanish, QLocale.Country.Colombia), "qtbase", "_", folder):
        app.installTranslator(translator)
        return translator
    return None
