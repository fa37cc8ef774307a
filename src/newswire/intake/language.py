"""Language detection for the 15 wire languages, on top of lingua.

One detector covers the 14 lingua languages behind our 15 tags (Chinese is one lingua
language; zh-Hans or zh-Hant is decided here by counting characters that exist in only one
of the two scripts). It is built on first use, once per process, under a lock, with all 14
models preloaded in high-accuracy mode: that takes about 1.2-1.5 s and adds about 265 MB of
resident memory (lingua 2.1, measured on x86-64). Call `detector()` at startup to pay this
up front; a detection afterwards takes about 2 ms for a 2,000-character body.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from itertools import islice

from lingua import ConfidenceValue, Language, LanguageDetector, LanguageDetectorBuilder

from newswire.taxonomy.languages import LANGUAGES, TRADITIONAL_CHINESE_REGIONS

WIRE_LANGUAGES = LANGUAGES
"""The wire's languages (the list is owned by `newswire.taxonomy.languages`)."""

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "ko": "Korean",
    "ja": "Japanese",
    "ar": "Arabic",
    "zh": "Chinese",
    "zh-Hans": "Simplified Chinese",
    "zh-Hant": "Traditional Chinese",
    "vi": "Vietnamese",
    "th": "Thai",
    "id": "Indonesian",
    "ms": "Malay",
    "de": "German",
    "ru": "Russian",
    "fr": "French",
    "es": "Spanish",
    "pt": "Portuguese",
}

_LINGUA_TAGS: dict[Language, str] = {
    Language.ENGLISH: "en",
    Language.KOREAN: "ko",
    Language.JAPANESE: "ja",
    Language.ARABIC: "ar",
    Language.CHINESE: "zh",
    Language.VIETNAMESE: "vi",
    Language.THAI: "th",
    Language.INDONESIAN: "id",
    Language.MALAY: "ms",
    Language.GERMAN: "de",
    Language.RUSSIAN: "ru",
    Language.FRENCH: "fr",
    Language.SPANISH: "es",
    Language.PORTUGUESE: "pt",
}

# Below this many letters a text is too short to say anything ("OK", "CEO", "A/B").
MIN_LETTERS = 4
# lingua's confidence (0..1, summing to 1 over the 14 languages) of the best language must
# reach MIN_CONFIDENCE and beat the runner-up by MIN_MARGIN; short or mixed texts ("Hello",
# "Berlin, Germany") fall below. Indonesian and Malay share most of their vocabulary, so
# between those two the best one wins on any margin.
MIN_CONFIDENCE = 0.5
MIN_MARGIN = 0.25
_CLOSE_PAIRS = frozenset({frozenset({Language.INDONESIAN, Language.MALAY})})
# Only this much of a long text is looked at: plenty for a decision, and bounded work.
MAX_CHARS = 4000

_detector: LanguageDetector | None = None
_quick_detector: LanguageDetector | None = None
_lock = threading.Lock()


def detector(*, quick: bool = False) -> LanguageDetector:
    """The shared detector, built on first use (thread-safe). `quick`: lingua's low-accuracy
    mode (trigrams only, about 3x faster), for sentences long enough to be told apart."""
    global _detector, _quick_detector
    if (_quick_detector if quick else _detector) is None:
        with _lock:
            builder = LanguageDetectorBuilder.from_languages(*_LINGUA_TAGS)
            builder = builder.with_preloaded_language_models()
            if quick and _quick_detector is None:
                _quick_detector = builder.with_low_accuracy_mode().build()
            elif not quick and _detector is None:
                _detector = builder.build()
    found = _quick_detector if quick else _detector
    assert found is not None
    return found


# Very common characters that differ between the two Chinese scripts, as
# simplified -> traditional pairs. Characters used unchanged in both scripts are not
# listed, nor ones that are ambiguous (后, 台, 于, 系, 范, 余, ...).
_SIMPLIFIED_TRADITIONAL = (
    "这這 个個 们們 来來 时時 国國 说說 会會 对對 发發 为為 过過 还還 进進 动動 经經 现現 "
    "开開 关關 长長 门門 问問 间間 东東 车車 书書 见見 学學 实實 业業 产產 电電 话話 语語 "
    "请請 认認 让讓 记記 许許 设設 论論 计計 调調 资資 务務 员員 与與 从從 将將 并並 当當 "
    "应應 种種 总總 观觀 点點 数數 据據 网網 络絡 联聯 统統 机機 构構 团團 体體 报報 导導 "
    "区區 场場 处處 义義 传傳 价價 优優 质質 术術 营營 销銷 费費 买買 卖賣 额額 币幣 银銀 "
    "财財 险險 证證 项項 级級 标標 准準 达達 运運 输輸 环環 护護 热熱 气氣 节節 约約 规規 "
    "划劃 战戰 际際 视視 频頻 图圖 画畫 乐樂 广廣 医醫 疗療 药藥 农農 园園 厂廠 压壓 础礎 "
    "极極 类類 师師 亿億 万萬 几幾 办辦 结結 领領 获獲 奖獎 荣榮 誉譽 宾賓 亚亞 欧歐 韩韓 "
    "汉漢 湾灣 简簡 号號 码碼 创創 续續 维維 层層 线線 馆館 军軍 权權 协協 议議 谈談 签簽 "
    "软軟 云雲 储儲 伙夥 绩績 宽寬 带帶 讯訊 闻聞 么麼 吗嗎 边邊 没沒 样樣 儿兒 头頭 听聽 "
    "写寫 读讀 变變 爱愛 紧緊 张張 陈陳 刘劉 杨楊 赵趙 吴吳 孙孫 郑鄭 罗羅 谢謝 邓鄧 苏蘇 "
    "陆陸 叶葉 钟鐘 钱錢 满滿 举舉 选選 务務 岁歲 众眾 历歷 归歸 华華 单單 双雙 车車 "
    "复復 复複 台臺 丰豐 严嚴 两兩 临臨 为爲 举舉 乡鄉 书書 买買 乱亂 争爭 亏虧 亲親 "
    "仅僅 从從 仓倉 仪儀 们們 众眾 优優 会會 伟偉 传傳 伤傷 体體 余餘 佣傭 侠俠 侨僑 "
    "债債 倾傾 储儲 儿兒 兴興 养養 兽獸 内內 册冊 写寫 农農 冲衝 决決 况況 冻凍 减減 "
    "几幾 凤鳳 击擊 则則 刚剛 创創 删刪 别別 制製 剂劑 劳勞 势勢 勋勳 区區 协協 单單 "
    "卫衛 厅廳 历歷 压壓 县縣 参參 双雙 发發 变變 叙敘 叶葉 号號 吗嗎 启啟 员員 响響 "
    "围圍 国國 图圖 圆圓 圣聖 场場 坏壞 块塊 坚堅 垄壟 备備 复複 头頭 夹夾 夺奪 奋奮 "
    "实實 宝寶 宪憲 审審 宽寬 对對 导導 寿壽 将將 尔爾 尘塵 层層 属屬 岁歲 岛島 师師 "
    "币幣 帅帥 帐帳 带帶 帮幫 干幹 广廣 庆慶 库庫 应應 庙廟 废廢 开開 异異 张張 弹彈 "
    "强強 归歸 当當 录錄 彻徹 忆憶 态態 总總 恋戀 恶惡 惊驚 惯慣 愿願 戏戲 战戰 户戶 "
    "扩擴 扫掃 扬揚 执執 扩擴 护護 报報 担擔 拟擬 择擇 挂掛 挥揮 损損 换換 据據 数數 "
    "断斷 无無 旧舊 显顯 晓曉 术術 杂雜 权權 条條 来來 极極 构構 枪槍 标標 树樹 样樣 "
    "档檔 桥橋 检檢 汇匯 沟溝 泽澤 洁潔 测測 济濟 浏瀏 涨漲 润潤 渐漸 温溫 湿濕 满滿 "
    "灵靈 灾災 点點 炼煉 烟煙 热熱 爷爺 状狀 独獨 猪豬 环環 现現 电電 画畫 畅暢 疗療 "
    "监監 盖蓋 盘盤 着著 矿礦 码碼 确確 礼禮 离離 种種 积積 称稱 稳穩 穷窮 竞競 笔筆 "
    "签簽 简簡 类類 粮糧 紧緊 级級 纪紀 纯純 纳納 纸紙 线線 练練 组組 细細 织織 终終 "
    "经經 结結 绘繪 给給 络絡 统統 继繼 绩績 续續 维維 综綜 网網 罗羅 罚罰 职職 联聯 "
    "肃肅 胜勝 脑腦 脚腳 艺藝 节節 苏蘇 范範 药藥 获獲 营營 虑慮 补補 装裝 观觀 规規 "
    "视視 览覽 觉覺 计計 订訂 认認 讨討 让讓 训訓 议議 讯訊 记記 讲講 设設 访訪 证證 "
    "评評 识識 诉訴 译譯 试試 诚誠 话話 询詢 该該 详詳 语語 误誤 说說 请請 读讀 调調 "
    "谈談 谢謝 谷穀 贝貝 负負 财財 责責 败敗 货貨 质質 购購 贵貴 费費 贸貿 资資 赛賽 "
    "赢贏 赶趕 跃躍 践踐 车車 转轉 轮輪 软軟 轻輕 载載 较較 辅輔 辑輯 输輸 边邊 达達 "
    "迁遷 过過 运運 还還 这這 进進 远遠 连連 选選 递遞 逻邏 遗遺 邮郵 释釋 针針 钢鋼 "
    "钱錢 铁鐵 银銀 销銷 锁鎖 链鏈 错錯 键鍵 镇鎮 长長 门門 闭閉 问問 闻聞 阅閱 队隊 "
    "阳陽 阶階 际際 陆陸 险險 随隨 隐隱 难難 页頁 顶頂 项項 顺順 须須 预預 领領 频頻 "
    "题題 颜顏 风風 飞飛 饭飯 馆館 驱驅 验驗 鱼魚 鸟鳥 龙龍"
)
# Characters in the table that modern texts in both scripts also use.
_USED_IN_BOTH = frozenset("台余范谷干制冲划几云著")
_SIMPLIFIED_ONLY: frozenset[str] = (
    frozenset(pair[0] for pair in _SIMPLIFIED_TRADITIONAL.split()) - _USED_IN_BOTH
)
_TRADITIONAL_ONLY: frozenset[str] = (
    frozenset(pair[1] for pair in _SIMPLIFIED_TRADITIONAL.split()) - _USED_IN_BOTH
)

_URL_OR_EMAIL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)


def chinese_script(text: str) -> str | None:
    """ "Hans" or "Hant" by which script's distinctive characters dominate; None if neither."""
    simplified = sum(1 for ch in text if ch in _SIMPLIFIED_ONLY)
    traditional = sum(1 for ch in text if ch in _TRADITIONAL_ONLY)
    if simplified > traditional:
        return "Hans"
    if traditional > simplified:
        return "Hant"
    return None


_LETTER = re.compile(r"[^\W\d_]")


def _too_short(sample: str) -> bool:
    """Whether `sample` has fewer than MIN_LETTERS letters (it says nothing then)."""
    return len(list(islice(_LETTER.finditer(sample), MIN_LETTERS))) < MIN_LETTERS


def _sample(text: str) -> str:
    return _URL_OR_EMAIL.sub(" ", text[:MAX_CHARS])


def _decided(values: list[ConfidenceValue], sample: str) -> str | None:
    """The wire language lingua's confidence values point to, or None when unsure."""
    if not values or values[0].value < MIN_CONFIDENCE:
        return None
    best = values[0]
    if len(values) > 1:
        runner_up = values[1]
        margin = best.value - runner_up.value
        close_pair = frozenset({best.language, runner_up.language}) in _CLOSE_PAIRS
        if margin < MIN_MARGIN and not (close_pair and margin > 0.0):
            return None
    return _tag(best.language, sample)


def detect_language(text: str, *, quick: bool = False) -> str | None:
    """The wire language `text` is written in, as a BCP 47 tag, or None when unsure.

    None when the text has fewer than MIN_LETTERS letters or when the best two candidate
    languages score too close to call. Chinese comes back as zh-Hans or zh-Hant by script,
    or as plain "zh" in the rare text whose characters are common to both scripts.
    """
    sample = _sample(text)
    if _too_short(sample):
        return None
    return _decided(detector(quick=quick).compute_language_confidence_values(sample), sample)


def detect_languages(texts: Sequence[str], *, quick: bool = False) -> list[str | None]:
    """`detect_language` of each of `texts`, in one call that spreads them over every core
    (lingua's parallel mode): for the many sentences of a document at once."""
    samples = [_sample(text) for text in texts]
    todo = [i for i, sample in enumerate(samples) if not _too_short(sample)]
    found: list[str | None] = [None] * len(texts)
    if todo:
        values = detector(quick=quick).compute_language_confidence_values_in_parallel(
            [samples[i] for i in todo]
        )
        for i, confidences in zip(todo, values, strict=True):
            found[i] = _decided(confidences, samples[i])
    return found


def likeliest_languages(texts: Sequence[str]) -> list[str | None]:
    """The best-scoring wire language of each of `texts` under lingua's quick mode, however
    narrow its lead (None: too short, or no language fits): enough to confirm an expected
    language cheaply, not to decide an unexpected one (`detect_languages` does that). Chinese
    comes back by script as in `detect_language`."""
    samples = [_sample(text) for text in texts]
    found: list[str | None] = [_likeliest.get(sample) for sample in samples]
    todo = [
        i
        for i, sample in enumerate(samples)
        if found[i] is None and sample not in _likeliest and not _too_short(sample)
    ]
    if todo:
        best = detector(quick=True).detect_languages_in_parallel_of([samples[i] for i in todo])
        if len(_likeliest) > _LIKELIEST_CACHED:
            _likeliest.clear()
        for i, language in zip(todo, best, strict=True):
            found[i] = _tag(language, samples[i]) if language is not None else None
            _likeliest[samples[i]] = found[i]
    return found


# Texts a wire translates recur (boilerplate, contact lines, datelines): their likeliest
# language is kept, up to this many, then forgotten all at once.
_LIKELIEST_CACHED = 20_000
_likeliest: dict[str, str | None] = {}


def _tag(language: Language, sample: str) -> str:
    tag = _LINGUA_TAGS[language]
    if tag == "zh":
        script = chinese_script(sample)
        return f"zh-{script}" if script else "zh"
    return tag


def language_confidence(text: str, tag: str) -> float:
    """lingua's confidence (0..1) that `text` is in the language of `tag` (0 for a language
    lingua does not know): for telling two given languages apart on a few words."""
    base, _ = split_tag(tag)
    language = next((lang for lang, t in _LINGUA_TAGS.items() if t == base), None)
    if language is None:
        return 0.0
    return detector().compute_language_confidence(text, language)


_ALIASES = {"in": "id", "iw": "he", "zsm": "ms", "cmn": "zh"}
_HANS_REGIONS = frozenset({"CN", "SG", "MY"})


@lru_cache(maxsize=512)
def split_tag(tag: str) -> tuple[str, str | None]:
    """(base language, script) of a tag; for Chinese a region implies the script. Cached: the
    QA gate asks it thousands of times per edition about the same few tags."""
    parts = tag.replace("_", "-").split("-")
    base = _ALIASES.get(parts[0].lower(), parts[0].lower())
    script = None
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            script = part.title()
        elif base == "zh" and script is None and part.upper() in _HANS_REGIONS:
            script = "Hans"
        elif base == "zh" and script is None and part.upper() in TRADITIONAL_CHINESE_REGIONS:
            script = "Hant"
    return base, script


def same_language(declared: str, detected: str) -> bool:
    """True when two tags name the same language (regions ignored: pt-BR == pt).

    zh-Hans and zh-Hant differ only when both scripts are known: "zh" matches either,
    and a region implies the script (zh-TW is zh-Hant, zh-CN is zh-Hans).
    """
    base_a, script_a = split_tag(declared)
    base_b, script_b = split_tag(detected)
    if base_a != base_b:
        return False
    if base_a == "zh" and script_a and script_b:
        return script_a == script_b
    return True


def language_name(tag: str) -> str:
    """An English name for a tag, for messages ("German (de)")."""
    base, script = split_tag(tag)
    key = f"{base}-{script}" if base == "zh" and script else base
    name = LANGUAGE_NAMES.get(key)
    return f"{name} ({tag})" if name else tag
