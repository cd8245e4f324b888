"""An exported graph image: the diagram, then a caption and the colour legend beneath it."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from gdapp.ui.panels.graph.style import TEXT_COLOUR, paint_legend, scene_font

FOOTER_PX = 48  # caption and legend strip, in scene units before the export scale
LEGEND_WIDTH_PX = 330


def compose_export(diagram: QImage, caption: str, symbol: str, scale: float = 2.0) -> QImage:
    """``diagram`` with a footer holding ``caption`` and the ``symbol`` colour legend."""
    footer = round(FOOTER_PX * scale)
    image = QImage(
        diagram.width(), diagram.height() + footer, QImage.Format.Format_ARGB32_Premultiplied
    )
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.drawImage(0, 0, diagram)
    painter.scale(scale, scale)
    width = diagram.width() / scale
    top = diagram.height() / scale + 4
    font = scene_font(11)
    painter.setFont(font)
    painter.setPen(TEXT_COLOUR)
    legend_w = min(LEGEND_WIDTH_PX, 0.55 * width)
    text_rect = QRectF(10, top, width - legend_w - 24, FOOTER_PX - 8)
    flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
    painter.drawText(text_rect, int(flags), caption)
    paint_legend(painter, QRectF(width - legend_w - 6, top, legend_w, FOOTER_PX - 8), symbol, font)
    painter.end()
    return image
