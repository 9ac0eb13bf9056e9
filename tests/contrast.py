"""WCAG 2.x contrast of CSS colours, for the tests that check what the stylesheets set."""
import re
from pathlib import Path

CSS_DIR = Path(__file__).resolve().parent.parent / "assets" / "css"


def parse_colour(text: str) -> tuple[float, float, float, float]:
    """#rgb, #rrggbb, rgb(...) or rgba(...) -> (r, g, b, alpha) with r, g, b in 0..255."""
    text = text.strip().lower()
    if text.startswith("#"):
        digits = text[1:]
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16), 1.0
    numbers = [float(n) for n in re.findall(r"[\d.]+", text)]
    if text.startswith(("rgb(", "rgba(")) and len(numbers) in (3, 4):
        return numbers[0], numbers[1], numbers[2], numbers[3] if len(numbers) == 4 else 1.0
    raise ValueError(f"not a colour: {text!r}")


def over(colour, background) -> tuple[float, float, float, float]:
    """A translucent colour as it shows over an opaque background."""
    r, g, b, alpha = colour
    return (r * alpha + background[0] * (1 - alpha), g * alpha + background[1] * (1 - alpha),
            b * alpha + background[2] * (1 - alpha), 1.0)


def relative_luminance(colour) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground, background) -> float:
    """(L1 + 0.05) / (L2 + 0.05); a translucent foreground is first laid over the background."""
    foreground = over(foreground, background)
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def css_variables(filename: str) -> dict[str, str]:
    """The custom properties (--name: value) a stylesheet in assets/css declares, comments removed."""
    text = re.sub(r"/\*.*?\*/", "", (CSS_DIR / filename).read_text(encoding="utf-8"), flags=re.S)
    return {name: value.strip() for name, value in re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", text)}
