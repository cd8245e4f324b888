"""The main workspace: the pages a learner looks at, one in front, built when first shown.

Pages (``view_state.PAGES``): the dataset table, the plots, the computation graph, the cost
landscape, the decision boundary and the current lesson figure. Each page is made by a
factory the first time it is shown or asked for (``page(name)``), so a launch only pays for
the page in front. The figure tab is enabled only while a figure is set (``set_figure``).

Signals: ``page_built(str, QWidget)`` when a page's widget has been made, and
``page_chosen(str)`` when the learner clicks a tab (not when ``show_page`` is called).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from gdapp.ui.view_state import PAGE_TITLES, PAGES

PageFactory = Callable[[], QWidget]


class Workspace(QTabWidget):
    """Tabs for ``PAGES``; ``factories`` maps each page name to a function building it."""

    page_built = Signal(str, QWidget)
    page_chosen = Signal(str)

    def __init__(self, factories: dict[str, PageFactory], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workspace")
        self.setDocumentMode(True)
        self._factories = dict(factories)
        self._hosts: dict[str, QWidget] = {}
        self._pages: dict[str, QWidget] = {}
        self._showing = False
        self._deferred = False
        for name in PAGES:
            host = QWidget()
            host.setObjectName(f"{name}Page")
            layout = QVBoxLayout(host)
            layout.setContentsMargins(0, 0, 0, 0)
            self._hosts[name] = host
            self.addTab(host, PAGE_TITLES[name])
        self.setTabEnabled(PAGES.index("figure"), False)
        self.setTabToolTip(PAGES.index("figure"), "A lesson step with a figure shows it here")
        self.currentChanged.connect(self._on_current_changed)

    @property
    def current_page(self) -> str:
        return PAGES[self.currentIndex()]

    @contextmanager
    def out_of_sight_unless(self, name: str) -> Iterator[None]:
        """Hide the page in front for the body unless it is page ``name``; it comes back
        unless the body brought another page to the front. A hidden page's panels wait
        until they are shown again, so a page about to be left draws nothing for a change
        made on the way to another (a lesson step's new dataset)."""
        current = self.current_page
        host = self._hosts[current]
        if name == current or host.isHidden():
            yield
            return
        host.hide()
        try:
            yield
        finally:
            if self.current_page == current:
                host.show()

    def is_built(self, name: str) -> bool:
        return name in self._pages

    def built_pages(self) -> dict[str, QWidget]:
        return dict(self._pages)

    def page(self, name: str) -> QWidget:
        """The widget of page ``name``, built now if it was not yet."""
        if name not in self._pages:
            widget = self._factories[name]()
            self._hosts[name].layout().addWidget(widget)
            self._pages[name] = widget
            self.page_built.emit(name, widget)
        return self._pages[name]

    def show_page(self, name: str) -> None:
        """Bring page ``name`` to the front (building it first)."""
        self.page(name)
        self._showing = True
        try:
            self.setCurrentIndex(PAGES.index(name))
        finally:
            self._showing = False

    def select_page(self, name: str) -> None:
        """Put page ``name`` in front without building it yet (before the first frame)."""
        self._showing = True
        self._deferred = True
        try:
            self.setCurrentIndex(PAGES.index(name))
        finally:
            self._showing = False
            self._deferred = False

    def set_figure_title(self, title: str | None) -> None:
        """Enable the figure tab titled ``title``, or disable it (None)."""
        index = PAGES.index("figure")
        self.setTabEnabled(index, title is not None)
        self.setTabText(index, f"Figure: {title}" if title else PAGE_TITLES["figure"])

    def _on_current_changed(self, index: int) -> None:
        name = PAGES[index]
        if not self._deferred:
            self.page(name)
        if not self._showing:
            self.page_chosen.emit(name)


class PlaceholderPage(QLabel):
    """What an empty page says (e.g. the figure page between lessons)."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setMargin(24)
