"""Texts of the coupling coordination family (:mod:`nqpf.analyses.coupling`): the tables, the ten levels,
the figures, the methods text (with its worked example of the corrected and the older coupling degree) and
the parameters."""

_LEVELS_ZH = {
    "extreme_disorder": "极度失调", "severe_disorder": "严重失调", "moderate_disorder": "中度失调",
    "mild_disorder": "轻度失调", "near_disorder": "濒临失调", "barely_coordinated": "勉强协调",
    "primary_coordination": "初级协调", "intermediate_coordination": "中级协调", "good_coordination": "良好协调",
    "quality_coordination": "优质协调",
}
_LEVELS_EN = {
    "extreme_disorder": "Extreme disorder", "severe_disorder": "Severe disorder",
    "moderate_disorder": "Moderate disorder", "mild_disorder": "Mild disorder", "near_disorder": "On the verge of disorder",
    "barely_coordinated": "Barely coordinated", "primary_coordination": "Primary coordination",
    "intermediate_coordination": "Intermediate coordination", "good_coordination": "Good coordination",
    "quality_coordination": "High-quality coordination",
}

TEXTS = {
    "zh": {
        "section.coupling": "耦合协调分析",
        "caption.coupling": "各地区各年份子系统的耦合度 C、综合协调指数 T、耦合协调度 D、协调等级与滞后子系统",
        "table.coupling": "耦合协调度",
        "caption.coupling_subsystems": "耦合协调分析的子系统、权重 α 与换算为 [0, 1] 发展水平所除的组权重之和",
        "table.coupling_subsystems": "耦合协调子系统",
        "col.coupling_C": "耦合度 C",
        "col.coupling_T": "综合协调指数 T",
        "col.coupling_D": "耦合协调度 D",
        "col.coupling_level": "协调等级",
        "col.coupling_lagging": "滞后子系统",
        "col.coupling_synchronous": "同步发展",
        "col.coupling_subsystem": "子系统",
        "col.coupling_alpha": "权重 α",
        "col.coupling_scale": "组权重之和（除数）",
        **{f"cat.coupling_level.{k}": v for k, v in _LEVELS_ZH.items()},
        "figure.coupling_D": "各地区耦合协调度 D 及其等级",
        "figure.coupling_map": "{year}年耦合协调等级的空间分布",
        "plot.fig_coupling": "耦合协调度 D",
        "plot.coupling_D": "耦合协调度 D",
        "plot.coupling_level": "协调等级",
        "methods.coupling.heading": "耦合协调度模型",
        "methods.coupling.text": (
            "设 n = {n} 个子系统的发展水平为 U_{{i}} ∈ [0, 1]。耦合度 C 采用{formula}，式（{eq1}）；综合协调指数 T 为"
            "各子系统发展水平的加权和，式（{eq2}），权重 α {weights}；耦合协调度 D 按式（{eq3}）计算，取值于 [0, 1]。"
            "各子系统 U 的最大值与最小值之差不超过 {threshold} 且没有 U 为 0 时为同步发展，否则 U 最小的子系统为滞后子系统（某子系统 U = 0 时 C = D = 0，该子系统滞后）。"),
        "methods.coupling.formula.wang2021": (
            "王淑佳、孔伟、任亮等（2021，《自然资源学报》第 36 卷第 3 期）修正后的耦合度模型：第一项为 1 减去子系统两两差值"
            "绝对值的平均（分母 Σ m = n(n − 1)/2 为子系统对数），第二项为其余子系统与最高者之比的几何平均"),
        "methods.coupling.formula.traditional": (
            "传统耦合度公式（各子系统几何平均与算术平均之比；王淑佳等 2021 指出其取值集中在 1 附近、效度不足，"
            "本报告按用户设定采用）"),
        "methods.coupling.weights.equal": "相等（均为 1/n）",
        "methods.coupling.weights.given": "由用户设定（见子系统表）",
        "methods.coupling.source.index": (
            "子系统为综合指数{level}各组的子指数。子指数 Σ_{{j∈G}} w_{{j}} x′_{{j}} 的最大可能值为该组指标权重之和，"
            "除以该和即得组内标准化值的加权平均，再除以 1 + s（s 为标准化平移量），取值于 [s/(1 + s), 1]，式（{eq4}）；s = 0 时各组最差的地区-年份为 0。"),
        "methods.coupling.source.given": "子系统为用户给定的指数，取值已在 [0, 1] 内，未作任何变换。",
        "methods.coupling.levels": (
            "D 按 0.1 等距分为十级，区间左闭右开、最高一级为 [0.9, 1]：极度失调 [0, 0.1)、严重失调 [0.1, 0.2)、"
            "中度失调 [0.2, 0.3)、轻度失调 [0.3, 0.4)、濒临失调 [0.4, 0.5)、勉强协调 [0.5, 0.6)、初级协调 [0.6, 0.7)、"
            "中级协调 [0.7, 0.8)、良好协调 [0.8, 0.9)、优质协调 [0.9, 1]。"),
        "methods.coupling.example": (
            "修正公式与传统公式 C = n·[Π U_{{i}} / (Σ U_{{i}})^{{n}}]^{{1/n}} 的差别在于：传统公式只取决于子系统之间的比例，"
            "对常见的差距仍接近 1。例如两个等权子系统 U = (0.2, 0.8)：传统公式 C = {c_old}、D = {d_old}（{level_old}），"
            "修正公式 C = {c_new}、D = {d_new}（{level_new}）；U = (0.01, 0.02) 与 U = (0.4, 0.8) 的传统 C 同为 0.943。"),
        "meta.coupling_source": "耦合协调：子系统",
        "meta.coupling_formula": "耦合协调：耦合度公式",
        "meta.coupling_n": "耦合协调：子系统数",
        "meta.coupling_weights": "耦合协调：权重 α",
        "meta.coupling_sync_threshold": "耦合协调：同步发展阈值",
        "value.index_subindices": "综合指数各组的子指数（除以组权重之和）",
        "value.given_indices": "用户给定的指数",
        "value.no_subsystems": "未计算（没有子指数，也未给定子系统）",
        "value.not_minmax": "未计算（指标未采用极差标准化）",
        "value.single_group": "未计算（不足两个子系统）",
        "value.wang2021": "王淑佳等（2021）修正模型",
        "value.traditional": "传统公式",
        "conv.coupling": "耦合协调度",
        "convtext.coupling.wang2021": (
            "C 为王淑佳等（2021）修正模型 √[(1 − 两两差值绝对值之和 / Σ_{m=1}^{n−1} m) · (Π U_i / U_max)^{1/(n−1)}]；"
            "T = Σ α_i U_i；D = √(C·T)；十个等级左闭右开、宽 0.1；极差 ≤ 阈值为同步发展，否则 U 最小者滞后；"
            "全部 U 为 0 时 C 无定义（空值）、D 取其极限 0"),
        "convtext.coupling.traditional": (
            "C 为传统公式 n·[Π U_i / (Σ U_i)^n]^{1/n}；T = Σ α_i U_i；D = √(C·T)；十个等级左闭右开、宽 0.1；"
            "极差 ≤ 阈值为同步发展，否则 U 最小者滞后；全部 U 为 0 时 C 无定义（空值）、D 取其极限 0"),
    },
    "en": {
        "section.coupling": "Coupling coordination",
        "caption.coupling": ("Coupling degree C, coordination index T, coupling coordination degree D, level and lagging "
                             "subsystem by region and year"),
        "table.coupling": "Coupling coordination",
        "caption.coupling_subsystems": ("Subsystems of the coupling analysis, their weights α and the group total weight "
                                        "each sub-index was divided by to give a level in [0, 1]"),
        "table.coupling_subsystems": "Coupling subsystems",
        "col.coupling_C": "Coupling degree C",
        "col.coupling_T": "Coordination index T",
        "col.coupling_D": "Coupling coordination D",
        "col.coupling_level": "Coordination level",
        "col.coupling_lagging": "Lagging subsystem",
        "col.coupling_synchronous": "Synchronous",
        "col.coupling_subsystem": "Subsystem",
        "col.coupling_alpha": "Weight α",
        "col.coupling_scale": "Group total weight (divisor)",
        **{f"cat.coupling_level.{k}": v for k, v in _LEVELS_EN.items()},
        "figure.coupling_D": "Coupling coordination degree D by region and year, and its level",
        "figure.coupling_map": "Coupling coordination levels, {year}",
        "plot.fig_coupling": "Coupling coordination degree D",
        "plot.coupling_D": "Coupling coordination degree D",
        "plot.coupling_level": "Coordination level",
        "methods.coupling.heading": "Coupling coordination degree",
        "methods.coupling.text": (
            "Let U_{{i}} ∈ [0, 1] be the development levels of the n = {n} subsystems. The coupling degree C is "
            "{formula}, eq. ({eq1}); the comprehensive coordination index T is their weighted sum, eq. ({eq2}), with "
            "weights α {weights}; the coupling coordination degree D, eq. ({eq3}), lies in [0, 1]. Development is "
            "synchronous when the highest and the lowest U differ by at most {threshold} and no U is 0; otherwise the "
            "subsystem with the lowest U lags (a subsystem at U = 0 makes C = D = 0 and lags)."),
        "methods.coupling.formula.wang2021": (
            "the corrected coupling degree of Wang, Kong, Ren et al. (2021, Journal of Natural Resources 36(3)): one "
            "minus the mean absolute difference between pairs of subsystems (Σ m = n(n − 1)/2 counts the pairs), times "
            "the geometric mean of the ratios of the other subsystems to the leading one"),
        "methods.coupling.formula.traditional": (
            "the traditional coupling degree (the ratio of the geometric to the arithmetic mean of the subsystems; "
            "Wang et al. 2021 show that it stays close to 1 and discriminates poorly; used here as the user chose)"),
        "methods.coupling.weights.equal": "equal (1/n each)",
        "methods.coupling.weights.given": "set by the user (see the subsystem table)",
        "methods.coupling.source.index": (
            "The subsystems are the sub-indices of the groups of the index's {level}. A sub-index Σ_{{j∈G}} w_{{j}} "
            "x′_{{j}} can reach at most the total weight of its group; divided by it, it is the weighted mean of the "
            "group's normalised values, and divided again by 1 + s (s the normalisation shift) a level in "
            "[s/(1 + s), 1], eq. ({eq4}); with s = 0 the lowest region-year of a group is 0."),
        "methods.coupling.source.given": "The subsystems are indices given by the user, in [0, 1], used as given.",
        "methods.coupling.levels": (
            "D is classified in ten levels of width 0.1, each closed on the left, the highest [0.9, 1]: extreme "
            "disorder [0, 0.1), severe disorder [0.1, 0.2), moderate disorder [0.2, 0.3), mild disorder [0.3, 0.4), "
            "on the verge of disorder [0.4, 0.5), barely coordinated [0.5, 0.6), primary coordination [0.6, 0.7), "
            "intermediate coordination [0.7, 0.8), good coordination [0.8, 0.9), high-quality coordination [0.9, 1]."),
        "methods.coupling.example": (
            "The corrected and the traditional coupling degree C = n·[Π U_{{i}} / (Σ U_{{i}})^{{n}}]^{{1/n}} differ: the "
            "traditional one depends only on the proportions between the subsystems and stays close to 1 for ordinary "
            "gaps. For two equally weighted subsystems U = (0.2, 0.8) the traditional formula gives C = {c_old}, "
            "D = {d_old} ({level_old}), the corrected one C = {c_new}, D = {d_new} ({level_new}); U = (0.01, 0.02) and "
            "U = (0.4, 0.8) both have the traditional C = 0.943."),
        "meta.coupling_source": "Coupling: subsystems",
        "meta.coupling_formula": "Coupling: coupling degree",
        "meta.coupling_n": "Coupling: number of subsystems",
        "meta.coupling_weights": "Coupling: weights α",
        "meta.coupling_sync_threshold": "Coupling: synchronous threshold",
        "value.index_subindices": "sub-indices of the index's groups (divided by the group total weight)",
        "value.given_indices": "indices given by the user",
        "value.no_subsystems": "not computed (no sub-indices and no subsystems given)",
        "value.not_minmax": "not computed (indicators not min-max normalised)",
        "value.single_group": "not computed (fewer than two subsystems)",
        "value.wang2021": "corrected model of Wang et al. (2021)",
        "value.traditional": "traditional formula",
        "conv.coupling": "Coupling coordination",
        "convtext.coupling.wang2021": (
            "C by the corrected model of Wang et al. (2021), √[(1 − sum of absolute pairwise differences / Σ_{m=1}^{n−1} m) "
            "· (Π U_i / U_max)^{1/(n−1)}]; T = Σ α_i U_i; D = √(C·T); ten levels of width 0.1 closed on the left; "
            "synchronous when max U − min U ≤ the threshold, else the lowest U lags; C undefined (empty) when every U is "
            "0, D then its limit 0"),
        "convtext.coupling.traditional": (
            "C by the traditional formula n·[Π U_i / (Σ U_i)^n]^{1/n}; T = Σ α_i U_i; D = √(C·T); ten levels of width "
            "0.1 closed on the left; synchronous when max U − min U ≤ the threshold, else the lowest U lags; C undefined "
            "(empty) when every U is 0, D then its limit 0"),
    },
}
