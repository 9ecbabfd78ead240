"""The recommendation sentences of the strategy table: :func:`nqpf.diagnose.render_focus`.

The strategy table holds codes and numbers; the sentences are written per language when the
outputs are. The reference sentences below are nqpf 0.1.0's output (``nqpf demo``, tables/
strategy.csv, columns ``focus_zh`` / ``focus_en``; and ``nqpf run examples/scitech/config.toml``
for a study with shortboards), where the table still held the sentences: rendering the codes now
must give them back character for character. nqpf 0.1 classified the tiers on the last year's
scores, so these tables are built with ``tier_basis="last"`` (the default is now the period mean:
``tests/test_tiers_period.py``).
"""
from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from nqpf import diagnose as dg
from nqpf import i18n, regions
from nqpf.datasets import load_ran2025_scores
from nqpf.errors import InputError


@pytest.fixture(scope="module")
def demo():
    """The demo's strategy table, rebuilt as ``nqpf demo`` builds it: the paper's Table 2, regions
    by GB/T code (the canonical order of the permutation draws), built-in queen contiguity with
    Hainan–Guangdong, local Moran with 999 permutations and seed 12345; tiers of the last year, as
    nqpf 0.1 (``tier_basis="last"``)."""
    spatial = pytest.importorskip("nqpf.spatial")
    Y = load_ran2025_scores(wide=True)
    label = {regions.normalize(r): r for r in Y.index}  # the user's spelling (北京 …)
    Y.index = [regions.normalize(r) for r in Y.index]
    Y = Y.sort_index()
    w = regions.contiguity(list(Y.index), island="guangdong")
    local = spatial.moran_local(Y, w, permutations=999, seed=12345, alpha=0.05)
    neighbours = {i: list(w.neighbors[i]) for i in w.id_order}
    st = dg.strategy_table(Y, local=local, neighbours=neighbours, tier_basis="last")
    return Y, st, label


def _render(Y, st, label, lang):
    name = label.get if lang == "zh" else (lambda c: regions.name(c, "en"))
    return dg.render_focus(st, lang, region_name=name, item_name=str,
                           first_year=int(Y.columns[0]), last_year=int(Y.columns[-1]))


# nqpf 0.1.0, `nqpf demo` (tables/strategy.csv): region order, rules and the sentences of six regions
DEMO_ORDER = ["广东", "北京", "江苏", "陕西", "浙江", "上海", "山东", "天津", "福建", "安徽", "湖南",
              "四川", "湖北", "海南", "江西", "河南", "辽宁", "重庆", "河北", "吉林", "山西", "广西",
              "贵州", "内蒙古", "黑龙江", "云南", "新疆", "宁夏", "甘肃"]
DEMO_RULES = ["L2,T4,M5,S2", "L2,T3,M5,S2", "L2,T3,M5,S2", "L2,T4,M6,S2", "L2,T3,M6,S2",
              "L2,T5,M2,S3", "L4,T3,M6,S1", "L4,T3,M6,S1", "L4,T4,M6,S1", "L4,T4,M6,S1",
              "L4,T4,M6,S1", "L4,T4,M6,S1", "L4,T5,M6,S1", "L4,T1,M6,S1", "L4,T1,M6,S1",
              "L4,T3,M6,S1", "L4,T2,M6,S3", "L4,T5,M6,S1", "L4,T3,M6,S1", "L4,T3,M6,S3",
              "L4,T3,M6,S1", "L4,T4,M6,S1", "L4,T4,M6,S3", "L4,T2,M6,S1", "L4,T3,M6,S3",
              "L4,T4,M6,S3", "L4,T2,M6,S3", "L4,T5,M6,S1", "L4,T4,M6,S1"]
# SHA-256 of the 29 sentences joined by "\n", in DEMO_ORDER (all rows, not only the six below).
# One departure from nqpf 0.1, on purpose (review of 2026-12-01): Ningxia (宁夏, 28th) got T3
# "有升有降、总体下行（线性趋势年均+0.1%…）", a downward direction beside a rising slope; its direction
# is now "flat" (never against the slope's sign, nqpf.diagnose.trends) and it gets T5 "有升有降、无明确
# 方向"; the other 28 sentences are 0.1's (0.1's hashes: zh b466ea04…4788, en 17341c28…5ba1).
DEMO_SHA256 = {"zh": "092e69cb5d4760a86c3a30ec1b0cf0fa721cacab93d42277954e94de4599fad7",
               "en": "1ace9442c78b01503e4ebf22d456da67d997e5150cc75e5b71f616b2ec759e26"}
DEMO_FOCUS = {
    "广东": (
        "广东2020年得分0.5530，在29个地区中居第1位，处于高梯队：应充分利用自身科技创新实力，加大自主创新和研发投入，用新技术改造传统产业，促进产业高端化、智能化、绿色化。2010—2020年得分有升有降（线性趋势年均+2.0%，R²=0.42；2019年达到峰值0.6845，但2020年的0.5530低于2010年的0.5641）：应稳定政策环境与市场预期，巩固已有提升、防止回落。作为高潜力地区，广东应发挥国际化、创新型、产业集聚等优势，成为新质生产力增长极。应与邻近的较低潜力地区广西、江西、海南、湖南、福建结对协作，发挥自身长处、帮助其补齐短板，释放“1+1>2”的合作优势。",
        "Guangdong scored 0.5530 in 2020, rank 1 of 29 (high tier): it should use its innovation strength, raise independent innovation and R&D, and upgrade traditional industries towards high-end, intelligent and green production. Its 2010-2020 scores rose and fell (linear trend +2.0% of its mean a year, R²=0.42; peaking at 0.6845 in 2019, although 2020 (0.5530) ended below 2010 (0.5641)): stabilise policy and market expectations so that gains last and do not slip back. As a high-potential region, Guangdong should use its international, innovative and industrial-cluster strengths to become a growth pole. It should pair with its lower-potential neighbours Guangxi, Jiangxi, Hainan, Hunan, Fujian, lending its strengths to close their shortboards (\"1+1>2\")."),
    "北京": (
        "北京2020年得分0.4906，在29个地区中居第2位，处于高梯队：应充分利用自身科技创新实力，加大自主创新和研发投入，用新技术改造传统产业，促进产业高端化、智能化、绿色化。2010—2020年得分有升有降、总体下行（线性趋势年均-1.6%，R²=0.37；得分由2010年的0.6732降至2020年的0.4906）：应查明下滑原因、遏制下滑势头，可从产业结构（如对资源型或传统产业的依赖）、政策导向和投资倾向等方面查找原因，避免政策手段过于单一、仅靠吸引投资，通过政策扶持和资金支持培育新兴产业和创新企业。作为高潜力地区，北京应发挥国际化、创新型、产业集聚等优势，成为新质生产力增长极。应与邻近的较低潜力地区河北、天津结对协作，发挥自身长处、帮助其补齐短板，释放“1+1>2”的合作优势。",
        "Beijing scored 0.4906 in 2020, rank 2 of 29 (high tier): it should use its innovation strength, raise independent innovation and R&D, and upgrade traditional industries towards high-end, intelligent and green production. Its 2010-2020 scores rose and fell with a downward tendency (linear trend -1.6% of its mean a year, R²=0.37; down from 0.6732 in 2010 to 0.4906 in 2020): find the causes of the fall and halt it; look at industrial structure (e.g. reliance on resource-based or traditional industries), policy orientation and investment preferences, avoid relying on a single tool such as attracting investment, and foster emerging industries and innovative firms through policy and funding support. As a high-potential region, Beijing should use its international, innovative and industrial-cluster strengths to become a growth pole. It should pair with its lower-potential neighbours Hebei, Tianjin, lending its strengths to close their shortboards (\"1+1>2\")."),
    "上海": (
        "上海2020年得分0.3601，在29个地区中居第6位，处于较高梯队：应充分利用自身科技创新实力，加大自主创新和研发投入，用新技术改造传统产业，促进产业高端化、智能化、绿色化。2010—2020年得分有升有降、无明确方向（线性趋势年均-0.6%，R²=0.02；2011年达到峰值0.5113，但2020年的0.3601高于2010年的0.3456）：应稳定政策环境与市场预期，减少大起大落，寻找持续提升的动力。局部莫兰显示上海为显著的HH型高值区，是新质生产力增长极：应明确定位、避免同质化竞争，发挥创新中心的辐射带动作用。应在全国“一盘棋”的顶层设计和统一协调机制下参与跨地区合作。",
        "Shanghai scored 0.3601 in 2020, rank 6 of 29 (upper-middle tier): it should use its innovation strength, raise independent innovation and R&D, and upgrade traditional industries towards high-end, intelligent and green production. Its 2010-2020 scores rose and fell with no clear direction (linear trend -0.6% of its mean a year, R²=0.02; peaking at 0.5113 in 2011, although 2020 (0.3601) ended above 2010 (0.3456)): stabilise policy and market expectations to damp the swings, and look for drivers of lasting improvement. Local Moran marks Shanghai as a significant HH high-value region, a growth pole: it should define its role, avoid duplicate competition and spread innovation to its surroundings. It should take part in cross-regional cooperation under national top-level design and a unified coordination mechanism."),
    "江西": (
        "江西2020年得分0.1844，在29个地区中居第15位，处于较低梯队：应加大科技创新支持（如科技创新基金、成果转化扶持），推动产业结构调整升级、培育新的经济增长点，并通过人才引进与教育培训提升人力资本质量。2010—2020年得分总体呈上升趋势（线性趋势年均+2.7%，R²=0.58；得分由2010年的0.1568升至2020年的0.1844，其间2019年达到峰值0.2158），应保持政策连续性，巩固提升势头。局部空间关联不显著：应加强与核心城市群的交通、物流、信息联系，融入多中心、多层次联动的发展格局。应与邻近的较高潜力地区广东、浙江建立跨地区协作与信息共享、资源对接机制，共建产学研合作平台，借力补齐短板。",
        "Jiangxi scored 0.1844 in 2020, rank 15 of 29 (lower-middle tier): it should support innovation (innovation funds, help for commercialisation), upgrade its industrial structure and grow new sources of growth, and raise human capital through talent policies, education and training. Its 2010-2020 scores trend upward (linear trend +2.7% of its mean a year, R²=0.58; up from 0.1568 in 2010 to 0.1844 in 2020, peaking at 0.2158 in 2019): keep policies consistent to sustain the gain. Its local spatial association is not significant: it should strengthen transport, logistics and information links with the core city clusters and join a multi-centre pattern. It should set up cross-regional cooperation, information sharing and resource matching with its higher-potential neighbours Guangdong, Zhejiang, and joint industry-university-research platforms."),
    "河北": (
        "河北2020年得分0.1476，在29个地区中居第19位，处于低梯队：应加大科技创新支持（如科技创新基金、成果转化扶持），推动产业结构调整升级、培育新的经济增长点，并通过人才引进与教育培训提升人力资本质量。2010—2020年得分有升有降、总体下行（线性趋势年均-0.2%，R²=0.01；得分由2010年的0.1736降至2020年的0.1476，其间2017年达到峰值0.1851）：应查明下滑原因、遏制下滑势头，可从产业结构（如对资源型或传统产业的依赖）、政策导向和投资倾向等方面查找原因，避免政策手段过于单一、仅靠吸引投资，通过政策扶持和资金支持培育新兴产业和创新企业。局部空间关联不显著：应加强与核心城市群的交通、物流、信息联系，融入多中心、多层次联动的发展格局。应与邻近的较高潜力地区北京建立跨地区协作与信息共享、资源对接机制，共建产学研合作平台，借力补齐短板。",
        "Hebei scored 0.1476 in 2020, rank 19 of 29 (low tier): it should support innovation (innovation funds, help for commercialisation), upgrade its industrial structure and grow new sources of growth, and raise human capital through talent policies, education and training. Its 2010-2020 scores rose and fell with a downward tendency (linear trend -0.2% of its mean a year, R²=0.01; down from 0.1736 in 2010 to 0.1476 in 2020, peaking at 0.1851 in 2017): find the causes of the fall and halt it; look at industrial structure (e.g. reliance on resource-based or traditional industries), policy orientation and investment preferences, avoid relying on a single tool such as attracting investment, and foster emerging industries and innovative firms through policy and funding support. Its local spatial association is not significant: it should strengthen transport, logistics and information links with the core city clusters and join a multi-centre pattern. It should set up cross-regional cooperation, information sharing and resource matching with its higher-potential neighbours Beijing, and joint industry-university-research platforms."),
    "新疆": (
        "新疆2020年得分0.0894，在29个地区中居第27位，处于低梯队：应加大科技创新支持（如科技创新基金、成果转化扶持），推动产业结构调整升级、培育新的经济增长点，并通过人才引进与教育培训提升人力资本质量。2010—2020年得分总体呈下降趋势（线性趋势年均-2.7%，R²=0.68；得分由2010年的0.1331降至2020年的0.0894，其间2011年达到峰值0.1395），需查明下降原因，防止与其他地区差距扩大。局部空间关联不显著：应加强与核心城市群的交通、物流、信息联系，融入多中心、多层次联动的发展格局。应在全国“一盘棋”的顶层设计和统一协调机制下参与跨地区合作。",
        "Xinjiang scored 0.0894 in 2020, rank 27 of 29 (low tier): it should support innovation (innovation funds, help for commercialisation), upgrade its industrial structure and grow new sources of growth, and raise human capital through talent policies, education and training. Its 2010-2020 scores trend downward (linear trend -2.7% of its mean a year, R²=0.68; down from 0.1331 in 2010 to 0.0894 in 2020, peaking at 0.1395 in 2011): find the causes before the gap to other regions widens. Its local spatial association is not significant: it should strengthen transport, logistics and information links with the core city clusters and join a multi-centre pattern. It should take part in cross-regional cooperation under national top-level design and a unified coordination mechanism."),
}


def test_demo_table_is_codes_and_numbers(demo):
    Y, st, label = demo
    assert list(st.columns) == list(dg.STRATEGY_COLUMNS)
    assert [label[c] for c in st["region"]] == DEMO_ORDER
    assert list(st["rules"]) == DEMO_RULES
    assert not [c for c in st.columns if c.endswith(("_zh", "_en")) or c.startswith("focus")]
    s = st.set_index(st["region"].map(label))
    assert s.at["北京", "partners"] == "130000;120000"  # Hebei, Tianjin: region ids
    assert s.at["上海", "role"] == "growth_pole" and s.at["上海", "quadrant_last"] == "HH"
    assert (st["shortboards"] == "").all()
    assert s.at["广东", "peak_year"] == 2019 and s.at["广东", "rank_last"] == 1
    assert (st["tier_basis"] == "last").all()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_demo_sentences_reproduce_nqpf_01(demo, lang):
    Y, st, label = demo
    got = _render(Y, st, label, lang)
    by_region = dict(zip((label[c] for c in st["region"]), got))
    for region, (zh, en) in DEMO_FOCUS.items():
        assert by_region[region] == (zh if lang == "zh" else en), region
    assert hashlib.sha256("\n".join(got).encode("utf-8")).hexdigest() == DEMO_SHA256[lang]


# nqpf 0.1.0, `nqpf run examples/scitech/config.toml` (tables/strategy.csv): two rows with
# shortboards (group paths at level 3), their codes and numbers as strategy_table gives them now,
# and the sentences 0.1.0 wrote. Group names copied from the bundled spec scitech_example
# ([group_labels]: Chinese = the group id, English = its name_en).
SCITECH_ITEMS_EN = {"技术转化水平": "Technology transfer", "R&D投入": "R&D input",
                    "专利申请授权数": "Patents granted"}
SCITECH_REGIONS_EN = {"广东": "Guangdong", "广西": "Guangxi", "海南": "Hainan", "福建": "Fujian",
                      "江西": "Jiangxi", "浙江": "Zhejiang", "安徽": "Anhui", "湖北": "Hubei",
                      "湖南": "Hunan"}
SCITECH_ROWS = [
    {"region": "广东", "tier": "high", "trend": "rising", "direction": "up",
     "role": "not_significant", "role_first_year": "not_significant",
     "role_last_year": "not_significant", "quadrant_first": "HL", "quadrant_last": "HL",
     "shortboards": "生产资料/创新发展/技术转化水平;生产资料/创新发展/R&D投入",
     "partners": "广西;海南;福建;江西", "rules": "L1,T1,M5,S2", "score_first": 0.197795546629231,
     "score_last": 0.753048346429522, "net_change": 0.555252799800291,
     "rel_change": 1.1632968899480771, "peak_year": 2021, "peak": 0.777733175021599,
     "rank_last": 1, "mean": 0.47730962284707407, "slope": 0.05545176975888245,
     "rel_slope": 0.11617567948477905, "R2": 0.9616508387543532, "cv_resid": 0.09436779341728734},
    {"region": "江西", "tier": "lower-middle", "trend": "rising", "direction": "up",
     "role": "spillover_receiver", "role_first_year": "not_significant",
     "role_last_year": "spillover_receiver", "quadrant_first": "LH", "quadrant_last": "LH",
     "shortboards": "生产资料/创新发展/技术转化水平;生产资料/创新发展/专利申请授权数",
     "partners": "广东;浙江;安徽;湖北;湖南", "rules": "L3,T1,M3,S1",
     "score_first": 0.0205953445977166, "score_last": 0.173475050719287,
     "net_change": 0.15287970612157042, "rel_change": 1.8748490232108364, "peak_year": 2023,
     "peak": 0.173475050719287, "rank_last": 13, "mean": 0.08154240913743076,
     "slope": 0.012525273044332945, "rel_slope": 0.15360440262714062, "R2": 0.9705139833582388,
     "cv_resid": 0.1089055893701448},
]
SCITECH_FOCUS = {
    "zh": [
        "广东2023年得分0.7530，在29个地区中居第1位，处于高梯队：应充分利用自身科技创新实力，探索新产业、新模式、新动能，同时补齐技术转化水平、R&D投入等短板。2011—2023年得分总体呈上升趋势（线性趋势年均+11.6%，R²=0.96；得分由2011年的0.1978升至2023年的0.7530，其间2021年达到峰值0.7777），应保持政策连续性，巩固提升势头。作为高潜力地区，广东应发挥国际化、创新型、产业集聚等优势，成为新质生产力增长极。应与邻近的较低潜力地区广西、海南、福建、江西结对协作，发挥自身长处、帮助其补齐短板，释放“1+1>2”的合作优势。",
        "江西2023年得分0.1735，在29个地区中居第13位，处于较低梯队：应因地制宜、优先补齐技术转化水平、专利申请授权数等短板，加大科技创新与成果转化支持，推动产业结构调整升级，引进和培养人才。2011—2023年得分总体呈上升趋势（线性趋势年均+15.4%，R²=0.97；得分由2011年的0.0206升至2023年的0.1735），应保持政策连续性，巩固提升势头。江西自身较低而邻近地区较高（局部莫兰显著LH）：应主动对接邻近增长极，加强交通、物流、信息基础设施建设，承接产业与创新要素的溢出。应与邻近的较高潜力地区广东、浙江、安徽、湖北、湖南建立跨地区协作与信息共享、资源对接机制，共建产学研合作平台，借力补齐短板。",
    ],
    "en": [
        "Guangdong scored 0.7530 in 2023, rank 1 of 29 (high tier): it should use its innovation strength to explore new industries, models and drivers, and close its shortboards in Technology transfer, R&D input. Its 2011-2023 scores trend upward (linear trend +11.6% of its mean a year, R²=0.96; up from 0.1978 in 2011 to 0.7530 in 2023, peaking at 0.7777 in 2021): keep policies consistent to sustain the gain. As a high-potential region, Guangdong should use its international, innovative and industrial-cluster strengths to become a growth pole. It should pair with its lower-potential neighbours Guangxi, Hainan, Fujian, Jiangxi, lending its strengths to close their shortboards (\"1+1>2\").",
        "Jiangxi scored 0.1735 in 2023, rank 13 of 29 (lower-middle tier): it should first close its shortboards in Technology transfer, Patents granted, support innovation and its commercialisation, upgrade its industrial structure, and attract and train talent. Its 2011-2023 scores trend upward (linear trend +15.4% of its mean a year, R²=0.97; up from 0.0206 in 2011 to 0.1735 in 2023): keep policies consistent to sustain the gain. Jiangxi is low while its neighbours are high (significant LH): it should connect to the nearby growth poles through transport, logistics and information infrastructure and take up spillovers of industry and innovation. It should set up cross-regional cooperation, information sharing and resource matching with its higher-potential neighbours Guangdong, Zhejiang, Anhui, Hubei, Hunan, and joint industry-university-research platforms.",
    ],
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_shortboard_sentences_reproduce_nqpf_01(lang):
    st = pd.DataFrame(SCITECH_ROWS, columns=list(dg.STRATEGY_COLUMNS))

    def item_name(path):  # a group path shows as its last group, named in the language
        last = path.rsplit("/", 1)[-1]
        return last if lang == "zh" else SCITECH_ITEMS_EN[last]

    def region_name(r):
        return r if lang == "zh" else SCITECH_REGIONS_EN[r]

    got = dg.render_focus(st, lang, region_name=region_name, item_name=item_name,
                          first_year=2011, last_year=2023, n_regions=29)
    assert got == SCITECH_FOCUS[lang]


# The path phrase in every wording (hand cases; the same strings as nqpf 0.1.0's _path_phrase):
# (first, last, peak_year, peak, mean, rel_slope, R2) for 2010-2020 → (zh, en)
PATH_CASES = [
    ((0.1, 0.2, 2020, 0.2, 0.15, 0.05, 0.9),
     "线性趋势年均+5.0%，R²=0.90；得分由2010年的0.1000升至2020年的0.2000",
     "linear trend +5.0% of its mean a year, R²=0.90; up from 0.1000 in 2010 to 0.2000 in 2020"),
    ((0.1, 0.2, 2015, 0.3, 0.15, 0.05, 0.9),
     "线性趋势年均+5.0%，R²=0.90；得分由2010年的0.1000升至2020年的0.2000，其间2015年达到峰值0.3000",
     "linear trend +5.0% of its mean a year, R²=0.90; up from 0.1000 in 2010 to 0.2000 in 2020, "
     "peaking at 0.3000 in 2015"),
    ((0.2, 0.1, 2010, 0.2, 0.15, 0.05, 0.9),
     "线性趋势年均+5.0%，R²=0.90；但2020年的0.1000低于2010年的0.2000",
     "linear trend +5.0% of its mean a year, R²=0.90; although 2020 (0.1000) ended below 2010 (0.2000)"),
    ((0.2, 0.2005, 2020, 0.2005, 0.2, 0.0, 0.1),
     "线性趋势年均0.0%，R²=0.10；2020年得分0.2005与2010年的0.2000基本持平",
     "linear trend 0.0% of its mean a year, R²=0.10; 0.2005 in 2020, about level with 2010 (0.2000)"),
    ((0.2, 0.2005, 2015, 0.3, 0.2, 0.0, 0.1),
     "线性趋势年均0.0%，R²=0.10；2015年达到峰值0.3000，2020年得分0.2005与2010年的0.2000基本持平",
     "linear trend 0.0% of its mean a year, R²=0.10; peaking at 0.3000 in 2015; 0.2005 in 2020, "
     "about level with 2010 (0.2000)"),
    ((0.2, 0.1, 2010, 0.2, 0.15, -0.05, 0.9),
     "线性趋势年均-5.0%，R²=0.90；得分由2010年的0.2000降至2020年的0.1000",
     "linear trend -5.0% of its mean a year, R²=0.90; down from 0.2000 in 2010 to 0.1000 in 2020"),
    ((0.1, 0.2, 2020, 0.2, 0.15, -0.05, 0.9),
     "线性趋势年均-5.0%，R²=0.90；但2020年的0.2000高于2010年的0.1000",
     "linear trend -5.0% of its mean a year, R²=0.90; although 2020 (0.2000) ended above 2010 (0.1000)"),
    ((0.1, 0.2, 2015, 0.35, 0.15, -0.05, 0.9),
     "线性趋势年均-5.0%，R²=0.90；2015年达到峰值0.3500，但2020年的0.2000高于2010年的0.1000",
     "linear trend -5.0% of its mean a year, R²=0.90; peaking at 0.3500 in 2015, although 2020 "
     "(0.2000) ended above 2010 (0.1000)"),
]


@pytest.mark.parametrize("args, zh, en", PATH_CASES)
def test_path_phrase(args, zh, en):
    assert dg.path_phrase("zh", 2010, 2020, *args) == zh
    assert dg.path_phrase("en", 2010, 2020, *args) == en


def test_old_and_neutral_placeholders_render_alike(demo):
    """The bundled rules use {tier}, {path} …; a rules file of nqpf 0.1 ({tier_zh} in template_zh,
    {tier_en} in template_en …) renders the same sentences."""
    Y, st, label = demo
    rules = dg.load_rules()
    old = rules.copy()
    for lang in ("zh", "en"):
        col = f"template_{lang}"
        old[col] = old[col].str.replace(r"\{(tier|trend|direction|role|path)\}", rf"{{\1_{lang}}}",
                                        regex=True)
    assert old["template_zh"].str.contains("{path_zh}", regex=False).any()
    for lang in ("zh", "en"):
        name = label.get if lang == "zh" else (lambda c: regions.name(c, "en"))
        kw = dict(region_name=name, item_name=str, first_year=2010, last_year=2020)
        assert dg.render_focus(st, lang, rules=old, **kw) == dg.render_focus(st, lang, **kw)


def test_new_language_needs_a_catalogue_and_a_template_column(monkeypatch, demo):
    """A language ``xx`` = a catalogue + a ``template_xx`` column; no code change."""
    Y, st, label = demo
    en = i18n.catalogue("en")
    xx = {**en, "cat.tier.high": "HIGH", "cat.tier.upper-middle": "UPPER",
          "cat.tier.lower-middle": "LOWER", "cat.tier.low": "LOW", "strategy.list_sep": " + ",
          "strategy.sentence_sep": " | ", "strategy.path.head": "slope {slope}",
          "strategy.path.plain": "{head}", "strategy.path.peak_along": "{head}",
          "strategy.path.peak_against": "{head}", "strategy.path.peak_level": "{head}"}
    real = i18n.catalogue
    monkeypatch.setattr(i18n, "LANGS", (*i18n.LANGS, "xx"))
    monkeypatch.setattr(i18n, "catalogue", lambda lang: xx if lang == "xx" else real(lang))
    rules = dg.load_rules()
    rules["template_xx"] = rules["focus"].map({"local": "{region}: {tier} ({path})",
                                               "trend": "{trend}/{direction}", "multicore": "{role}",
                                               "synergy": "<{partners}>"})
    rules = dg.load_rules(rules)  # a template_xx column passes the checks
    codes = {v: k for k, v in label.items()}
    one = st[st["region"].isin([codes["北京"], codes["甘肃"]])]
    got = dg.render_focus(one, "xx", region_name=lambda c: f"R{c[:2]}", item_name=str,
                          first_year=2010, last_year=2020, rules=rules)
    assert got == ["R11: HIGH (slope -1.6%) | fluctuating/downward | not significant | <R13 + R12>",
                   "R62: LOW (slope +2.3%) | fluctuating/upward | not significant | <R61>"]
    # the other languages are untouched
    assert dg.render_focus(one, "zh", region_name=label.get, item_name=str, first_year=2010,
                           last_year=2020, n_regions=29, rules=rules)[0] == DEMO_FOCUS["北京"][0]


def test_render_focus_errors(demo, tmp_path):
    Y, st, label = demo
    kw = dict(region_name=str, item_name=str, first_year=2010, last_year=2020)
    with pytest.raises(InputError, match="unknown language 'xx'"):
        dg.render_focus(st, "xx", **kw)
    only_zh = dg.load_rules().drop(columns=["template_en"])
    with pytest.raises(InputError, match="no column template_en"):
        dg.render_focus(st, "en", rules=only_zh, **kw)
    assert dg.render_focus(st.head(1), "zh", rules=only_zh, **kw)[0].startswith("440000")
    with pytest.raises(InputError, match=r"rule\(s\) \['L2'\] .* not in the rules table"):
        dg.render_focus(st, "zh", rules=dg.load_rules().query("rule_id != 'L2'"), **kw)
    with pytest.raises(InputError, match=r"missing column\(s\) \['rules'\]"):
        dg.render_focus(st.drop(columns=["rules"]), "zh", **kw)
    rules = dg.load_rules()
    no_templates = rules.drop(columns=[c for c in rules.columns if c.startswith("template_")])
    with pytest.raises(InputError, match="template_<lang>"):
        dg.load_rules(no_templates)
    bad = dg.load_rules().assign(template_xx="{tier_zz}")
    with pytest.raises(InputError, match="column template_xx: unknown placeholder"):
        dg.load_rules(bad)


def test_rows_without_rules_or_codes_render_empty():
    st = pd.DataFrame([{c: "" for c in dg.STRATEGY_COLUMNS}])
    st[["score_first", "score_last", "net_change", "rel_change", "peak", "mean", "slope",
        "rel_slope", "R2", "cv_resid"]] = 0.5
    st[["peak_year", "rank_last"]] = [2020, 1]
    assert dg.render_focus(st, "en", region_name=str, item_name=str, first_year=2018,
                           last_year=2020) == [""]


def test_list_separator_in_an_id_is_refused():
    Yw = pd.DataFrame({2018: [0.1, 0.5], 2019: [0.2, 0.5], 2020: [0.3, 0.6]}, index=["a;b", "c"])
    with pytest.raises(InputError, match="contain ';'"):
        dg.strategy_table(Yw, neighbours={"a;b": ["c"], "c": ["a;b"]}, k=2)
