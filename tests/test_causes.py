"""What a customer says happened to a product, read into causes of damage and the brand's own clause.

A table of everyday descriptions in English (sloppy too), Chinese and Vietnamese (with and without
diacritics), each with the situation tags it must produce. Each is read with every brand pack that has a
warranty exclusion for the tag, and that brand's clause must be the one found. Then near-misses: the same
words meaning something else, a cause the customer denies, symptoms that are no cause at all.
"""

from __future__ import annotations

import tomllib
from datetime import datetime

import pytest

from bot.knowledge.packs import load_packs
from bot.policy import verdicts as policy
from bot.understand.situation import Situation, SituationReader

from .conftest import ROOT

PACKS = load_packs(ROOT / "policies")
READER = SituationReader(ROOT / "faq" / "_common" / "matching" / "situations.toml")
NOW = datetime.fromisoformat("2026-11-23T10:00:00+08:00")


def _clause_brands(tag: str) -> list[str]:
    """The brands with a warranty exclusion for ``tag`` (as the policy layer finds them)."""
    return [b for b, pack in sorted(PACKS.items()) if policy.exclusions(pack, Situation(events=frozenset({tag})))]


with (ROOT / "faq" / "_common" / "matching" / "situations.toml").open("rb") as _handle:
    EVENTS: dict[str, list[str]] = tomllib.load(_handle)["events"]  # the tags the reader gives, and their patterns
with (ROOT / "policies" / "_vocabulary.toml").open("rb") as _handle:
    VOCABULARY = frozenset(tomllib.load(_handle)["situation_tags"])
# Tags some brand's warranty exclusion names: what the bot can hold against a repair.
CAUSE_TAGS = frozenset(t for t in VOCABULARY if _clause_brands(t))
# Causes of physical damage: each must be described in English, Chinese and Vietnamese below.
DAMAGE = frozenset(
    {"drop", "impact", "mechanical", "accident", "man_made", "vandalism", "water", "flood", "damp", "rust",
     "lightning", "fire", "earthquake", "typhoon", "nature", "power_surge", "wrong_power", "cut_cables",
     "cut_connectors", "own_hdd", "opened", "modified", "unauthorised_repair", "software_modified",
     "seal_broken", "serial_removed", "rodents", "insects", "animals", "shipping_damage",
     "improper_installation", "improper_environment", "misuse", "scratch"}
)  # fmt: skip

# (language, what the customer wrote, the tags it must produce)
CASES: list[tuple[str, str, set[str]]] = [
    ("en", "my son pulled the camera off the wall while playing ball, cable ripped out", {"man_made", "accessory"}),
    # -- plain words of first-time customers ---------------------------------------------------------------
    ("en", "i used the charger from my old router to give power to the camera, now camera dead", {"wrong_power"}),
    ("en", "we put one camera in the kitchen next to the big oven, now it die after 2 month", {"improper_environment"}),
    ("en", "the little sticker on the screw come off when i clean the camera", {"seal_broken"}),
    ("en", "the little silver sticker with the numbers on the back is scratch and cant read", {"serial_removed"}),
    ("en", "the dealer lend us one device for try before we buy, and it stop working", {"borrowed"}),
    ("en", "i pay half now and half next month", {"unpaid"}),
    ("en", "the shop stuck their own sticker over the warranty seal", {"seal_broken"}),
    ("zh", "邻居小孩用弹弓把摄像头打坏了", {"vandalism"}),
    ("zh", "产品上贴的电话号码和保修卡上的不一样", {"phone_mismatch"}),
    # -- English, as people write it ------------------------------------------------------------------------
    ("en", "the camera fell off the pole while I was cleaning it", {"drop"}),
    ("en", "i dropped the NVR when moving house, now no video", {"drop"}),
    ("en", "dropped my camera off the ladder, covered?", {"drop"}),
    ("zh", "快递运输过程中把我的录像机摔坏了，能保修吗？", {"shipping_damage"}),
    ("en", "cam got knocked over during the renovation", {"drop"}),
    ("en", "it fall down from the wall last week, still warranty?", {"drop"}),
    ("en", "accidentally knocked it off the desk", {"accident", "drop"}),
    ("en", "a truck hit the pole and the camera hangs there now", {"impact"}),
    ("en", "the dome is cracked after a football hit it", {"mechanical", "impact"}),
    ("en", "my worker hit it with a ladder, its man-made damage i know", {"man_made", "impact"}),
    ("en", "kids smashed my camera with a rock", {"vandalism"}),
    ("en", "nothing wrong with it, i just changed my mind", {"no_fault"}),
    ("zh", "买了三天不想要了", {"no_fault"}),
    ("vi", "mua nham mau, khong can nua", {"no_fault"}),
    ("en", "the camera arrived with a cracked housing from shipping", {"shipping_damage"}),
    ("en", "lens came scratched from the delivery", {"shipping_damage"}),
    ("en", "ppl threw rocks at our cams last night", {"vandalism"}),
    ("en", "somebody stole the camera and ripped out the cable", {"vandalism"}),
    ("en", "vandals spray painted the lens", {"vandalism"}),
    ("en", "thieves cut the cables to the cameras before the break-in", {"vandalism", "cut_cables"}),
    ("en", "the installer cut the connector off and twisted the wires together", {"cut_connectors"}),
    ("en", "our electrician cut the cable to make it shorter", {"cut_cables"}),
    ("en", "we put our own hard drive in the DVR", {"own_hdd"}),
    ("en", "swapped in a 4TB hard drive I had lying around", {"own_hdd"}),
    ("en", "coffee got spilled into the NVR", {"water"}),
    ("en", "water got inside the lens after the heavy rain", {"water"}),
    ("en", "the camera got wet and now the picture is foggy", {"water"}),
    ("en", "the basement flooded and the recorder was under water for a day", {"flood"}),
    ("en", "there is condensation inside the dome every morning", {"damp"}),
    ("en", "the connectors are rusty and corroded", {"rust"}),
    ("en", "lightning struck the house last night and the nvr is dead", {"lightning"}),
    ("en", "after a thunderstorm the nvr wont turn on", {"lightning", "storm"}),
    ("en", "a power surge fried the recorder", {"power_surge"}),
    ("en", "we had a power spike after the storm, two cams died", {"power_surge", "storm"}),
    ("en", "plugged the 12v camera into 220v by mistake", {"wrong_power", "accident"}),
    ("en", "used a wrong adapter from another device", {"wrong_power"}),
    (
        "en",
        "my old phone number is on the warranty card and the sticker on the product shows my new number",
        {"phone_mismatch"},
    ),
    ("en", "electrician connect 24V to the camera that is 12V, smoke come out", {"wrong_power"}),
    ("en", "the electrician fed 24V into another 12V camera while rewiring", {"wrong_power"}),
    ("en", "I switched to a cheap adapter and it burned", {"wrong_power"}),
    # a trial that did the harm is the cause ("tried" alone is no troubleshooting)
    ("en", "I tried using a different adapter and the camera burned out immediately", {"wrong_power"}),
    ("en", "Tried to plug it into a 24V universal power supply and the power board blew", {"wrong_power"}),
    ("en", "I tried powering it with a laptop charger and the camera died", {"wrong_power"}),
    ("en", "Trying to save space I used my own hard drive in the DVR", {"own_hdd"}),
    ("zh", "试过用别的电源适配器，摄像头就烧了", {"wrong_power"}),
    ("en", "my nephew opened it and tried to fix the board", {"unauthorised_repair", "opened"}),
    ("en", "took it to a local repair shop, they couldnt fix it", {"unauthorised_repair"}),
    ("en", "I opened the housing to clean the sensor", {"opened"}),
    ("en", "we took it apart to check the fan", {"opened"}),
    ("en", "the unit has been tampered with", {"tampered"}),
    ("en", "we modified the bracket and drilled a hole in the housing", {"modified"}),
    ("en", "flashed custom firmware on the nvr and now it won't boot", {"software_modified"}),
    ("en", "the warranty seal is broken", {"seal_broken"}),
    ("en", "the serial sticker has been peeled off", {"serial_removed"}),
    ("en", "the serial number on the card doesn't match the unit", {"serial_mismatch"}),
    ("en", "rats chewed through the power cable", {"rodents"}),
    ("en", "ants made a nest inside the camera housing", {"insects"}),
    ("en", "geckos got inside the camera and shorted the board", {"animals"}),
    ("en", "a house fire damaged the recorder", {"fire"}),
    ("en", "the typhoon last week broke two cameras", {"typhoon", "nature"}),
    ("en", "the earthquake knocked the NVR off the shelf", {"earthquake", "nature"}),
    ("en", "the camera arrived damaged, the box was crushed", {"shipping_damage"}),
    ("en", "we used an indoor camera outside under the eaves", {"improper_environment"}),
    ("en", "the installer mounted it upside down without a junction box", {"improper_installation"}),
    ("en", "we didn't follow the manual when wiring it", {"not_following_instructions"}),
    ("en", "the staff misused it, they used it as a doorstop", {"misuse"}),
    ("en", "cleaned the dome with acetone and now it's cloudy", {"improper_maintenance"}),
    ("en", "kept it in a damp garage for a year before installing", {"improper_storage", "damp"}),
    ("en", "it was damaged in the war, shelling hit the building", {"war"}),
    ("en", "scratched the lens while wiping it", {"scratch"}),
    ("en", "a third-party PoE switch burnt the port", {"third_party"}),
    ("en", "I lost the receipt and the warranty card", {"no_receipt", "no_warranty_card"}),
    ("en", "the seller never wrote the serial or the date on the warranty card", {"card_incomplete"}),
    ("en", "the phone number on the sticker is different from the card", {"phone_mismatch"}),
    ("en", "just normal wear and tear, the paint is peeling", {"wear"}),
    ("en", "only cosmetic damage on the housing", {"cosmetic"}),
    ("en", "found some scratches on the lens cover when i unpacked it", {"cosmetic"}),
    ("zh", "开箱后发现外壳有划痕", {"cosmetic"}),
    ("en", "the battery doesn't hold a charge anymore", {"consumables"}),
    ("en", "the battery on my monocular only lasts 1 hour now", {"consumables"}),
    ("en", "I formatted the disk and lost all the recordings", {"data_loss"}),
    ("en", "the free CMS software keeps crashing", {"free_software"}),
    ("en", "bought it from a grey market seller online", {"unauthorised_source"}),
    ("en", "we only paid the deposit so far", {"unpaid"}),
    ("en", "it's a borrowed unit from the distributor", {"borrowed"}),
    ("en", "kept it in the car boot all summer", {"improper_storage"}),
    ("en", "it was poorly packed, no bubble wrap at all", {"transit_packaging"}),
    # as customers who write English as a second language put it
    ("en", "I painted camera housing black and drill small hole for put extra LED light", {"modified"}),
    ("en", "electrician connect the camera not the adapter from the box, smoke came out", {"wrong_power"}),
    ("en", "if it get damage from storage is covered?", {"improper_storage"}),
    ("en", "i send camera in thin envelope and it arrive broken at you", {"transit_packaging"}),
    ("en", "my son knocked the wifi cam off the fence into the pool", {"drop", "water"}),
    # a denial stops at the clause's end, and one handed to someone else tells it happened (a third review)
    ("en", "I didn't modify it, lightning hit the house and it died", {"lightning"}),
    ("en", "didn't fall, kid dropped it", {"drop"}),
    ("en", "won't lie, I dropped it", {"drop"}),
    ("en", "I didn't cut the cables, the installer did", {"cut_cables"}),
    ("en", "why don't you cover water damage?", {"water"}),
    ("zh", "没拆过，台风把它吹坏了", {"typhoon"}),
    ("vi", "không tháo ra, bị sét đánh hỏng", {"lightning"}),
    ("vi", "khong bi roi, nhung bi vao nuoc", {"water"}),
    ("en", "the earthquake last night knocked it off, then a storm", {"earthquake", "storm"}),
    # -- Chinese ----------------------------------------------------------------------------------------
    ("zh", "摄像头进水了，还保修吗", {"water"}),
    ("zh", "录像机上洒了一杯咖啡", {"water"}),
    ("zh", "下大雨被淋了，现在没画面", {"water"}),
    ("zh", "屋顶漏水滴到录像机上", {"water"}),
    ("zh", "镜头里面起雾了，应该是受潮", {"damp"}),
    ("zh", "接口都生锈了", {"rust"}),
    ("zh", "上周被雷劈了", {"lightning"}),
    ("zh", "打雷后录像机就坏了", {"lightning"}),
    ("zh", "停电后来电就开不了机", {"power_surge"}),
    ("zh", "电压不稳把电源烧了", {"power_surge"}),
    ("zh", "接错电源了，把12V的摄像头插到220V上", {"wrong_power"}),
    ("zh", "用了非原装的适配器", {"wrong_power"}),
    ("zh", "不小心摔了一下", {"accident", "drop"}),
    ("zh", "从梯子上掉下来了", {"drop"}),
    ("zh", "被车撞了", {"impact"}),
    ("zh", "被人砸坏了", {"vandalism"}),
    ("zh", "摄像头被偷了", {"vandalism"}),
    ("zh", "熊孩子扔石头砸的", {"vandalism"}),
    ("zh", "老鼠把线咬断了", {"rodents"}),
    ("zh", "里面有好多蚂蚁，做了窝", {"insects"}),
    ("zh", "虫子钻进去了", {"insects"}),
    ("zh", "装修工人把线剪了", {"cut_cables"}),
    ("zh", "安装师傅把接头剪掉了", {"cut_connectors"}),
    ("zh", "自己拆开看过", {"opened"}),
    ("zh", "拿去外面维修店修过", {"unauthorised_repair"}),
    ("zh", "找朋友修了一下", {"unauthorised_repair"}),
    ("zh", "保修贴撕了", {"seal_broken"}),
    ("zh", "封条破了", {"seal_broken"}),
    ("zh", "序列号标签磨掉了看不清", {"serial_removed"}),
    ("zh", "用的是自己买的硬盘", {"own_hdd"}),
    ("zh", "刷了第三方固件以后开不了机", {"software_modified"}),
    ("zh", "台风把摄像头吹掉了", {"typhoon", "nature"}),
    ("zh", "地震以后录像机不亮了", {"earthquake", "nature"}),
    ("zh", "仓库发大水被淹了", {"flood"}),
    ("zh", "火灾把录像机烧坏了", {"fire"}),
    ("zh", "快递运输途中摔坏了", {"shipping_damage"}),
    ("vi", "camera bị vỡ trong lúc vận chuyển tới nhà", {"shipping_damage"}),
    ("vi", "dau ghi bi mop khi giao hang", {"shipping_damage"}),
    ("zh", "室内机装在室外了", {"improper_environment"}),
    ("zh", "使用不当造成的", {"misuse"}),
    ("zh", "没按说明书接线", {"not_following_instructions"}),
    ("zh", "这是人为损坏", {"man_made"}),
    ("zh", "外壳裂了", {"mechanical"}),
    ("zh", "镜头划伤了", {"scratch"}),
    ("zh", "有壁虎钻进去了", {"animals"}),
    ("zh", "安装不当，线接错了", {"improper_installation"}),
    ("zh", "私自改装过电路", {"modified"}),
    ("zh", "被狗咬坏了电源线", {"animals"}),
    ("zh", "保养不当，用酒精擦了镜头", {"improper_maintenance"}),
    # -- Vietnamese, with and without diacritics ----------------------------------------------------------
    ("vi", "camera bị vô nước sau trận mưa", {"water"}),
    ("vi", "camera bi vo nuoc", {"water"}),
    ("vi", "đầu ghi bị ướt hết", {"water"}),
    ("vi", "lỡ tay làm đổ cà phê vào đầu ghi", {"water", "accident"}),
    ("vi", "nha bi ngap nuoc, dau ghi ngam trong nuoc ca ngay", {"flood", "water"}),
    ("vi", "camera bị ẩm, ống kính bị mờ hơi nước", {"damp"}),
    ("vi", "chan cam bi gi set", {"rust"}),
    ("vi", "camera bị sét đánh", {"lightning"}),
    ("vi", "sau con bao so 3 camera khong len hinh", {"typhoon", "nature"}),
    # a storm that did something, the sentence starting with it, and no "con bao" before it
    ("vi", "bao quat gay gia do, dau ghi bi hong", {"typhoon", "nature"}),
    ("vi", "bão làm sập mái, camera không lên hình", {"typhoon", "nature"}),
    ("vi", "tuan truoc bao quet qua, cot dien do de len camera, vo het", {"typhoon", "nature"}),  # swept through
    ("vi", "bão đổ bộ vào tối qua, camera mất hình", {"typhoon", "nature"}),
    ("vi", "động đất làm nứt tường, camera hỏng", {"earthquake", "nature"}),
    ("vi", "camera bi chuot can dut day", {"rodents"}),
    ("vi", "chuột gặm dây nguồn", {"rodents"}),
    ("vi", "kiến làm tổ trong camera", {"insects"}),
    ("vi", "co con trung chui vao ben trong", {"insects"}),
    ("vi", "thằn lằn chui vào camera", {"animals"}),
    ("vi", "tho lap dat cat day cap", {"cut_cables"}),
    ("vi", "thợ cắt mất đầu jack của camera", {"cut_connectors"}),
    ("vi", "tôi tự tháo ra xem", {"opened"}),
    ("vi", "mang ra tiem sua ngoai roi", {"unauthorised_repair"}),
    ("vi", "nhờ thợ bên ngoài sửa", {"unauthorised_repair"}),
    ("vi", "tem bảo hành bị rách", {"seal_broken"}),
    ("vi", "lo boc tem bao hanh", {"seal_broken"}),
    ("vi", "tem serial bi mo khong doc duoc", {"serial_removed"}),
    ("vi", "cắm nhầm nguồn 24V", {"wrong_power"}),
    ("vi", "sụt điện áp xong camera chết luôn", {"power_surge"}),
    ("vi", "dien chap chon nen dau ghi hu", {"power_surge"}),
    ("vi", "camera bi dap pha", {"vandalism"}),
    ("vi", "bi trom mat camera", {"vandalism"}),
    ("vi", "lam roi camera tu tren cao xuong", {"drop"}),
    ("vi", "camera bị rớt xuống đất", {"drop"}),
    ("vi", "bi xe tong vao cot", {"impact"}),
    ("vi", "man hinh bi vo", {"mechanical"}),
    ("vi", "van chuyen bi mop hop", {"shipping_damage"}),
    ("vi", "lắp đặt sai kỹ thuật", {"improper_installation"}),
    ("vi", "su dung sai cach", {"misuse"}),
    ("vi", "tu lap o cung rieng", {"own_hdd"}),
    ("vi", "up nham firmware", {"software_modified"}),
    ("vi", "chay nha lam hong dau ghi", {"fire"}),
    ("vi", "camera trong nhà lắp ngoài trời", {"improper_environment"}),
    ("vi", "bi tray xuoc ong kinh", {"scratch"}),
    ("vi", "bị bão lũ cuốn mất", {"typhoon", "flood"}),
    ("vi", "tôi tự thay bo mạch khác", {"modified"}),
    ("vi", "hư hỏng do con người gây ra", {"man_made"}),
    ("vi", "con chó cắn dây camera", {"animals"}),
    ("vi", "số điện thoại trên tem không khớp với phiếu bảo hành", {"phone_mismatch"}),
    ("en", "swapped lens on cam myself, now blurry", {"modified"}),
    ("en", "put my own 6TB WD purple in the DVR myself", {"own_hdd"}),
    ("en", "we paid 70% so far, balance due next month", {"unpaid"}),
    ("en", "3rd party lens broke my device", {"third_party"}),
    ("en", "i shipped my cam to u wrapped in just a plastic bag", {"transit_packaging"}),
    ("zh", "我把12V的摄像头接到了24V的电源上，一下就烧了", {"wrong_power"}),
    ("en", "my colleague dropped the monocular off the tailgate of our truck", {"drop"}),
    ("en", "I've only paid half of the invoice so far", {"unpaid"}),
    ("en", "Our IT guy reflashed the NVR with some firmware he found online", {"software_modified"}),
    ("en", "reflashed fw myself w/o asking, bricked", {"software_modified"}),
    ("zh", "快递送到的时候箱子都压扁了，录像机外壳裂了一道缝", {"shipping_damage"}),
    ("en", "We put an indoor camera in our cold store, it's about minus 25 in there", {"improper_environment"}),
    ("en", "which are covered: 1) storm damage 2) someone smashing it on purpose", {"storm", "vandalism"}),
    ("en", "our installer powered 16 cams off a no-name market PSU", {"wrong_power"}),
    ("en", "used it at -40C in siberia, the spec says -20C min", {"improper_environment"}),
]

# (what the customer wrote, a tag it must NOT produce): the cause denied, or the words meaning something else.
NEAR_MISSES: list[tuple[str, str]] = [
    ("should i pull the cable out before moving it?", "man_made"),
    # another device's adapter named, not used on the product; a rubber seal; a seal covered by a question
    ("the router adapter is broken", "wrong_power"),
    ("is the rubber seal covered by the warranty?", "seal_broken"),
    ("installer put tape over the seal on the junction box", "seal_broken"),
    ("i pay half the shipping and you pay the other half?", "unpaid"),
    ("the dealer will lend me a camera while mine is in repair", "borrowed"),
    ("pay half now half after install. camera broke after 1 year, fully paid", "unpaid"),
    ("can I pay half now and half when the camera is installed?", "unpaid"),
    ("we are in Vietnam, very hot place, is the warranty the same?", "improper_environment"),
    ("is it ok to install near a stove in a restaurant kitchen?", "improper_environment"),
    ("the charger from the drone is 12V 2A, same as camera spec, can I use it?", "wrong_power"),
    ("安装的时候被我自己不小心打坏了", "vandalism"),
    ("电话里客服说的和网站上写的不一样", "phone_mismatch"),
    ("sticker on the screw came with the product? what is it for?", "seal_broken"),
    ("the label with the barcode is worn a bit but can still read", "serial_removed"),
    # bringing it somewhere
    ("want to drop my nvr off at your branch", "drop"),
    # a cause the customer denies
    ("I didn't drop it, it just stopped working", "drop"),
    ("nobody dropped it", "drop"),
    ("I have not opened it", "opened"),
    ("we haven't opened the housing", "opened"),
    ("no water got in, it's bone dry", "water"),
    ("it wasn't struck by lightning", "lightning"),
    ("没有进水，也没摔过", "water"),
    ("没有进水，也没摔过", "drop"),
    ("从来没有拆开过", "opened"),
    ("không bị vô nước", "water"),
    ("chua tung tu thao", "opened"),
    # the same words, another meaning
    ("can you drop ship to my customer?", "drop"),
    ("frames dropped and the camera keeps dropping off the network", "drop"),
    ("I dropped it off at your service centre yesterday", "drop"),
    ("it fell out of warranty last month", "drop"),
    ("the rain sensor on the PTZ wiper does not work", "water"),
    ("is the camera waterproof and water resistant?", "water"),
    ("does the floodlight camera have a siren?", "flood"),
    ("fire detection alarm is not triggering on the thermal camera", "fire"),
    ("the USB mouse doesn't work on the NVR", "rodents"),
    ("what voltage does the camera need, 12V or 24V?", "wrong_power"),
    ("do I need a surge protector?", "power_surge"),
    ("how do I open the camera in the browser?", "opened"),
    ("I opened the box and the camera was missing a screw", "opened"),
    ("my hard drive is full", "own_hdd"),
    ("the IR lighting is weak at night", "lightning"),
    ("bugs flying in front of the lens trigger motion alerts at night", "insects"),
    ("where is the serial number?", "serial_removed"),
    ("the tamper alarm goes off", "tampered"),
    ("split screen view doesn't work", "mechanical"),
    ("a glass of water fell over next to it but it's fine, the cam is on the wall", "drop"),
    ("điều kiện bảo hành là gì?", "insects"),
    ("thoi gian bao hanh bao lau?", "insects"),
    ("mat khau khong khop", "serial_mismatch"),
    ("con bao lau nua thi het bao hanh?", "typhoon"),
    ("mua bao nhieu tien?", "typhoon"),
    ("we connect 8 cameras to the 16 channel nvr", "wrong_power"),  # counts, not volts
    ("i changed my number, how do i update my contact details?", "phone_mismatch"),  # no card against a product
    ("I called the old number on your business card and nobody answered", "phone_mismatch"),  # the brand's number
    ("the label has a different number from the invoice, which serial do I use?", "phone_mismatch"),
    ("do you supply 12V and 24V cameras?", "wrong_power"),  # a question about the range
    ("can I connect 12V and 24V cameras to the same NVR?", "wrong_power"),
    ("I powered it with the 12V adapter from the box, not 24V, and it still died", "wrong_power"),  # the right one
    ("I use a 48V poe switch for my 12V camera and it stopped working", "wrong_power"),  # PoE is how it is powered
    ("connected the 12V camera, worked for 2 years, is it 12V or 24V?", "wrong_power"),  # one voltage, asked about
    ("ky thuat bao lam lai tu dau", "typhoon"),
    ("bao di qua kho hang thi toi nhan", "typhoon"),  # a bag ("bao") going through, no storm
    ("chuột máy tính không dùng được trên đầu ghi", "rodents"),
    ("camera chạy bình thường", "fire"),
    ("hàng còn mới", "insects"),
    ("雷达摄像机的雷达不工作", "lightning"),
    ("雷电防护怎么做", "lightning"),
    ("掉线了，老是掉帧", "drop"),
    ("摄像头防水吗？", "water"),
    ("我把摄像头拆下来寄回去", "opened"),
    ("防浪涌保护器要装吗", "power_surge"),
    # a typhoon, an earthquake or a cut cable is that, never a drop
    ("the typhoon knocked the camera off the pole", "drop"),
    ("the camera fell off the wall during the typhoon", "drop"),
    ("the wind knocked the camera down", "drop"),
    ("the installer cut the cable", "drop"),
    ("台风把摄像头吹掉了", "drop"),
    ("camera bi vo nuoc", "drop"),
    # someone smashing it on purpose is vandalism, not the customer's accident
    ("someone smashed the dome on purpose", "accident"),
    ("kids smashed my camera with a rock", "accident"),
    # a part someone else swapped, a temperature with no rating, a capacity that is not the customer's drive
    ("you swapped the lens under warranty", "modified"),
    ("it is 35c here today and the image is fine", "improper_environment"),
    ("my 4tb hdd is full", "own_hdd"),
    ("我把12V的摄像头接到了24V的电源上，一下就烧了", "fire"),  # the burn is what the wrong power did
    ("our nvr dropped all channels this morning", "drop"),
    ("bought 2026-11-25, camera died", "improper_environment"),  # a date's "-25" is no frost
    ("you reflashed it with the official firmware", "software_modified"),
    # a drop-off some days ago, the same voltage, someone else's or a planned swap, official firmware, a
    # temperature within the rating, a bag not yet used, a sale price
    ("I dropped it off a week ago at your service center", "drop"),
    ("12v的摄像头接到12v的电源上，现在不亮了", "wrong_power"),
    ("Can you replace the lens or should I do it myself?", "modified"),
    ("Your service centre replaced the original board last month", "modified"),
    ("I reflashed the official firmware from your website and it still reboots", "software_modified"),
    ("it's rated -30C and it never got below -10C, but it died", "improper_environment"),
    ("It's rated for -30C to 60C and it's only 35C here", "improper_environment"),
    ("I'll put it in a bag and ship it to you", "transit_packaging"),
    ("I paid half price on sale, now the nvr is faulty", "unpaid"),
    # equipment tried while troubleshooting is no cause (and "switched to a cheap adapter, it burned" still is)
    ("it keeps rebooting, already tried another socket and a different adapter", "wrong_power"),
    ("tested it with a third-party hard drive, still not detected", "own_hdd"),
    ("我试过别的电源适配器，还是不行", "wrong_power"),
    ("can i send it in an envelope?", "transit_packaging"),  # asked before, not done
    ("you drilled holes in the wall for the bracket?", "modified"),
    # found by a review of the patterns added for second-language English
    ("My installer drilled 4 holes to mount the camera under the eaves, now no picture", "modified"),
    ("We installed extra lights in the yard because night vision is weak", "modified"),
    ("we painted the camera pole white to match the house", "modified"),
    ("The repair centre swapped in a new hard drive last year, now the DVR won't boot", "own_hdd"),
    ("Your technician popped in a new hard drive during the last repair", "own_hdd"),
    ("The hard disk shows damaged in storage management page", "improper_storage"),
    ("the camera looks into the pool area and the picture is blurry", "water"),
    ("never dropped it, the screen did crack though", "drop"),
]

# Fault descriptions as an RMA gets them: symptoms, no cause. None may read as a cause a brand excludes.
SYMPTOMS: list[str] = [
    "the picture freezes every few minutes and the infrared lights stay off at night",
    "it reboots every ten minutes and loses the recordings",
    "no video signal on channel 3, hard drive not detected",
    "the IR LEDs burnt out and the image is blurry",
    "camera keeps dropping off the network",
    "the power supply is dead and the fan is noisy",
    "the image is foggy at night and motion detection triggers all the time",
    "no picture after the firmware update",
    "画面卡顿，夜视不亮",
    "掉线，录像丢失，硬盘检测不到",
    "camera khong len hinh, den hong ngoai khong sang",
    "dau ghi tu khoi dong lai lien tuc",
]


def _read(text: str, brand: str, lang: str = "en") -> Situation:
    return READER.read(text, NOW, PACKS[brand], language=lang)


@pytest.mark.parametrize(("lang", "text", "tags"), CASES, ids=[f"{c[0]}-{c[1][:40]}" for c in CASES])
def test_a_described_cause_names_each_brands_own_clause(lang: str, text: str, tags: set[str]) -> None:
    for tag in sorted(tags):
        brands = _clause_brands(tag) or sorted(PACKS)  # a cause no brand names ("animals") is still read
        for brand in brands:
            situation = _read(text, brand, lang)
            assert tag in situation.events, f"{brand}: {text!r} read as {sorted(situation.events)}, not {tag}"
            if tag in CAUSE_TAGS:
                # the clause itself names the cause, or one of its examples does ("wrong power supply" under
                # Longgang's "not following the manual")
                covering = {e.part_of or e.id for e in PACKS[brand].exclusion_list if tag in e.tags}
                clauses = [e.id for e in policy.exclusions(PACKS[brand], situation) if e.id in covering]
                assert clauses, f"{brand}: no clause of its own named for {tag} in {text!r}"


@pytest.mark.parametrize(("text", "tag"), NEAR_MISSES, ids=[f"{t}-{s[:40]}" for s, t in NEAR_MISSES])
def test_words_that_only_sound_like_damage_are_not_held_against_the_customer(text: str, tag: str) -> None:
    events = _read(text, "poesec").events  # the patterns are the same for every brand
    assert tag not in events, f"{text!r} read as {sorted(events)}"


@pytest.mark.parametrize("text", SYMPTOMS)
def test_a_fault_described_by_its_symptoms_names_no_exclusion(text: str) -> None:
    for brand, pack in sorted(PACKS.items()):
        situation = _read(text, brand)
        assert not situation.events & CAUSE_TAGS, f"{text!r} read as {sorted(situation.events)}"
        assert not policy.exclusions(pack, situation)


def test_every_cause_a_brand_excludes_is_in_the_table_and_each_damage_in_all_three_languages() -> None:
    described = {tag for _, _, tags in CASES for tag in tags}
    assert not sorted((CAUSE_TAGS & set(EVENTS)) - described), "a cause the reader knows has no everyday description"
    for lang in ("en", "zh", "vi"):
        said = {tag for lg, _, tags in CASES if lg == lang for tag in tags}
        assert not sorted(DAMAGE - said), f"{lang}: causes of damage not described"
    counts = {lang: sum(1 for lg, _, _ in CASES if lg == lang) for lang in ("en", "zh", "vi")}
    assert counts["en"] >= 35 and counts["zh"] >= 30 and counts["vi"] >= 30, counts
    assert len(NEAR_MISSES) >= 25


def test_every_tag_the_reader_gives_is_in_the_vocabulary() -> None:
    assert set(EVENTS) - VOCABULARY <= {"agent"}  # "agent" (bought from an agent) predates the vocabulary
