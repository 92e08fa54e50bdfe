"""The one ``Console``: rich's tables and questions on a terminal, the plain lines otherwise."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from released_intacct.app.cli.shell import Console
from released_intacct.domain.secret import Secret

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _answers(*given: str, asked: list[str]) -> Callable[[str], str]:
    left = list(given)

    def ask(prompt: str) -> str:
        asked.append(prompt)
        if not left:
            raise EOFError
        return left.pop(0)

    return ask


def _console(
    *, tty: bool, answers: tuple[str, ...] = (), asked: list[str] | None = None
) -> Console:
    return Console(
        out=io.StringIO(),
        err=io.StringIO(),
        ask=_answers(*answers, asked=[] if asked is None else asked),
        interactive=True,
        tty=tty,
    )


def _out(console: Console) -> str:
    assert isinstance(console.out, io.StringIO)
    return console.out.getvalue()


def test_E1_a_table_is_rich_s_on_a_terminal_and_the_plain_lines_otherwise() -> None:
    rows = [("inv-1", "D13 [refused]"), ("inv-2", "ok")]
    plain = ["RECORD  RULE", "inv-1   D13 [refused]", "inv-2   ok"]
    piped = _console(tty=False)
    piped.table(("RECORD", "RULE"), rows, plain=plain)
    assert _out(piped) == "\n".join(plain) + "\n"
    drawn = _console(tty=True)
    drawn.table(("RECORD", "RULE"), rows, plain=plain)
    said = ANSI.sub("", _out(drawn))
    assert "┃ RECORD ┃ RULE" in said
    assert "│ inv-1  │ D13 [refused] │" in said  # a cell is text, never markup
    assert said != "\n".join(plain) + "\n"


def test_a_table_with_no_rows_is_the_plain_lines_even_on_a_terminal() -> None:
    drawn = _console(tty=True)
    drawn.table(("RECORD",), [], plain=["no results"])
    assert _out(drawn) == "no results\n"


def test_a_question_on_a_terminal_is_rich_s_confirm_read_through_the_console_s_ask() -> None:
    asked: list[str] = []
    console = _console(tty=True, answers=("maybe", "y"), asked=asked)
    assert console.confirm("Confirm? The link can never be changed afterwards (rule C1)")
    said = ANSI.sub("", _out(console))
    assert "Confirm? The link can never be changed afterwards (rule C1) [y/n] (n):" in said
    assert "Please enter Y or N" in said  # "maybe" is asked again
    assert len(asked) == 2


def test_no_answer_is_no_on_a_terminal_and_off_it() -> None:
    assert not _console(tty=True).confirm("Checked it?")
    assert not _console(tty=False).confirm("Checked it?")


def test_a_question_off_a_terminal_is_the_plain_prompt_as_today() -> None:
    asked: list[str] = []
    console = _console(tty=False, answers=("Yes",), asked=asked)
    assert console.confirm("  Checked it is as needed (items)?")
    assert asked == ["  Checked it is as needed (items)? [y/N] "]
    assert _out(console) == ""
    asked.clear()
    chooser = _console(tty=False, answers=(" A ",), asked=asked)
    assert chooser.question("match N, a = archive in Re-Leased: ") == "a"
    assert asked == ["match N, a = archive in Re-Leased: "]


def test_a_free_question_on_a_terminal_is_rich_s_prompt() -> None:
    console = _console(tty=True, answers=(" 2 ",))
    assert console.question("match N, a = archive in Re-Leased: ") == "2"
    assert "match N, a = archive in Re-Leased:" in ANSI.sub("", _out(console))


def test_C2_a_secret_never_reaches_the_output_plain_or_rich() -> None:
    for tty in (False, True):
        console = _console(tty=tty)
        console.secrets.append(Secret("hunter2-s3cret"))
        console.say("sent hunter2-s3cret")
        console.table(("WHAT",), [("key hunter2-s3cret",)], plain=["key hunter2-s3cret"])
        said = _out(console)
        assert "hunter2-s3cret" not in said, tty
        assert said.count("**********") == 2, tty
