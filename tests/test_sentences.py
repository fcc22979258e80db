"""The shared sentence splitter: boundaries, quotes, list items and offsets."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document as DocxDocument

from wenshan_audit.readers import read_document
from wenshan_audit.sentences import Sentence, is_list_item, of_document, split, split_document

SEEDS = Path("/work/shared/seeds")
SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def texts(text: str) -> list[str]:
    return [s.text for s in split(text)]


def test_terminators_and_newlines() -> None:
    assert texts("第一句。第二句！第三句？第四句；第五句\n第六句") == [
        "第一句。",
        "第二句！",
        "第三句？",
        "第四句；",
        "第五句",
        "第六句",
    ]


def test_repeated_terminators_stay_together() -> None:
    assert texts("真的吗？！是的。") == ["真的吗？！", "是的。"]


def test_full_stop_closing_a_quotation_ends_the_sentence_after_the_quote() -> None:
    text = "他强调：“要把力戒形式主义作为重要任务。”文山会海正是重灾区。"
    assert texts(text) == ["他强调：“要把力戒形式主义作为重要任务。”", "文山会海正是重灾区。"]


def test_full_stop_in_mid_quotation_does_not_split() -> None:
    text = "他说：“一是好。二是坏。”然后散会。"
    assert texts(text) == ["他说：“一是好。二是坏。”", "然后散会。"]


def test_nested_quotes() -> None:
    text = "通知指出：“明确‘不得拍照。’这一规定。”下一句。"
    assert texts(text) == ["通知指出：“明确‘不得拍照。’这一规定。”", "下一句。"]


def test_unpaired_quote_protects_nothing() -> None:
    assert texts("未闭合“引号。继续。") == ["未闭合“引号。", "继续。"]


def test_list_items_open_sentences() -> None:
    text = "主要有三点：一是建立制度，二是明确责任，三是加强督查。"
    assert texts(text) == ["主要有三点：", "一是建立制度，", "二是明确责任，", "三是加强督查。"]


def test_list_item_inside_a_word_is_not_a_marker() -> None:
    assert texts("统一是关键，唯一是目标。") == ["统一是关键，唯一是目标。"]


def test_numbered_items_but_not_decimals() -> None:
    text = "要求：1.建立台账，2.每日报送，3.5小时内完成。"
    assert texts(text) == ["要求：", "1.建立台账，", "2.每日报送，3.5小时内完成。"]


def test_parenthesised_items_and_articles() -> None:
    text = (
        "严禁下列行为：（一）要求拍照；(二)每日打卡\n"
        "第三条 本办法自发布之日起施行。依据第三条规定执行。"
    )
    assert texts(text) == [
        "严禁下列行为：",
        "（一）要求拍照；",
        "(二)每日打卡",
        "第三条 本办法自发布之日起施行。",
        "依据第三条规定执行。",
    ]


def test_list_marker_inside_quotes_is_not_split() -> None:
    assert texts("推行“一是一、二是二”的作风。") == ["推行“一是一、二是二”的作风。"]


def test_is_list_item() -> None:
    assert is_list_item("（一）要求拍照")
    assert is_list_item("二是明确责任")
    assert is_list_item("3、按时报送")
    assert not is_list_item("统一是关键")
    assert not is_list_item("2.5小时")


def test_blank_lines_and_spaces_are_trimmed() -> None:
    text = "  第一句。  \n\n\u3000第二句。"
    sentences = split(text)
    assert [s.text for s in sentences] == ["第一句。", "第二句。"]
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_range_arguments_give_offsets_into_the_whole_text() -> None:
    text = "前言。正文第一句。正文第二句。后记。"
    sentences = split(text, 3, 15)
    assert sentences == (Sentence(3, 9, "正文第一句。"), Sentence(9, 15, "正文第二句。"))


def test_returns_a_tuple_of_sentences() -> None:
    result = split("一句。")
    assert isinstance(result, tuple) and isinstance(result[0], Sentence)


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name)
def test_offsets_hold_on_the_seed_texts(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    sentences = split(text)
    assert sentences
    previous_end = 0
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text
        assert "\n" not in sentence.text and sentence.text.strip() == sentence.text
        assert sentence.start >= previous_end  # in order, never overlapping
        previous_end = sentence.end
    # every non-space character belongs to exactly one sentence
    covered = sum(len(s.text) for s in sentences)
    assert covered == sum(len(line.strip()) for line in text.split("\n"))


def test_document_sentences_leave_out_headers(tmp_path: Path) -> None:
    path = tmp_path / "draft.docx"
    docx = DocxDocument()
    docx.sections[0].header.paragraphs[0].text = "页眉：内部资料。"
    docx.add_paragraph("第一段第一句。第一段第二句。")
    docx.add_paragraph("第二段。")
    docx.save(str(path))
    doc = read_document(path)
    sentences = of_document(doc)
    assert [s.text for s in sentences] == ["第一段第一句。", "第一段第二句。", "第二段。"]
    assert all(doc.text[s.start : s.end] == s.text for s in sentences)
    assert of_document(doc) is sentences  # cached for the next check
    assert split_document(doc) == sentences


def test_gb18030_text_file_offsets(tmp_path: Path) -> None:
    path = tmp_path / "提示.txt"
    content = "关于做好安全工作的提示\n各村要加强巡查。严禁酒后驾驶！"
    path.write_bytes(content.encode("gb18030"))
    doc = read_document(path)
    sentences = of_document(doc)
    assert [s.text for s in sentences][-2:] == ["各村要加强巡查。", "严禁酒后驾驶！"]
    assert all(doc.text[s.start : s.end] == s.text for s in sentences)


def test_sample_pdf_sentences_match_the_text() -> None:
    pdfs = sorted((SAMPLES / "drafts").glob("*.pdf"))
    if not pdfs:
        pytest.skip("samples/drafts 中没有 PDF 样例")
    doc = read_document(pdfs[0])
    sentences = of_document(doc)
    assert len(sentences) > 5
    assert all(doc.text[s.start : s.end] == s.text for s in sentences)
