"""An exported graph: the diagram, then a caption and the colour legend beneath it.

``compose_export`` makes the PNG (a raster ``QImage`` at ``scale`` times the scene's size);
``compose_svg`` makes the same picture as an SVG document, the cards, arrows and texts kept
as vector shapes and text. Both draw the footer with ``_paint_footer``, in scene units.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsScene

from gdapp.ui.panels.graph.style import TEXT_COLOUR, paint_legend, scene_font

FOOTER_PX = 48  # caption and legend strip, in scene units before the export scale
LEGEND_WIDTH_PX = 330
SVG_TITLE = "Computation graph (Gradient Descent Lab)"


def _paint_footer(painter: QPainter, width: float, top: float, caption: str, symbol: str) -> None:
    """The caption on the left and the ``symbol`` colour legend on the right, from ``top``."""
    font = scene_font(11)
    painter.setFont(font)
    painter.setPen(TEXT_COLOUR)
    legend_w = min(LEGEND_WIDTH_PX, 0.55 * width)
    text_rect = QRectF(10, top, width - legend_w - 24, FOOTER_PX - 8)
    flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
    painter.drawText(text_rect, int(flags), caption)
    paint_legend(painter, QRectF(width - legend_w - 6, top, legend_w, FOOTER_PX - 8), symbol, font)


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
    _paint_footer(painter, diagram.width() / scale, diagram.height() / scale + 4, caption, symbol)
    painter.end()
    return image


def compose_svg(scene: QGraphicsScene, caption: str, symbol: str) -> bytes:
    """The whole ``scene`` and the footer as an SVG document (UTF-8 bytes), one unit per px."""
    rect = scene.sceneRect()
    width, height = rect.width(), rect.height() + FOOTER_PX
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(round(width), round(height)))
    generator.setViewBox(QRectF(0, 0, width, height))
    generator.setTitle(SVG_TITLE)
    painter = QPainter(generator)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.fillRect(QRectF(0, 0, width, height), QColor("white"))
    scene.render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
    _paint_footer(painter, width, rect.height() + 4, caption, symbol)
    painter.end()
    buffer.close()
    return bytes(data.data())
