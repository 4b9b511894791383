"""The report's charts as PNG images, drawn with matplotlib's Agg backend.

Chinese labels need a CJK font, and a fresh machine (a planner's laptop, a CI runner) may have
none installed, in which case matplotlib silently draws empty boxes. So the font is never looked
up among system fonts: the Noto Sans CJK SC file that the ``mplfonts`` package ships is
registered by its path and used for every chart. ``FONT_PATH`` says which file that is.

Charts are sorted (largest first, from the top), every bar carries its figure, and progress
charts draw the time-progress line so "时间过半、任务过半" can be read at a glance.
"""
from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import mplfonts  # noqa: E402  (only its bundled font files are used)
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

FONT_FILE = "NotoSansCJKsc-Regular.otf"
FONT_PATH = Path(mplfonts.__file__).resolve().parent / "fonts" / FONT_FILE

LEVEL_COLOURS = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828", "missing": "#9e9e9e", None: "#607d8b"}
LEVEL_NAMES = {"green": "正常", "yellow": "关注(黄)", "red": "滞后(红)", "missing": "缺数"}
DPI = 150
_lock = threading.Lock()
_family: str | None = None


def font_family() -> str:
    """Register the bundled CJK font (once) and return its family name."""
    global _family
    with _lock:
        if _family is None:
            if not FONT_PATH.exists():
                raise RuntimeError(f"mplfonts 的中文字体文件不存在:{FONT_PATH}(请重新安装 mplfonts)")
            manager = font_manager.fontManager
            manager.addfont(str(FONT_PATH))
            _family = font_manager.FontProperties(fname=str(FONT_PATH)).get_name()
            # A machine may have the same family installed (Debian's fonts-noto-cjk names its
            # collection "Noto Sans CJK SC" too), and matplotlib would pick either file. Charts
            # must look the same everywhere, so the family names the bundled file alone.
            ours = str(FONT_PATH)
            manager.ttflist = [f for f in manager.ttflist if f.name != _family or f.fname == ours]
            manager._findfont_cached.cache_clear()
        return _family


def _figure(rows: int) -> tuple[Figure, object]:
    family = font_family()
    height = max(2.2, 0.42 * rows + 1.3)
    fig = Figure(figsize=(7.0, height), dpi=DPI)
    ax = fig.add_subplot()
    for item in (ax.title, ax.xaxis.label, ax.yaxis.label):
        item.set_family(family)
    return fig, ax


def _style(ax, family: str) -> None:
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        label.set_family(family)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(labelsize=9)


def _png(fig: Figure, labels: list[str]) -> bytes:
    """Draw once: margins are set from the longest label instead of tight_layout's extra pass."""
    width_in = fig.get_figwidth()
    label_in = max((_text_width_em(x) for x in labels), default=4) * 9 / 72 + 0.25
    fig.subplots_adjust(left=min(0.55, label_in / width_in), right=0.97, top=1 - 0.75 / fig.get_figheight(),
                        bottom=0.6 / fig.get_figheight())
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def _text_width_em(text: str) -> float:
    """Width in ems at the tick font: a CJK character is one em, Latin and digits about half."""
    return sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in text)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    level: str | None = None
    marker: float | None = None   # this bar's own time progress (a task with its own deadline)
    text: str | None = None       # the figure as the report prints it


def progress_chart(title: str, bars: list[Bar], time_progress: float) -> bytes:
    """Completion progress against time progress, one horizontal bar per item, best on top."""
    family = font_family()
    bars = sorted(bars, key=lambda b: b.value)  # barh draws bottom-up: largest ends on top
    fig, ax = _figure(len(bars))
    y = range(len(bars))
    ax.barh(list(y), [b.value for b in bars], color=[LEVEL_COLOURS.get(b.level, "#607d8b") for b in bars], height=0.6)
    top = max([time_progress, 100.0, *(b.value for b in bars)])
    for i, b in enumerate(bars):
        ax.text(b.value + top * 0.01, i, (b.text or f"{b.value:.1f}") + "%", va="center", fontsize=8, family=family)
        if b.marker is not None and abs(b.marker - time_progress) > 0.05:
            ax.plot([b.marker, b.marker], [i - 0.38, i + 0.38], color="#1565c0", linewidth=1.5)
    ax.axvline(time_progress, color="#1565c0", linestyle="--", linewidth=1.2)
    ax.text(time_progress, len(bars) - 0.4, f"时间进度{time_progress:.1f}%", color="#1565c0", fontsize=8,
            family=family, ha="center", va="bottom", bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    ax.set_yticks(list(y), [b.label for b in bars])
    ax.set_xlim(0, top * 1.15)
    ax.set_ylim(-0.6, len(bars) - 0.1)
    ax.set_xlabel("完成进度(%)")
    ax.set_title(title, fontsize=11, pad=14)
    levels = [lv for lv in ("green", "yellow", "red", "missing") if any(b.level == lv for b in bars)]
    if levels:
        from matplotlib.patches import Patch

        handles = [Patch(color=LEVEL_COLOURS[lv], label=LEVEL_NAMES[lv]) for lv in levels]
        ax.legend(handles=handles, loc="lower right", fontsize=8, prop={"family": family, "size": 8}, frameon=False)
    _style(ax, family)
    return _png(fig, [b.label for b in bars])


def growth_chart(title: str, bars: list[Bar]) -> bytes:
    """Year-on-year growth, sorted, growth in green and decline in red, zero line drawn."""
    family = font_family()
    bars = sorted(bars, key=lambda b: b.value)
    fig, ax = _figure(len(bars))
    y = list(range(len(bars)))
    ax.barh(y, [b.value for b in bars], color=["#2e7d32" if b.value >= 0 else "#c62828" for b in bars], height=0.6)
    span = max([1.0, *(abs(b.value) for b in bars)])
    for i, b in enumerate(bars):
        off = span * 0.015 if b.value >= 0 else -span * 0.015
        ax.text(b.value + off, i, (b.text or f"{b.value:.1f}") + "%", va="center", fontsize=8, family=family,
                ha="left" if b.value >= 0 else "right")
    ax.axvline(0, color="#424242", linewidth=0.8)
    lo = min([0.0, *(b.value for b in bars)])
    hi = max([0.0, *(b.value for b in bars)])
    ax.set_xlim(lo - span * 0.18 if lo < 0 else 0, hi + span * 0.18)
    ax.set_yticks(y, [b.label for b in bars])
    ax.set_xlabel("同比增速(%)")
    ax.set_title(title, fontsize=11)
    _style(ax, family)
    return _png(fig, [b.label for b in bars])


def ranking_chart(title: str, bars: list[Bar], unit: str, direction: str = "higher",
                  average: float | None = None) -> bytes:
    """Peers (the 街道 of a district) ranked best first from the top, with the average drawn."""
    family = font_family()
    # best on top: for lower-is-better the smallest value is best
    bars = sorted(bars, key=lambda b: b.value, reverse=(direction == "lower"))
    fig, ax = _figure(len(bars))
    y = list(range(len(bars)))
    ax.barh(y, [b.value for b in bars], color=[LEVEL_COLOURS.get(b.level, "#607d8b") for b in bars], height=0.6)
    top = max([1e-9, *(abs(b.value) for b in bars)])
    for i, b in enumerate(bars):
        ax.text(b.value + top * 0.01, i, (b.text or f"{b.value:g}") + unit, va="center", fontsize=8, family=family)
    if average is not None:
        ax.axvline(average, color="#1565c0", linestyle="--", linewidth=1.2)
        ax.text(average, len(bars) - 0.4, f"平均{average:.1f}{unit}", color="#1565c0", fontsize=8, family=family,
                ha="center", va="bottom")
    ax.set_yticks(y, [b.label for b in bars])  # the caller puts the engine's rank into the label
    ax.set_xlim(min(0, min(b.value for b in bars) * 1.15), top * 1.18)
    ax.set_ylim(-0.6, len(bars) - 0.1)
    ax.set_xlabel(unit)
    ax.set_title(title, fontsize=11, pad=14)
    _style(ax, family)
    return _png(fig, [b.label for b in bars])
