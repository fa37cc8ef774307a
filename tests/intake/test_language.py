"""Language detection: every wire language on a realistic sentence or two, Chinese scripts,
too-short text, and how declared and detected tags compare."""

from __future__ import annotations

import threading

import pytest

from newswire.intake.language import (
    WIRE_LANGUAGES,
    chinese_script,
    detect_language,
    detector,
    language_name,
    same_language,
)

SAMPLES = {
    "en": "Northwind Energy today announced a 400-megawatt solar and storage project in Nevada, "
    "expected to supply power to 120,000 homes when it enters service in 2027.",
    "ko": "삼한전자는 오늘 차세대 배터리 공장을 충청북도 청주에 건설한다고 발표했다. "
    "회사는 2027년까지 약 2조 원을 투자해 500명의 일자리를 창출할 계획이다.",
    "ja": "株式会社ミライ製薬は本日、新しい糖尿病治療薬の第3相臨床試験で良好な結果が得られたと"
    "発表しました。同社は年内に厚生労働省へ承認申請を行う予定です。",
    "ar": "أعلنت شركة الخليج للطاقة المتجددة اليوم عن توقيع اتفاقية لبناء محطة طاقة شمسية بقدرة "
    "ألف ميغاواط في المنطقة الشرقية، ومن المتوقع أن تبدأ المحطة التشغيل التجاري في عام 2027.",
    "zh-Hans": "华达科技今天宣布，公司将在深圳建设新的研发中心，计划在未来三年投资二十亿元"
    "人民币，并为当地创造一千个工作岗位。",
    "zh-Hant": "華達科技今天宣布，公司將在台北建設新的研發中心，計劃在未來三年投資二十億元"
    "新台幣，並為當地創造一千個工作崗位。",
    "vi": "Công ty Cổ phần Sao Mai hôm nay công bố kế hoạch xây dựng nhà máy chế biến thủy sản "
    "mới tại tỉnh Cà Mau, với tổng vốn đầu tư khoảng 500 tỷ đồng.",
    "th": "บริษัท สยามพลังงาน จำกัด (มหาชน) ประกาศในวันนี้ว่าจะลงทุนสร้างโรงไฟฟ้าพลังงาน"
    "แสงอาทิตย์แห่งใหม่ในจังหวัดนครราชสีมา โดยคาดว่าจะเริ่มดำเนินการได้ภายในปี 2569",
    "id": "PT Nusantara Digital hari ini mengumumkan peluncuran layanan pembayaran baru yang "
    "memungkinkan pelaku usaha kecil menerima pembayaran nontunai melalui ponsel mereka. "
    "Perusahaan menargetkan satu juta pengguna hingga akhir tahun depan.",
    "ms": "Syarikat Teknologi Harimau Berhad hari ini mengumumkan pelancaran perkhidmatan "
    "pembayaran baharu yang membolehkan peniaga kecil menerima bayaran tanpa tunai melalui "
    "telefon bimbit mereka. Syarikat itu menyasarkan sejuta pengguna menjelang hujung tahun "
    "hadapan.",
    "de": "Die Nordwind AG hat heute den Bau eines neuen Werks für Wärmepumpen in Sachsen "
    "angekündigt. Das Unternehmen investiert rund 300 Millionen Euro und schafft 600 "
    "Arbeitsplätze.",
    "ru": "Компания «Северный ветер» сегодня объявила о строительстве нового завода по "
    "производству тепловых насосов в Калужской области. Объем инвестиций составит около "
    "12 миллиардов рублей.",
    "fr": "La société Ventdouest a annoncé aujourd'hui la construction d'une nouvelle usine de "
    "pompes à chaleur en Bretagne, un investissement de 300 millions d'euros qui créera 600 "
    "emplois.",
    "es": "La empresa Vientonorte anunció hoy la construcción de una nueva planta de bombas de "
    "calor en Aragón, con una inversión de 300 millones de euros que creará 600 empleos.",
    "pt": "A empresa Ventonorte anunciou hoje a construção de uma nova fábrica de bombas de "
    "calor no Paraná, com um investimento de 300 milhões de reais que vai gerar 600 empregos.",
}


def test_samples_cover_every_wire_language():
    assert set(SAMPLES) == set(WIRE_LANGUAGES)


@pytest.mark.parametrize("tag", WIRE_LANGUAGES)
def test_detects_each_wire_language(tag):
    assert detect_language(SAMPLES[tag]) == tag


@pytest.mark.parametrize("text", ["OK", "", "   ", "CEO", "2025", "Hello", "Acme Corp"])
def test_too_short_or_ambiguous_text_is_undetermined(text):
    assert detect_language(text) is None


def test_urls_and_email_addresses_do_not_sway_detection():
    text = SAMPLES["de"] + " https://www.example.com/press/news-release press@example.com"
    assert detect_language(text) == "de"


def test_chinese_script_is_decided_by_distinctive_characters():
    assert chinese_script("这个国家的经济发展") == "Hans"
    assert chinese_script("這個國家的經濟發展") == "Hant"
    assert chinese_script("中文") is None  # characters shared by both scripts


def test_chinese_with_no_distinctive_characters_is_plain_zh():
    # Both scripts write every one of these characters the same way.
    assert detect_language("今天上午，公司在上海正式成立。") == "zh"


@pytest.mark.parametrize(
    ("declared", "detected"),
    [
        ("en", "en"),
        ("pt-BR", "pt"),
        ("PT_br", "pt"),
        ("zh-Hans", "zh"),
        ("zh", "zh-Hant"),
        ("zh-TW", "zh-Hant"),
        ("zh-CN", "zh-Hans"),
        ("zh-Hant-HK", "zh-Hant"),
    ],
)
def test_same_language(declared, detected):
    assert same_language(declared, detected)


@pytest.mark.parametrize(
    ("declared", "detected"),
    [("en", "de"), ("id", "ms"), ("zh-Hans", "zh-Hant"), ("zh-TW", "zh-Hans"), ("ja", "zh")],
)
def test_different_languages(declared, detected):
    assert not same_language(declared, detected)


def test_language_names_for_messages():
    assert language_name("de") == "German (de)"
    assert language_name("zh-Hant") == "Traditional Chinese (zh-Hant)"
    assert language_name("pt-BR") == "Portuguese (pt-BR)"
    assert language_name("xx") == "xx"


def test_detector_is_built_once_even_under_concurrent_first_use():
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(detector())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(d) for d in seen}) == 1
