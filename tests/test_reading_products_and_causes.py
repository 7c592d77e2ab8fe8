"""What a customer notices when a message names two products, a fire nearby, loose packing, a brand's name."""

from __future__ import annotations

from collections.abc import Callable

from .conftest import MONDAY_10, Chat

ChatFactory = Callable[..., Chat]


def test_the_product_a_delivery_date_is_about_is_the_one_judged(chat: ChatFactory) -> None:
    # the recorder was delivered then; the disk inside it is only what fails
    reply = chat("poesec", now=MONDAY_10).say("our dvr was delivered in january 2024 and the hard disk is gone, free?")
    assert reply.startswith("It's out of warranty")
    assert "2 years" in reply
    vi = chat("poesec", now=MONDAY_10).say("đầu ghi giao tháng 1/2024, giờ không nhận ổ cứng, sửa miễn phí không?")
    assert "hết bảo hành" in vi


def test_a_disk_bought_with_a_recorder_follows_its_manufacturer(chat: ChatFactory) -> None:
    reply = chat("poesec", now=MONDAY_10).say("ổ cứng đi cùng đầu ghi thì bảo hành theo quy định nào?")
    assert "nhà sản xuất" in reply
    assert "phần mềm" not in reply.lower()


def test_a_fire_nearby_is_the_fire_exclusion(chat: ChatFactory) -> None:
    reply = chat("poesec", now=MONDAY_10).say("a fire at the building across the road warped my bullet cam, warranty?")
    assert "fire" in reply and "isn't covered" in reply


def test_a_vague_repair_reason_is_not_answered_with_yes(chat: ChatFactory) -> None:
    reply = chat("ktnc", now=MONDAY_10).say("the reason i gave on the form is just 'dead', does that do?")
    assert not reply.lower().startswith("yes")
    assert "basic tests" in reply


def test_packing_it_loosely_is_the_customers_risk(chat: ChatFactory) -> None:
    reply = chat("ktnc", now=MONDAY_10).say("we packed the nvr rather loosely and the courier broke it on the way")
    assert "not responsible" in reply and "packaging" in reply


def test_an_accessory_bought_with_cameras_is_the_accessory(chat: ChatFactory) -> None:
    reply = chat("poesec", now=MONDAY_10).say("the poe injector i bought with the cameras in march 2025 died. covered?")
    assert "manufacturer" in reply and "2 years" not in reply.split(".")[0], reply
