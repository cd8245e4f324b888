"""Small input widgets the training controls are built from.

``LogSpinBox`` steps through 1-2-5 values (0.001, 0.002, 0.005, 0.01, ...) so a learning rate
or a penalty moves by sensible factors; ``BatchSizeSpinBox`` shows 0 as "full batch" and
steps through powers of two; ``WholeSpinBox`` is a plain whole-number box. Each brings a number
typed outside its range to the nearer end and says so with ``refused(str)``; ``set_limits``
narrows the range (a setup file's ``[limits]``).
"""

from __future__ import annotations

import math
import re

from PySide6.QtCore import Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox, QWidget

_FLOAT_PREFIX = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d*)?([eE][-+]?\d*)?\s*$")


def one_two_five(minimum: float, maximum: float) -> list[float]:
    """The values m * 10**e (m in 1, 2, 5) between ``minimum`` > 0 and ``maximum``."""
    low, high = math.floor(math.log10(minimum)), math.ceil(math.log10(maximum))
    values = [float(f"{m}e{e}") for e in range(low, high + 1) for m in (1, 2, 5)]
    return [v for v in values if minimum * (1 - 1e-12) <= v <= maximum * (1 + 1e-12)]


class LogSpinBox(QDoubleSpinBox):
    """A number typed freely, or stepped through 1-2-5 values; 0 shows ``zero_text``.

    A number typed outside the range is brought to the nearer end of it, and ``refused(str)``
    says so in words ("The learning rate is at most 100: set to 100."), naming the value as
    ``what``.
    """

    refused = Signal(str)

    def __init__(
        self,
        minimum: float,
        maximum: float,
        zero_text: str | None = None,
        parent: QWidget | None = None,
        what: str = "The value",
    ) -> None:
        super().__init__(parent)
        self._what = what
        self._ladder = one_two_five(minimum, maximum)
        self._allow_zero = zero_text is not None
        self.setDecimals(12)  # QDoubleSpinBox rounds values to this many decimals
        self.setRange(0.0 if self._allow_zero else minimum, maximum)
        if zero_text is not None:
            self.setSpecialValueText(zero_text)
        self.setKeyboardTracking(False)
        self.setAccelerated(True)

    def set_limits(self, low: float, high: float) -> None:
        """Allow only ``low`` to ``high``; 0 ("off", when the box has it) only if ``low`` is 0."""
        self._allow_zero = low == 0 and self.specialValueText() != ""
        if not self._allow_zero:
            self.setSpecialValueText("")  # Qt shows it at the minimum, whatever that is
        bottom = low if low > 0 else self._ladder[0]
        self._ladder = sorted({bottom, *one_two_five(bottom, high), high})
        self.setRange(low, high)

    def textFromValue(self, value: float) -> str:
        return f"{value:g}"

    def valueFromText(self, text: str) -> float:
        text = text.strip()
        if self._allow_zero and text == self.specialValueText():
            return 0.0
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        stripped = text.strip()
        if self._allow_zero and stripped == self.specialValueText():
            return QValidator.State.Acceptable, text, pos
        if not _FLOAT_PREFIX.match(stripped):
            return QValidator.State.Invalid, text, pos
        try:
            value = float(stripped)
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos

    def fixup(self, text: str) -> str:
        """Out-of-range input: clamp to the range and say so (Qt would silently revert)."""
        try:
            value = float(text.strip())
        except ValueError:
            return super().fixup(text)
        if value != value:  # NaN
            return super().fixup(text)
        low, high = self.minimum(), self.maximum()
        if value > high:
            self.refused.emit(f"{self._what} is at most {high:g}: set to {high:g}.")
            return self.textFromValue(high)
        if value < low:
            self.refused.emit(f"{self._what} is at least {low:g}: set to {low:g}.")
            return self.textFromValue(low)
        return super().fixup(text)

    def stepBy(self, steps: int) -> None:
        value, ladder = self.value(), self._ladder
        if steps > 0:
            above = [i for i, v in enumerate(ladder) if v > value * (1 + 1e-9)]
            index = above[0] + steps - 1 if above else len(ladder) - 1
            self.setValue(ladder[min(index, len(ladder) - 1)])
        elif steps < 0:
            below = [i for i, v in enumerate(ladder) if v < value * (1 - 1e-9)]
            index = below[-1] + steps + 1 if below else -1
            if index >= 0:
                self.setValue(ladder[index])
            else:
                self.setValue(0.0 if self._allow_zero else ladder[0])


def _clamped(box: QSpinBox, text: str, what: str, refused) -> str | None:
    """The text of the nearer end of ``box``'s range for an out-of-range whole number."""
    digits = re.match(r"\s*(\d+)", text)
    if digits is None:
        return None
    value, low, high = int(digits.group(1)), box.minimum(), box.maximum()
    if value > high:
        refused.emit(f"{what} is at most {high:,}: set to {high:,}.")
        return box.textFromValue(high)
    if value < low:
        refused.emit(f"{what} is at least {low:,}: set to {low:,}.")
        return box.textFromValue(low)
    return None


class WholeSpinBox(QSpinBox):
    """A whole number; one typed outside the range is clamped and ``refused(str)`` says so."""

    refused = Signal(str)

    def __init__(self, parent: QWidget | None = None, what: str = "The value") -> None:
        super().__init__(parent)
        self._what = what
        self.setKeyboardTracking(False)

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        stripped = text.strip().replace(self.locale().groupSeparator(), "").replace(",", "")
        if stripped.isdigit() and not self.minimum() <= int(stripped) <= self.maximum():
            return QValidator.State.Intermediate, text, pos  # fixup says what happened
        return super().validate(text, pos)

    def fixup(self, text: str) -> str:
        plain = text.replace(self.locale().groupSeparator(), "").replace(",", "")
        clamped = _clamped(self, plain, self._what, self.refused)
        return clamped if clamped is not None else super().fixup(text)

    def set_limits(self, low: int, high: int) -> None:
        self.setRange(low, high)


class BatchSizeSpinBox(QSpinBox):
    """Batch size: 0 is the full batch, 1 is stochastic, k is a mini-batch of k rows."""

    FULL_TEXT = "full batch"
    refused = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(0, 1 << 20)
        self.setSpecialValueText(self.FULL_TEXT)
        self.setKeyboardTracking(False)
        self._rows = self.maximum()
        self._limits = (0, self._rows)

    def set_limits(self, low: int, high: int) -> None:
        """Allow ``low`` to ``high`` rows; 0 (the full batch) only if ``low`` is 0."""
        self._limits = (low, high)
        if low > 0:
            self.setSpecialValueText("")  # Qt would show it at the minimum, whatever that is
        self._apply_range()

    def setMaximum(self, maximum: int) -> None:  # noqa: N802 (Qt's name)
        """The dataset's row count caps the box, within the limits."""
        self._rows = maximum
        self._apply_range()

    def _apply_range(self) -> None:
        low, high = self._limits
        self.setRange(low, max(low, min(high, self._rows)))

    def fixup(self, text: str) -> str:
        if text.strip().lower().startswith("full") and self.minimum() > 0:
            low = self.textFromValue(self.minimum())
            self.refused.emit(f"The batch size is at least {low} here, not the full batch.")
            return low
        clamped = _clamped(self, text, "The batch size", self.refused)
        return clamped if clamped is not None else super().fixup(text)

    def textFromValue(self, value: int) -> str:
        return "1 (stochastic)" if value == 1 else str(value)

    def valueFromText(self, text: str) -> int:
        text = text.strip()
        if not text or text.lower().startswith("full"):
            return 0
        digits = re.match(r"\d+", text)
        return int(digits.group()) if digits else self.value()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        stripped = text.strip().lower()
        if stripped == self.FULL_TEXT and self.minimum() > 0:
            return QValidator.State.Intermediate, text, pos  # fixup says why not
        if stripped == self.FULL_TEXT or stripped == "1 (stochastic)":
            return QValidator.State.Acceptable, text, pos
        if not stripped or self.FULL_TEXT.startswith(stripped):
            return QValidator.State.Intermediate, text, pos
        if not stripped.isdigit():
            return QValidator.State.Invalid, text, pos
        if self.minimum() <= int(stripped) <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos

    def stepBy(self, steps: int) -> None:
        value = self.value()
        for _ in range(abs(steps)):
            if steps > 0:
                value = 1 if value == 0 else 1 << value.bit_length()
            else:
                value = 0 if value <= 1 else 1 << ((value - 1).bit_length() - 1)
        self.setValue(min(value, self.maximum()))
