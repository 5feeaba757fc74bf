"""Loading problem files (parquet / JSONL / JSON) and the prompt template."""
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rlvr import data
from rlvr.data import DataError, Problem


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def test_parquet_problem_answer_with_ids_and_levels(tmp_path):
    path = tmp_path / "math500.parquet"
    pq.write_table(pa.table({
        "problem": ["What is $1+1$?", "Find $x$ if $2x=3$."],
        "answer": ["2", "\\frac{3}{2}"],
        "unique_id": ["test/algebra/1.json", "test/algebra/2.json"],
        "level": [1, 5],
    }), path)
    assert data.load_problems(str(path)) == [
        Problem("test/algebra/1.json", "What is $1+1$?", "2", 1),
        Problem("test/algebra/2.json", "Find $x$ if $2x=3$.", "\\frac{3}{2}", 5),
    ]


def test_parquet_solution_takes_last_boxed_with_nested_braces(tmp_path):
    path = tmp_path / "train.parquet"
    pq.write_table(pa.table({
        "problem": ["p1"],
        "solution": ["First \\boxed{1}, then finally $\\boxed{\\frac{\\sqrt{3}}{2}}$."],
        "level": ["Level 4"],
    }), path)
    (p,) = data.load_problems(str(path))
    assert p.answer == "\\frac{\\sqrt{3}}{2}"
    assert p.level == 4
    assert p.id == data.text_id("p1")


def test_jsonl_aliases_numbers_gsm8k_and_limit(tmp_path):
    path = _jsonl(tmp_path / "pool.jsonl", [
        {"question": "Q1", "answer": 17},
        {"question": "Q2", "answer": "Natalia sold 48/2 = 24 clips.\n#### 1,072"},
        {"question": "Q3", "answer": "3"},
    ])
    problems = data.load_problems(path)
    assert [(p.problem, p.answer, p.level) for p in problems] == [("Q1", "17", 0), ("Q2", "1072", 0), ("Q3", "3", 0)]
    assert [p.problem for p in data.load_problems(path, limit=2)] == ["Q1", "Q2"]


def test_benchmark_layouts_as_published(tmp_path):
    # AIME 2024 (capitalised columns), AMC23 (float answers), OlympiadBench (final_answer lists in $...$).
    aime = tmp_path / "aime24.parquet"
    pq.write_table(pa.table({"ID": ["2024-I-1"], "Problem": ["Every morning Aya walks..."],
                             "Solution": ["... so \\boxed{204}."], "Answer": [204]}), aime)
    assert data.load_problems(str(aime)) == [Problem("2024-I-1", "Every morning Aya walks...", "204")]
    amc = _jsonl(tmp_path / "amc23.jsonl", [{"id": 0, "question": "Cities A and B...", "answer": 27.0},
                                            {"id": 1, "question": "Half-integer?", "answer": 2.5}])
    assert [p.answer for p in data.load_problems(amc)] == ["27", "2.5"]
    olympiad = _jsonl(tmp_path / "olympiadbench.jsonl", [
        {"id": 7, "question": "Find x.", "final_answer": ["$\\frac{1}{2}$"], "solution": ["... $x=\\frac12$"]},
        {"id": 8, "question": "Find a and b.", "final_answer": ["$a=1$", "$b=2$"]},
    ])
    assert [(p.id, p.answer) for p in data.load_problems(olympiad)] == [("7", "\\frac{1}{2}"), ("8", "a=1, b=2")]


def test_hash_ids_are_stable_and_repeated_texts_stay_unique(tmp_path):
    path = _jsonl(tmp_path / "pool.jsonl", [{"problem": "same", "answer": "1"}, {"problem": "same", "answer": "1"}])
    first, second = data.load_problems(path)
    assert first.id == data.text_id("same") == data.load_problems(path)[0].id
    assert second.id == first.id + "-2"


def test_json_array_wrapper_and_hf_json_lines(tmp_path):
    rows = [{"prompt": "A", "answer": "1"}, {"prompt": "B", "solution": "so \\boxed{-2}"}]
    array = tmp_path / "a.json"
    array.write_text(json.dumps(rows, indent=2))
    wrapped = tmp_path / "b.json"
    wrapped.write_text(json.dumps({"data": rows}))
    lines = tmp_path / "c.json"  # what datasets' Dataset.to_json writes
    _jsonl(lines, rows)
    for path in (array, wrapped, lines):
        assert [(p.problem, p.answer) for p in data.load_problems(str(path))] == [("A", "1"), ("B", "-2")], path


def test_write_problems_round_trips(tmp_path):
    problems = [Problem("a", "Compute 1/2+1/4.", "\\frac{3}{4}", 7), Problem("b", "x", "-12", 3)]
    path = str(tmp_path / "sub" / "pool.jsonl")
    data.write_problems(path, problems)
    assert data.load_problems(path) == problems
    assert [f.name for f in (tmp_path / "sub").iterdir()] == ["pool.jsonl"]  # no temp file left behind


@pytest.mark.parametrize("rows, message", [
    ([{"problem": "a", "answer": "1"}, {"text": "b", "answer": "2"}], r"line 2: missing column 'problem'"),
    ([{"problem": "a", "answer": " "}], r"line 1: column 'answer' is empty"),
    ([{"problem": "a", "answer": None}], r"line 1: column 'answer' must be a string or number"),
    ([{"problem": "a"}], r"line 1: missing column 'answer' \(or 'final_answer', or 'solution'"),
    ([{"problem": "a", "final_answer": []}], r"line 1: column 'final_answer' is an empty list"),
    ([{"problem": "a", "final_answer": ["1", None]}], r"line 1 \(item 1\): column 'final_answer' must be a string"),
    ([{"problem": "a", "solution": "no box here"}], r"line 1: column 'solution' has no non-empty \\boxed"),
    ([{"problem": "a", "solution": "\\boxed{\\frac{1}{2}"}], r"line 1: column 'solution': unbalanced braces"),
    ([{"question": "a", "prompt": "b", "answer": "1"}], r"line 1: .*ambiguous"),
    ([{"problem": "a", "answer": "1", "id": "x"}, {"problem": "b", "answer": "2", "id": "x"}],
     r"line 2: duplicate id 'x' \(first seen at .*line 1\)"),
    ([["not", "an", "object"]], r"line 1: expected an object"),
])
def test_jsonl_errors_name_file_line_and_expectation(tmp_path, rows, message):
    path = _jsonl(tmp_path / "bad.jsonl", rows)
    with pytest.raises(DataError, match=r"bad\.jsonl: " + message):
        data.load_problems(path)


def test_bad_json_line_is_reported_with_its_number(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"problem": "a", "answer": "1"}\n\n{"problem": "b", "answer": \n')
    with pytest.raises(DataError, match=r"bad\.jsonl: line 3: bad JSON"):
        data.load_problems(str(path))
    broken_array = tmp_path / "bad.json"
    broken_array.write_text('[\n  {"problem": "a", "answer": "1"},\n  {"problem": }\n]')
    with pytest.raises(DataError, match=r"bad\.json: line 3: bad JSON"):
        data.load_problems(str(broken_array))


def test_parquet_errors_name_the_row(tmp_path):
    path = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"problem": ["a", "b"], "answer": ["1", ""]}), path)
    with pytest.raises(DataError, match=r"bad\.parquet: row 1: column 'answer' is empty"):
        data.load_problems(str(path))
    garbage = tmp_path / "garbage.parquet"
    garbage.write_bytes(b"not parquet at all")
    with pytest.raises(DataError, match=r"garbage\.parquet: not a readable parquet file"):
        data.load_problems(str(garbage))


def test_file_level_errors(tmp_path):
    with pytest.raises(DataError, match=r"missing\.jsonl: no such file"):
        data.load_problems(str(tmp_path / "missing.jsonl"))
    csv = tmp_path / "pool.csv"
    csv.write_text("problem,answer\n")
    with pytest.raises(DataError, match=r"pool\.csv: unsupported extension '\.csv'"):
        data.load_problems(str(csv))
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    with pytest.raises(DataError, match=r"empty\.jsonl: no problems found"):
        data.load_problems(str(empty))
    with pytest.raises(ValueError, match=r"limit must be >= 1"):
        data.load_problems(str(empty), limit=0)


def test_last_boxed():
    assert data.last_boxed("\\boxed{1} and \\boxed{\\{1, 2\\}}") == "\\{1, 2\\}"
    assert data.last_boxed("\\fbox{7}") == "7"
    assert data.last_boxed("no answer") is None
    assert data.last_boxed("so $x = \\boxed 9$.") == "9"  # TeX's braceless form, as MATH train writes it
    assert data.last_boxed("\\boxedx{9}") is None


def test_first_boxed():
    assert data.first_boxed("The answer is \\boxed{17}. Wait, \\boxed{23}.") == "17"
    assert data.first_boxed("\\fbox{\\frac{1}{2}} then \\boxed{3}") == "\\frac{1}{2}"
    assert data.first_boxed("no answer") is None
    with pytest.raises(ValueError, match="first"):
        data.first_boxed("\\boxed{\\frac{1}{2} and \\boxed{3}")


def _tokenizer(chat_template=None):
    """A real transformers tokenizer (a one-word vocabulary is enough: only the template is exercised)."""
    from tokenizers import Tokenizer, models
    from transformers import PreTrainedTokenizerFast

    tok = PreTrainedTokenizerFast(tokenizer_object=Tokenizer(models.WordLevel({"<unk>": 0}, unk_token="<unk>")))
    tok.chat_template = chat_template
    return tok


def test_format_prompt_plain_and_chat():
    plain = data.format_prompt("Compute 1+1.")
    assert plain == "Give the final answer in \\boxed{}.\nQuestion: Compute 1+1.\nAnswer:"
    assert data.format_prompt("Compute 1+1.", _tokenizer()) == plain
    template = ("{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}{% endfor %}"
                "{% if add_generation_prompt %}<assistant>{% endif %}")
    chat = data.format_prompt("Compute 1+1.", _tokenizer(template))
    assert chat == f"<user>Compute 1+1.\n{data.INSTRUCTION}<assistant>"
