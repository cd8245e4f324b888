"""The landscape's two plots and their items, created once and updated with ``setData``.

``LandscapePlots`` draws what it is given: a ``Picture`` from the worker (a slice curve or a
contour image with its iso-lines), the descent paths and markers. It holds no state of the
panel beyond what is on screen.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QRectF, Qt

# isort: split
import pyqtgraph as pg  # after PySide6, so that pyqtgraph binds to it

from gdapp.ui.frame_pacer import paint_with_window
from gdapp.ui.panels.landscape.jobs import Picture
from gdapp.ui.plot_items import plain_axes, set_axis_label

ISO_PEN = pg.mkPen(255, 255, 255, 70)
# Stacking on the contour: the map, its iso-lines, the runs (this one, then the overlaid
# ones, each over those that cover more ground) and, over every line, the markers.
OVERLAY_Z = 1.0  # the overlaid runs lie between OVERLAY_Z and OVERLAY_Z + 1
MARKER_Z = 10.0
MINIMUM_COLOR = "#ffd23f"
PATH_PEN = pg.mkPen("#ffffff", width=2)
CURRENT_COLOR = "#ff5a36"
CURRENT_BRUSH = pg.mkBrush(CURRENT_COLOR)
START_BRUSH = pg.mkBrush("#ffffff")
SLICE_PEN = pg.mkPen("#4c9be8", width=2)
TANGENT_PEN = pg.mkPen("#ff5a36", width=1.5, style=Qt.PenStyle.DashLine)
TANGENT_HALF_WIDTH = 0.12  # the tangent spans this fraction of the slice's range each side


class LandscapePlots:
    """The slice plot and the contour plot with every item they show."""

    def __init__(self) -> None:
        self.slice_plot = pg.PlotWidget()
        paint_with_window(self.slice_plot)
        self.slice_plot.setObjectName("landscapeSlicePlot")
        self.slice_plot.setLabel("left", "J")
        plain_axes(self.slice_plot)
        self.slice_plot.showGrid(x=True, y=True, alpha=0.2)
        self.slice_curve = self.slice_plot.plot(pen=SLICE_PEN, name="J along θᵢ")
        self.slice_tangent = self.slice_plot.plot(pen=TANGENT_PEN)
        self.slice_trail = pg.ScatterPlotItem(size=6, brush=pg.mkBrush(255, 90, 54, 90), pen=None)
        self.slice_point = pg.ScatterPlotItem(size=12, brush=CURRENT_BRUSH, pen=pg.mkPen("w"))
        self.slice_plot.addItem(self.slice_trail)
        self.slice_plot.addItem(self.slice_point)
        self.slice_minimum = pg.ScatterPlotItem(
            size=11, symbol="t1", brush=pg.mkBrush(MINIMUM_COLOR), pen=pg.mkPen("k")
        )
        self.slice_plot.addItem(self.slice_minimum)
        self.slice_plot.setToolTip("Hover to read J; the red point is the current parameter")

        self.contour_plot = pg.PlotWidget()
        paint_with_window(self.contour_plot)
        self.contour_plot.setObjectName("landscapeContourPlot")
        self.contour_plot.setAspectLocked(False)
        plain_axes(self.contour_plot)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.image.setZValue(-10)
        self.contour_plot.addItem(self.image)
        # Segments the worker traced (pyqtgraph's IsocurveItem traces them on the GUI
        # thread: about 0.1 s for a 72 x 72 grid), drawn as one path of pairs.
        self.isolines = pg.PlotDataItem(pen=ISO_PEN, connect="pairs")
        self.isolines.setZValue(-5)
        self.contour_plot.addItem(self.isolines)
        self.path_item = self.contour_plot.plot(
            pen=PATH_PEN, name="this run", symbol="o", symbolSize=3, symbolBrush="w", symbolPen=None
        )
        self.start_item = pg.ScatterPlotItem(
            size=11, symbol="s", brush=START_BRUSH, pen=pg.mkPen("k"), name="start"
        )
        self.current_item = pg.ScatterPlotItem(
            size=13, brush=CURRENT_BRUSH, pen=pg.mkPen("w"), name="now"
        )
        self.contour_plot.addItem(self.start_item)
        self.contour_plot.addItem(self.current_item)
        for marker in (self.start_item, self.current_item):
            marker.setZValue(MARKER_Z)
        self.minimum_item = pg.ScatterPlotItem(
            size=16, symbol="star", brush=pg.mkBrush(MINIMUM_COLOR), pen=pg.mkPen("k")
        )
        self.minimum_item.setZValue(MARKER_Z)
        self.contour_plot.addItem(self.minimum_item)
        self.contour_plot.setToolTip(
            "Colour is log J with the other parameters held at their current values.\n"
            "Hover to read J; click to start training from that point."
        )

    def add_run_item(self, color: str) -> pg.PlotDataItem:
        """A curve for an overlaid run's path."""
        item = self.contour_plot.plot(pen=pg.mkPen(color, width=2))
        item.setZValue(OVERLAY_Z)
        return item

    def stack_runs(self, items: Sequence[pg.PlotDataItem], extents: Sequence[float]) -> None:
        """Draw each overlaid run over those whose ``extents`` (ground covered) are larger.

        A short run (a small learning rate) lies along the start of the longer ones; drawn
        under them it would not be seen at all.
        """
        order = sorted(range(len(items)), key=lambda k: -extents[k])  # largest at the bottom
        for rank, k in enumerate(order):
            items[k].setZValue(OVERLAY_Z + rank / max(len(items), 1))

    def remove_item(self, item: pg.PlotDataItem) -> None:
        self.contour_plot.removeItem(item)

    def clear_pictures(self) -> None:
        """Empty the curve and the image (a new dataset makes the old picture wrong)."""
        self.image.clear()
        for item in (self.slice_curve, self.slice_tangent, self.isolines):
            item.setData([], [])
        for item in (self.slice_trail, self.slice_point, self.slice_minimum, self.minimum_item):
            item.setData([], [])

    def draw_contour(self, picture: Picture, names: tuple[str, ...], fit_view: bool) -> None:
        """log J as a colour image with its iso-lines, and the lowest point of the plane."""
        i, j = picture.axes
        u, v = picture.coords
        self.minimum_item.setData([picture.minimum[i]], [picture.minimum[j]])
        shown = picture.shown
        self.image.setImage(shown, levels=(float(shown.min()), float(shown.max())))
        du, dv = (u[-1] - u[0]) / (len(u) - 1), (v[-1] - v[0]) / (len(v) - 1)
        self.image.setRect(QRectF(u[0] - du / 2, v[0] - dv / 2, du * len(u), dv * len(v)))
        self.isolines.setData(*picture.iso)
        set_axis_label(self.contour_plot.getAxis("bottom"), names[i])
        set_axis_label(self.contour_plot.getAxis("left"), names[j])
        if fit_view:
            view = self.contour_plot.getViewBox()
            view.setRange(xRange=(u[0], u[-1]), yRange=(v[0], v[-1]), padding=0)

    def draw_slice(
        self,
        picture: Picture,
        grad: np.ndarray | None,
        names: tuple[str, ...],
        fit_view: bool,
    ) -> None:
        """J along theta_i, the current point with its tangent, the trail and the lowest point."""
        (i,) = picture.axes
        (values,) = picture.coords
        curve, theta, here = picture.J, picture.theta, picture.here
        self.slice_curve.setData(values, curve)
        self.slice_point.setData([theta[i]], [here])
        if picture.trail is not None and picture.trail.size:
            self.slice_trail.setData(picture.trail, picture.trail_cost)
        else:
            self.slice_trail.setData([], [])
        if grad is not None and grad.shape == theta.shape:
            half = TANGENT_HALF_WIDTH * (values[-1] - values[0])
            xs = np.array([theta[i] - half, theta[i] + half])
            self.slice_tangent.setData(xs, here + grad[i] * (xs - theta[i]))
        self.slice_minimum.setData([picture.minimum[i]], [picture.lowest])
        set_axis_label(self.slice_plot.getAxis("bottom"), names[i])
        if fit_view:
            pad = 0.08 * (curve.max() - curve.min() + 1e-9)
            self.slice_plot.getViewBox().setRange(
                xRange=(values[0], values[-1]),
                yRange=(curve.min() - pad, curve.max() + pad),
                padding=0,
            )
