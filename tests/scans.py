"""Real scanned pages for the OCR tests and bench/bench_ocr.py.

A 公文 written here is typeset with a real CJK font into a 150 dpi greyscale
image, as a scanner would deliver it (slightly rotated, with speckle noise),
and wrapped in a PDF that has no text layer at all.
"""

from __future__ import annotations

import random
from pathlib import Path

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "/Library/Fonts", "C:/Windows/Fonts")
# fonts with Simplified Chinese glyphs, in order of preference
FONT_NAMES = ("wqy-microhei.ttc", "wqy-zenhei.ttc", "NotoSansCJK-Regular.ttc", "simsun.ttc")
DPI = 150
PAGE = (1240, 1754)  # A4 at 150 dpi

NUMBER = "云政办发〔2026〕7号"
PAGES: tuple[tuple[str, ...], ...] = (
    (
        "云山市人民政府办公室文件",
        NUMBER,
        "云山市人民政府办公室关于精简会议文件的通知",
        "各县（市、区）人民政府，市政府各部门：",
        "为切实减轻基层负担，经市政府同意，现就精简会议文件有关事项通知如下。",
        "一、严格控制发文数量。市政府各部门2026年正式发文总量比上年减少15%，"
        "由市政府办公室每季度通报一次。",
        "二、从严控制会议规模。全市性会议每次不超过2小时，参会人员不超过80人，"
        "不得层层开会、层层陪会。",
        "三、落实责任分工。市政府督查室负责跟踪落实，6月30日前将落实情况报市政府。",
        "云山市人民政府办公室",
        "2026年3月15日",
    ),
    (
        "四、规范文件格式。各部门印发的文件一律使用标准格式，篇幅原则上不超过5000字。",
        "五、加强监督检查。市政府办公室会同市纪委监委每半年开展一次专项检查，"
        "检查结果纳入年度考核。",
        "六、本通知自印发之日起施行，有效期三年。",
        "抄送：市委办公室，市人大常委会办公室，市政协办公室。",
        "云山市人民政府办公室2026年3月15日印发",
    ),
)


def cjk_font() -> Path | None:
    for folder in FONT_DIRS:
        for name in FONT_NAMES:
            found = sorted(Path(folder).rglob(name)) if Path(folder).is_dir() else []
            if found:
                return found[0]
    return None


def _wrapped(text: str, per_line: int, indent: bool) -> list[tuple[str, bool]]:
    """Lines of a paragraph; the first is indented by two characters like a body paragraph."""
    first = per_line - 2 if indent else per_line
    lines = [(text[:first], indent)]
    rest = text[first:]
    while rest:
        lines.append((rest[:per_line], False))
        rest = rest[per_line:]
    return lines


def render_page(paragraphs: tuple[str, ...], seed: int = 0):  # noqa: ANN201 - PIL Image
    """One scanned page: 16 pt body, 22 pt title lines, centred 版头, greyscale with noise."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    font_path = cjk_font()
    assert font_path is not None, "no CJK font installed (e.g. apt-get install fonts-wqy-microhei)"
    body = ImageFont.truetype(str(font_path), 33)  # 16 pt at 150 dpi
    large = ImageFont.truetype(str(font_path), 46)  # 22 pt
    image = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(image)
    left, width, y = 150, 28 * 33, 150
    for text in paragraphs:
        centred = text.endswith(("文件", "通知")) or text == NUMBER
        font = large if text.endswith(("文件", "通知")) else body
        if centred:
            size = font.getbbox(text)[2]
            draw.text(((PAGE[0] - size) // 2, y), text, font=font, fill=20)
            y += int(font.size * 1.9)
            continue
        signature = text.endswith(("办公室", "日")) and len(text) <= 15
        indent = not signature and not text.endswith("：") and not text.startswith("抄送")
        for line, indented in _wrapped(text, 28, indent):
            x = left + (2 * 33 if indented else 0)
            if signature:
                x = left + width - body.getbbox(line)[2] - 66
            draw.text((x, y), line, font=body, fill=20)
            y += 58
    rng = random.Random(seed)
    pixels = image.load()
    for _ in range(4000):  # scanner speckle
        pixels[rng.randrange(PAGE[0]), rng.randrange(PAGE[1])] = rng.choice((0, 120))
    image = image.rotate(0.4, fillcolor=255, resample=Image.BICUBIC)
    return image.filter(ImageFilter.GaussianBlur(0.6))


def write_scanned_pdf(
    path: Path, pages: tuple[tuple[str, ...], ...] = PAGES, seed: int = 0
) -> Path:
    """A PDF of image-only pages (no text layer), as a scanner writes it (noise from ``seed``)."""
    images = [render_page(page, seed + n) for n, page in enumerate(pages)]
    images[0].save(path, "PDF", resolution=DPI, save_all=True, append_images=images[1:])
    return path


def source_text(pages: tuple[tuple[str, ...], ...] = PAGES) -> str:
    return "".join("".join(page) for page in pages)
