"""Scroll a 1,000,000-row DataFrameModel through a QTableView against a 1,000-row one.

The view asks only for visible cells, so a frame per scroll position should cost the same
for both sizes. For each size this prints: the time to set the frame, the time to jump to
the bottom and repaint, the median and 95th percentile time of one repaint over
SCROLL_POSITIONS positions spread over the whole table, the data() calls per repaint, and
the time of a sort by one column next to a bare numpy argsort of that column. The last
lines give the big/small ratios of the per-repaint time and of setting the frame (1.0 =
size does not matter; 1,000 would be work in proportion to the rows), and the sort against
the bare argsort of the big frame.

    .venv/bin/python benchmarks/bench_table.py          (offscreen unless QT_QPA_PLATFORM is set)
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QTableView  # noqa: E402

from gdapp.ui.models.dataframe_model import DataFrameModel  # noqa: E402

BIG_ROWS = 1_000_000
SMALL_ROWS = 1_000
SCROLL_POSITIONS = 200
VIEW_SIZE_PX = (800, 600)


class CountingModel(DataFrameModel):
    """DataFrameModel that counts data() calls."""

    calls = 0

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        self.calls += 1
        return super().data(index, role)


def make_frame(n_rows: int, seed: int = 0) -> pd.DataFrame:
    """A diabetes-shaped table: a 0/1 label, six integer and two float features."""
    rng = np.random.default_rng(seed)
    columns = {"outcome": rng.integers(0, 2, n_rows)}
    for name in ("pregnancies", "glucose", "blood_pressure", "skin_thickness", "insulin", "age"):
        columns[name] = rng.integers(0, 200, n_rows)
    columns["bmi"] = rng.normal(32, 7, n_rows)
    columns["diabetes_pedigree"] = rng.gamma(2.0, 0.25, n_rows)
    return pd.DataFrame(columns)


def repaint(app: QApplication, view: QTableView) -> float:
    """Seconds for one synchronous repaint of every visible cell (counts reset first)."""
    app.processEvents()  # let scrolling settle, so the count covers this paint only
    view.model().calls = 0
    started = time.perf_counter()
    view.viewport().grab()
    return time.perf_counter() - started


def measure(app: QApplication, n_rows: int) -> dict[str, float]:
    frame = make_frame(n_rows)
    model = CountingModel()
    started = time.perf_counter()
    model.set_frame(frame, label_column="outcome")
    set_time = time.perf_counter() - started
    view = QTableView()
    view.resize(*VIEW_SIZE_PX)
    view.setModel(model)
    view.show()
    repaint(app, view)  # first paint: fonts, header sizes

    view.scrollToTop()
    app.processEvents()
    started = time.perf_counter()
    view.scrollToBottom()
    view.viewport().grab()
    bottom_time = time.perf_counter() - started

    bar = view.verticalScrollBar()
    times, calls = [], []
    for position in np.linspace(0, bar.maximum(), SCROLL_POSITIONS).astype(int):
        bar.setValue(int(position))
        times.append(repaint(app, view))
        calls.append(model.calls)

    started = time.perf_counter()
    model.sort(2, Qt.SortOrder.DescendingOrder)
    sort_time = time.perf_counter() - started
    column = frame.iloc[:, 2].to_numpy()
    started = time.perf_counter()
    np.argsort(column, kind="stable")
    argsort_time = time.perf_counter() - started
    view.close()
    view.deleteLater()
    return {
        "rows": n_rows,
        "set_frame_ms": set_time * 1e3,
        "to_bottom_ms": bottom_time * 1e3,
        "repaint_median_ms": statistics.median(times) * 1e3,
        "repaint_p95_ms": float(np.percentile(times, 95)) * 1e3,
        "data_calls_per_repaint": statistics.median(calls),
        "sort_ms": sort_time * 1e3,
        "argsort_ms": argsort_time * 1e3,
    }


def main() -> None:
    app = QApplication.instance() or QApplication([])
    small = measure(app, SMALL_ROWS)
    big = measure(app, BIG_ROWS)
    print(f"QTableView {VIEW_SIZE_PX[0]}x{VIEW_SIZE_PX[1]}, {SCROLL_POSITIONS} scroll positions")
    header = (
        f"{'rows':>10} {'set frame':>10} {'to bottom':>10} {'repaint':>9} {'p95':>8} "
        f"{'data()/paint':>13} {'sort':>9} {'argsort':>9}"
    )
    print(header)
    for result in (small, big):
        print(
            f"{result['rows']:>10,} {result['set_frame_ms']:>8.2f}ms "
            f"{result['to_bottom_ms']:>8.2f}ms {result['repaint_median_ms']:>7.2f}ms "
            f"{result['repaint_p95_ms']:>6.2f}ms {result['data_calls_per_repaint']:>13.0f} "
            f"{result['sort_ms']:>7.1f}ms {result['argsort_ms']:>7.1f}ms"
        )
    ratio = big["repaint_median_ms"] / small["repaint_median_ms"]
    calls_ratio = big["data_calls_per_repaint"] / small["data_calls_per_repaint"]
    print(
        f"repaint time ratio 1,000,000 / 1,000 rows: {ratio:.2f}  (data() calls: {calls_ratio:.2f})"
    )
    set_ratio = big["set_frame_ms"] / small["set_frame_ms"]
    print(f"set frame time ratio 1,000,000 / 1,000 rows: {set_ratio:.2f}")
    sort_ratio = big["sort_ms"] / big["argsort_ms"]
    print(f"sort / bare numpy argsort, 1,000,000 rows: {sort_ratio:.2f}")


if __name__ == "__main__":
    main()
