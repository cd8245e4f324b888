"""The lesson text view: Markdown with formula SVGs drawn crisply at the screen's pixel ratio.

Qt's own image loading rasterises an SVG once at its nominal size, which looks soft on a
high-DPI screen and cannot shrink a wide formula into a narrow dock. ``LessonTextBrowser``
loads ``.svg`` images itself: it renders each at ``devicePixelRatio`` times its size (1 SVG
pt = 1 px of text, as the formula script assumes) and, when the formula is wider than the
view, scales it down to fit; the view re-renders when its width changes.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, QUrl
from PySide6.QtGui import QFont, QImage, QPainter, QTextDocument
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QTextBrowser

TEXT_PX = 14  # lesson text size; the formula SVGs are drawn to sit beside 14 px text
FORMULA_MARGIN_PX = 24  # room kept free beside a formula scaled down to the view's width
RERENDER_DELAY_MS = 120
IMAGE_CACHE_SIZE = 256  # formula images kept (the lessons have about 40 formulas)
STYLE_SHEET = """
code { background-color: #eef1f4; }
h3 { margin-top: 10px; }
"""


class LessonTextBrowser(QTextBrowser):
    """A read-only Markdown view whose relative links resolve against ``base_dir``."""

    def __init__(self, base_dir: Path, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("lessonText")
        self.setOpenExternalLinks(True)
        self._base = QUrl.fromLocalFile(str(Path(base_dir).resolve()) + "/")
        self._markdown = ""
        self._rendered_width = -1
        self._scale = 1.0
        self._images: dict[tuple, QImage | None] = {}
        self._apply_font()
        self.document().setDefaultStyleSheet(STYLE_SHEET)
        self.document().setDocumentMargin(10)
        self.setSearchPaths([str(Path(base_dir).resolve())])
        self._rerender = QTimer(self)
        self._rerender.setSingleShot(True)
        self._rerender.setInterval(RERENDER_DELAY_MS)
        self._rerender.timeout.connect(self._on_rerender_timeout)

    @property
    def markdown(self) -> str:
        return self._markdown

    @property
    def text_px(self) -> int:
        """The body text's pixel size (``TEXT_PX`` times the text scale)."""
        return max(8, round(TEXT_PX * self._scale))

    def set_text_scale(self, factor: float) -> None:
        """Scale the text and the formulas by ``factor`` (1 = ``TEXT_PX``)."""
        if factor != self._scale:
            self._scale = factor
            self._apply_font()
            if self._markdown:
                self._render()

    def _apply_font(self) -> None:
        font = QFont(self.font())
        font.setPixelSize(self.text_px)
        self.setFont(font)
        self.document().setDefaultFont(font)

    def show_markdown(self, text: str) -> None:
        """Render ``text``; images are reloaded so they fit the current width."""
        self._markdown = text
        self._render()

    def _render(self) -> None:
        self._rendered_width = self.viewport().width()
        document = self.document()
        document.clear()  # drops cached images too
        document.setBaseUrl(self._base)
        self.setMarkdown(self._markdown)
        self.verticalScrollBar().setValue(0)

    def loadResource(self, kind: int, url: QUrl):
        if kind == QTextDocument.ResourceType.ImageResource.value and url.path().endswith(".svg"):
            image = self._render_svg(url)
            if image is not None:
                return image
        return super().loadResource(kind, url)

    def _render_svg(self, url: QUrl) -> QImage | None:
        """The formula at ``url`` drawn for the current width and scale (cached)."""
        resolved = self._base.resolved(url) if url.isRelative() else url
        path = resolved.toLocalFile()
        key = (path, self.viewport().width(), self._scale, self.devicePixelRatioF())
        if key not in self._images:
            if len(self._images) > IMAGE_CACHE_SIZE:
                self._images.clear()
            self._images[key] = self._draw_svg(path)
        return self._images[key]

    def _draw_svg(self, path: str) -> QImage | None:
        if not Path(path).is_file():
            return None
        renderer = QSvgRenderer(path)
        if not renderer.isValid():
            return None
        size = renderer.defaultSize()
        if self._scale != 1.0:
            size = QSize(round(size.width() * self._scale), round(size.height() * self._scale))
        room = max(80, self.viewport().width() - 2 * FORMULA_MARGIN_PX)
        if size.width() > room:  # shrink a wide formula to the view instead of clipping it
            size = QSize(room, max(1, round(size.height() * room / size.width())))
        ratio = max(1.0, self.devicePixelRatioF())
        image = QImage(
            round(size.width() * ratio),
            round(size.height() * ratio),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        image.setDevicePixelRatio(ratio)
        return image

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._markdown and abs(self.viewport().width() - self._rendered_width) > 8:
            self._rerender.start()

    def _on_rerender_timeout(self) -> None:
        position = self.verticalScrollBar().value()
        self._render()
        self.verticalScrollBar().setValue(position)
