"""One bot serving several brands: the customer is asked which brand, a deep link chooses, /brand switches."""

from __future__ import annotations

from bot.engine import Engine, Message, Reply

BOTH = ("kimpok", "ktnc")
WARRANTY = "how long is the warranty?"


def send(
    engine: Engine, text: str | None = None, *, press: str | None = None, user: str = "tg:42", **kw: object
) -> str:
    replies: list[Reply] = engine.handle(Message(user=user, text=text, press=press, brands=BOTH, **kw))  # type: ignore[arg-type]
    return "\n".join(r.text for r in replies)


def buttons(engine: Engine, text: str | None = None, *, press: str | None = None) -> list[tuple[str, str]]:
    replies = engine.handle(Message(user="tg:42", text=text, press=press, brands=BOTH))
    return [(b.label, b.data) for r in replies for b in r.buttons]


def test_first_message_asks_which_brand_with_a_button_each(engine: Engine) -> None:
    assert buttons(engine, WARRANTY) == [("Kimpok", "brand:kimpok"), ("KT&C", "brand:ktnc")]
    assert "Which brand" in engine.handle(Message(user="tg:42", text="hello", brands=BOTH))[0].text


def test_the_question_is_in_the_customers_language(engine: Engine) -> None:
    replies = engine.handle(Message(user="tg:7", text="保修多久？", brands=BOTH, language="zh-hans"))
    assert "哪个品牌" in replies[0].text


def test_the_question_asked_before_the_choice_is_answered_for_the_brand_chosen(engine: Engine) -> None:
    send(engine, WARRANTY)
    assert "3 years" in send(engine, press="brand:ktnc")
    assert "Kimpok after-sales assistant" in send(engine, "/start kimpok")  # welcome: nothing was held
    assert "1 year" in send(engine, WARRANTY)
    assert engine.conversation("tg:42").state.held is None


def test_a_deep_link_does_not_answer_a_held_question(engine: Engine) -> None:
    send(engine, WARRANTY)
    welcome = send(engine, "/start kimpok")
    assert "Kimpok after-sales assistant" in welcome and "1 year" not in welcome
    assert "Which brand" not in send(engine, "hello")


def test_pressing_a_brand_then_asking_gets_that_brands_answer(engine: Engine) -> None:
    send(engine, "/start")
    assert "KT&C after-sales assistant" in send(engine, press="brand:ktnc")
    assert "3 years" in send(engine, WARRANTY)
    assert engine.conversation("tg:42").brand == "ktnc"
    assert engine.conversation("tg:42").state.brand == "ktnc"


def test_deep_link_chooses_the_brand_and_is_remembered(engine: Engine) -> None:
    welcome = send(engine, "/start kimpok")
    assert "Kimpok after-sales assistant" in welcome
    answer = send(engine, WARRANTY)
    assert "1 year" in answer and "Which brand" not in answer
    assert "1 year" in send(engine, WARRANTY)  # still remembered on the next turn


def test_switching_brand_with_start_payload_or_brand_command(engine: Engine) -> None:
    send(engine, "/start kimpok")
    assert "Which brand" in send(engine, "/brand")
    send(engine, press="brand:ktnc")
    assert "3 years" in send(engine, WARRANTY)
    send(engine, "/start kimpok")
    assert "1 year" in send(engine, WARRANTY)


def test_unknown_brand_in_a_deep_link_is_a_polite_word_with_the_choices(engine: Engine) -> None:
    replies = engine.handle(Message(user="tg:42", text="/start acme", brands=BOTH))
    assert 'doesn\'t serve "acme"' in replies[0].text and "Kimpok, KT&C" in replies[0].text
    assert [b.data for b in replies[-1].buttons] == ["brand:kimpok", "brand:ktnc"]
    assert "Traceback" not in replies[0].text


def test_a_bot_with_one_brand_never_asks(engine: Engine) -> None:
    replies = engine.handle(Message(user="tg:9", text=WARRANTY, brands=("ktnc",), brand="ktnc"))
    assert "3 years" in replies[0].text
    replies = engine.handle(Message(user="tg:10", text=WARRANTY))
    assert "Which brand" not in replies[0].text


def test_brands_keep_customers_apart(engine: Engine) -> None:
    send(engine, "/start ktnc", user="tg:1")
    send(engine, "/start kimpok", user="tg:2")
    assert "3 years" in send(engine, WARRANTY, user="tg:1")
    assert "1 year" in send(engine, WARRANTY, user="tg:2")
