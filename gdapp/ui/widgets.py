"""Small input widgets the training controls are built from.

``LogSpinBox`` steps through 1-2-5 values (0.001, 0.002, 0.005, 0.01, ...) so a learning rate
or a penalty moves by sensible factors; ``BatchSizeSpinBox`` shows 0 as "full batch" and
steps through powers of two; ``WholeSpinBox`` is a plain whole-number box. Each brings a number
typed outside its range to the nearer end and says so with ``refused(str)``.

``set_limits(low, high)`` (a setup file's ``[limits]``) narrows what a learner may type or
step to, not what the box can show: a value set by the program (a lesson step) outside the
limits is shown as it is, and the next edit brings it inside.
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

    A number typed outside the range (or the limits) is brought to the nearer end of it,
    and ``refused(str)`` says so in words ("The learning rate is at most 100: set to
    100."), naming the value as ``what``.
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
        self._limits: tuple[float, float] | None = None
        self.setDecimals(12)  # QDoubleSpinBox rounds values to this many decimals
        self.setRange(0.0 if self._allow_zero else minimum, maximum)
        if zero_text is not None:
            self.setSpecialValueText(zero_text)
        self.setKeyboardTracking(False)
        self.setAccelerated(True)

    @property
    def limits(self) -> tuple[float, float] | None:
        return self._limits

    def set_limits(self, low: float, high: float) -> None:
        """Let a learner set only ``low`` to ``high``; 0 ("off") only if ``low`` is 0."""
        self._limits = (low, high)
        bottom = low if low > 0 else self._ladder[0]
        self._ladder = sorted({bottom, *one_two_five(bottom, high), high})

    def _bounds(self) -> tuple[float, float]:
        return self._limits if self._limits is not None else (self.minimum(), self.maximum())

    def _zero_allowed(self) -> bool:
        return self._allow_zero and self._bounds()[0] == 0

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
            state = (
                QValidator.State.Acceptable
                if self._zero_allowed()
                else QValidator.State.Intermediate
            )
            return state, text, pos
        if not _FLOAT_PREFIX.match(stripped):
            return QValidator.State.Invalid, text, pos
        try:
            value = float(stripped)
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        low, high = self._bounds()
        if low <= value <= high or (value == 0 and self._zero_allowed()):
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos

    def fixup(self, text: str) -> str:
        """Out-of-range input: clamp to the range and say so (Qt would silently revert)."""
        low, high = self._bounds()
        if self._allow_zero and text.strip() == self.specialValueText():
            value = 0.0
        else:
            try:
                value = float(text.strip())
            except ValueError:
                return super().fixup(text)
        if value != value:  # NaN
            return super().fixup(text)
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
                self.setValue(0.0 if self._zero_allowed() else ladder[0])


def _clamped(value: int, low: int, high: int, what: str, refused) -> int | None:
    """``value`` brought inside ``low`` to ``high``, said with ``refused``; None if inside."""
    if value > high:
        refused.emit(f"{what} is at most {high:,}: set to {high:,}.")
        return high
    if value < low:
        refused.emit(f"{what} is at least {low:,}: set to {low:,}.")
        return low
    return None


class WholeSpinBox(QSpinBox):
    """A whole number; one typed outside the range is clamped and ``refused(str)`` says so."""

    refused = Signal(str)

    def __init__(self, parent: QWidget | None = None, what: str = "The value") -> None:
        super().__init__(parent)
        self._what = what
        self._limits: tuple[int, int] | None = None
        self.setKeyboardTracking(False)

    @property
    def limits(self) -> tuple[int, int] | None:
        return self._limits

    def set_limits(self, low: int, high: int) -> None:
        """Let a learner set only ``low`` to ``high``."""
        self._limits = (low, high)

    def _bounds(self) -> tuple[int, int]:
        return self._limits if self._limits is not None else (self.minimum(), self.maximum())

    def _number(self, text: str) -> int | None:
        plain = text.strip().replace(self.locale().groupSeparator(), "").replace(",", "")
        return int(plain) if plain.isdigit() else None

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        value = self._number(text)
        low, high = self._bounds()
        if value is not None and not low <= value <= high:
            return QValidator.State.Intermediate, text, pos  # fixup says what happened
        return super().validate(text, pos)

    def fixup(self, text: str) -> str:
        value = self._number(text)
        if value is not None:
            clamped = _clamped(value, *self._bounds(), self._what, self.refused)
            if clamped is not None:
                return self.textFromValue(clamped)
        return super().fixup(text)

    def stepBy(self, steps: int) -> None:
        low, high = self._bounds()
        self.setValue(min(max(self.value() + steps * self.singleStep(), low), high))


class BatchSizeSpinBox(QSpinBox):
    """Batch size: 0 is the full batch, 1 is stochastic, k is a mini-batch of k rows."""

    FULL_TEXT = "full batch"
    refused = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(0, 1 << 20)
        self.setSpecialValueText(self.FULL_TEXT)
        self.setKeyboardTracking(False)
        self._limits: tuple[int, int] | None = None

    @property
    def limits(self) -> tuple[int, int] | None:
        return self._limits

    def set_limits(self, low: int, high: int) -> None:
        """Let a learner set only ``low`` to ``high`` rows; the full batch (0) if ``low`` is 0."""
        self._limits = (low, high)

    def _bounds(self) -> tuple[int, int]:
        """What a learner may choose now: the limits, within the training rows."""
        if self._limits is None:
            return self.minimum(), self.maximum()
        low, high = self._limits
        return low, max(low, min(high, self.maximum()))

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
        low, high = self._bounds()
        if stripped == self.FULL_TEXT:
            state = QValidator.State.Acceptable if low == 0 else QValidator.State.Intermediate
            return state, text, pos
        if stripped == "1 (stochastic)":
            stochastic = low <= 1 <= high
            state = QValidator.State.Acceptable if stochastic else QValidator.State.Intermediate
            return state, text, pos
        if not stripped or self.FULL_TEXT.startswith(stripped):
            return QValidator.State.Intermediate, text, pos
        if not stripped.isdigit():
            return QValidator.State.Invalid, text, pos
        if low <= int(stripped) <= high:
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos  # fixup says what happened

    def fixup(self, text: str) -> str:
        low, high = self._bounds()
        stripped = text.strip().lower()
        if stripped.startswith("full") and low > 0:
            self.refused.emit(
                f"The batch size is at most {high:,} here, not the full batch: set to {high:,}."
            )
            return self.textFromValue(high)
        digits = re.match(r"\d+", stripped)
        if digits is not None:
            clamped = _clamped(int(digits.group()), low, high, "The batch size", self.refused)
            if clamped is not None:
                return self.textFromValue(clamped)
        return super().fixup(text)

    def stepBy(self, steps: int) -> None:
        value = self.value()
        for _ in range(abs(steps)):
            if steps > 0:
                value = 1 if value == 0 else 1 << value.bit_length()
            else:
                value = 0 if value <= 1 else 1 << ((value - 1).bit_length() - 1)
        low, high = self._bounds()
        self.setValue(min(max(value, low), high))
