"""Scale the text pyqtgraph draws (axis ticks and labels, titles, legends) with the app font.

pyqtgraph items do not follow ``QApplication.setFont``: each axis keeps its own tick font and
each label its own size. ``scale_plot_text(root, font)`` sets them from ``font`` for every
plot under ``root``, so the classroom zoom reaches the plots too.
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget

# isort: split
import pyqtgraph as pg  # after PySide6, so that pyqtgraph uses it

from gdapp.ui.plot_items import SideLegend


def scale_plot_text(root: QWidget, font: QFont) -> None:
    """Give every pyqtgraph axis, title and legend under ``root`` the size of ``font``."""
    points = font.pointSizeF() if font.pointSizeF() > 0 else font.pixelSize() * 0.75
    for view in root.findChildren(pg.GraphicsView):
        scene = view.scene()
        if scene is None:
            continue
        for item in scene.items():
            if isinstance(item, pg.AxisItem):
                item.setTickFont(QFont(font))
                item.label.setFont(QFont(font))
                item.picture = None  # re-measure the ticks with the new font
                item.update()
            elif isinstance(item, pg.LabelItem):
                item.setText(item.text, size=f"{points:.1f}pt")
            elif isinstance(item, SideLegend):
                item.set_text_points(points)
