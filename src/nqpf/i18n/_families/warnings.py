"""Texts of the warnings written in the reader's language (``warning.<code>``, :class:`nqpf.i18n._reasons.Notice`)
and of the clauses they are made of. The English texts are the warnings' ``str()``."""

TEXTS = {
    "zh": {
        "cli.warning": "警告：",
        "error.not_provinces": "{file}：这些地区是{what}（{names}{more}），而权重“china-provinces”是省级邻接；"
                               "请改用由这些单元的边界构建的权重：命令行 --weights queen（或 rook、knn:6），"
                               "网页中空间权重选 Queen（或 Rook、k 近邻）",
        "error.level_county": "县级单元",
        "error.level_city": "地级单元",
        "error.region_ambiguous_rows": "{file}，第 {row} 行 {column} 列：地区“{name}”有歧义，它对应 {n} 个单元：{units}；"
                                       "第 {row} 行与第 {other} 行在 {year} 年、变量“{variable}”上都写作“{name}”；"
                                       "请写出带上级地区的名称（如上）或六位行政区划代码",
        "warning.and_more": "等，另有 {n} 个",
        # the indicator screen of the index
        "warning.extreme_value": "指标 {col}：极端值 {value:.4g}，位于 {where}{ratio}{more}（偏度 {skew:.3g}，峰度 "
                                 "{kurt:.3g}）{effect}。{advice}用 --treat winsorise（配置文件：[index] treat = "
                                 "'winsorise'）处理该指标",
        "warning.ratio_median": "（为中位数 {median:.4g} 的 {ratio:.3g} 倍）",
        "warning.more_extreme": "，另有 {n} 个极端值",
        "warning.extreme_effect": "；其权重为 {weight:.3f}（{m} 个指标中排第 {rank}；平均份额 {equal:.3f}），处理后为 "
                                  "{treated:.3f}",
        "warning.advice_unit": "请检查单位：与其他值相差如此之大通常是单位错误；或",
        "warning.advice_keep": "若数值无误（领先地区），可保留（默认），或",
        "warning.extreme_treated": "指标 {col}：受极端值影响而偏态（最大值 {value:.4g}，位于 {where}）；已处理（{how}）："
                                   "权重 {weight:.3f}{prev}",
        "warning.untreated_weight": "（未处理时 {w:.3f}）",
        "warning.step_indicator": "指标 {col} 呈阶梯式变化（各地区历年的不同取值很少，如两次调查之间沿用的存量或普查数据）；"
                                  "其权重为 {weight:.3f}（{m} 个指标中排第 {rank}；平均份额 {equal:.3f}）：决定其权重的"
                                  "可能是这些阶梯而非各地区的发展；请在调查年份之间插值，或不用该指标",
        "warning.dominant_indicator": "指标 {col} 的权重为 {weight:.3f}（{m} 个指标中超过 {limit:.2f}）：解读得分前请检查其数值",
        "warning.coupling_zero": "耦合协调：{n} 个地区-年份有子系统的发展水平为 0（首个：{first}，{subsystem}），该处 C = 0、"
                                 "D = 0（极度失调）；该子系统即为滞后子系统，发展不同步{hint}",
        "warning.coupling_zero_hint_given": "；发展水平为 0 时，无论其他子系统如何 C 都为 0：若最低值并非表示“完全没有”，"
                                            "请给出大于 0 的发展水平",
        "warning.coupling_zero_hint_index": "；极差标准化把每个指标最低的地区-年份置为 0（合并标准化时为整个面板的最小值），"
                                            "因此在某一组全部指标上都最低的地区-年份，其子指数为 0；如需保持发展水平为正，"
                                            "可给指数加一个很小的平移量：配置文件中写 [index] shift = 0.0001，"
                                            "或在命令行用 --shift 0.0001",
        "warning.covariates_how": "在 nqpf analyze 或 nqpf run 中用 --covariates FILE，或在配置文件中写 [drivers] covariates = "
                                  "\"FILE\"：CSV/Excel，长表（region、year、var1、var2……）或每个变量一个地区×年份的工作表；"
                                  "在 Python 中用 nqpf.analyze(..., extras=dict(covariates=含 region、year（可选）和每个因子"
                                  "一列的 DataFrame))",
        "warning.drivers_circular": "地理探测器：探测因子是构成综合得分的指数自身指标，因此 q 衡量的是各指标在多大程度上"
                                    "塑造了综合得分的空间分异（并非外部驱动因素；q 值高、交互作用增强均由构造所致）；"
                                    "如需外部驱动因素，请提供协变量（{how}），或用 --skip drivers 不运行该分析",
        "warning.geodetector_risk_few": "地理探测器：某一分层少于 2 个单元时，风险探测的 t 检验为空（NaN）：{cells}{more}",
        "warning.geodetector_risk_flat": "地理探测器：两个分层均无方差时，风险探测的 t 检验为空（NaN）：{cells}{more}",
        "warning.islands": "{n} 个单元没有 {kind} 邻居（孤岛）：{regions}{more}；{hint}",
        "warning.islands_linked": "{n} 个没有 {kind} 邻居的单元已连接到最近的单元：{pairs}{more}（孤岛选项 nearest）",
        "warning.island_hint": "孤岛选项 nearest（命令行 --island nearest，Python 中 island='nearest'）把每个孤岛"
                               "连接到离它最近的{unit}",
        "warning.unit_unit": "单元",
        "warning.unit_region": "地区",
        "warning.spatial_markov_islands": "空间马尔可夫链：{n} 个地区没有邻居，没有空间滞后；它们的转移不计入空间马尔可夫链",
        "warning.spatial_markov_empty_rows": "空间马尔可夫链：{total} 行（滞后类型，类型）中有 {n} 行没有任何转移：其概率为空"
                                             "（NaN），标记为“空”（不做填补）",
        "warning.lisa_markov_no_quadrant": "LISA 马尔可夫链：{n} 个地区-年份没有象限（没有邻居的地区、所有地区得分相同的年份）；"
                                           "由此出发或到达的转移不计",
    },
    "en": {
        "cli.warning": "warning:",
        "error.not_provinces": "{file}: the regions are {what} ({names}{more}), but the weights 'china-provinces' are "
                               "the contiguity of provinces; build the weights from the units' boundaries instead: "
                               "--weights queen (or rook, or knn:6) on the command line, Queen (or Rook, k nearest) "
                               "in the web app's weights field",
        "error.level_county": "county-level units",
        "error.level_city": "prefecture-level cities",
        "error.region_ambiguous_rows": "{file}, row {row}, column {column}: region '{name}' is ambiguous: it names {n} "
                                       "units: {units}; rows {row} and {other} both name '{name}' for year {year}, "
                                       "variable '{variable}'; write the qualified name (as above) or the six-digit "
                                       "code",
        "warning.and_more": " and {n} more",
        "warning.extreme_value": "indicator {col}: extreme value {value:.4g} in {where}{ratio}{more} (skewness {skew:.3g}, "
                                 "kurtosis {kurt:.3g}){effect}. {advice}treat the indicator with --treat winsorise "
                                 "(config: [index] treat = 'winsorise')",
        "warning.ratio_median": " ({ratio:.3g} × the median {median:.4g})",
        "warning.more_extreme": " and {n} more extreme value(s)",
        "warning.extreme_effect": "; it takes weight {weight:.3f} (rank {rank} of {m}; equal share {equal:.3f}), "
                                  "{treated:.3f} once treated",
        "warning.advice_unit": "Check the unit: a value this far from the others is usually a unit slip; or ",
        "warning.advice_keep": "If the value is right (a leading region), keep it (the default) or ",
        "warning.extreme_treated": "indicator {col}: skewed by extreme values (largest {value:.4g} in {where}); treated "
                                   "({how}): weight {weight:.3f}{prev}",
        "warning.untreated_weight": " (untreated {w:.3f})",
        "warning.step_indicator": "indicator {col} changes in steps (few distinct values per region over the years, as an "
                                  "inventory or census carried between surveys); it takes weight {weight:.3f} (rank "
                                  "{rank} of {m}; equal share {equal:.3f}): the steps, not the regions' development, "
                                  "may be deciding its weight; interpolate between survey years or leave it out",
        "warning.dominant_indicator": "indicator {col} takes weight {weight:.3f} (more than {limit:.2f} of {m} "
                                      "indicators): check its values before reading the scores",
        "warning.coupling_zero": "coupling: {n} region-year(s) have a subsystem at level 0 (first: {first}, {subsystem}), "
                                 "so C = 0 and D = 0 there (level extreme_disorder); that subsystem is the lagging one "
                                 "and development is not synchronous{hint}",
        "warning.coupling_zero_hint_given": "; a level of 0 makes C = 0 whatever the other subsystems: give levels above "
                                            "0 if the lowest one is not meant as 'nothing at all'",
        "warning.coupling_zero_hint_index": "; min-max normalisation puts the lowest region-year of every indicator at 0 "
                                            "(pooled: the panel minimum), so a region-year lowest on every indicator of a "
                                            "group has that sub-index at 0; to keep the levels positive give the index a "
                                            "small shift: [index] shift = 0.0001 in the config, or --shift 0.0001 on the "
                                            "command line",
        "warning.covariates_how": "--covariates FILE with nqpf analyze or nqpf run, or [drivers] covariates = \"FILE\" in "
                                  "the config: CSV/Excel, long region, year, var1, var2 … or one regions × years sheet "
                                  "per variable; in Python nqpf.analyze(..., extras=dict(covariates=DataFrame with "
                                  "columns region, year (optional) and one column per factor))",
        "warning.drivers_circular": "drivers: the factors are the index's own indicators, from which the score is built, "
                                    "so q measures how much each indicator shapes the spatial stratification of the "
                                    "composite (not an outside driver; high q and enhancing interactions follow by "
                                    "construction); for outside drivers give covariates ({how}), or leave the family "
                                    "out with --skip drivers",
        "warning.geodetector_risk_few": "geodetector: risk t-test NaN where a stratum has fewer than 2 units: {cells}{more}",
        "warning.geodetector_risk_flat": "geodetector: risk t-test NaN where both strata have no variance: {cells}{more}",
        "warning.islands": "{n} unit(s) without {kind} neighbours (islands): {regions}{more}; {hint}",
        "warning.islands_linked": "{n} unit(s) without {kind} neighbours linked to the nearest unit: {pairs}{more} "
                                  "(island option nearest)",
        "warning.island_hint": "the island option nearest (--island nearest on the command line, island='nearest' in "
                               "Python) links each to its nearest {unit}",
        "warning.unit_unit": "unit",
        "warning.unit_region": "region",
        "warning.spatial_markov_islands": "spatial_markov: {n} region(s) without neighbours have no spatial lag; their "
                                          "transitions are left out of the spatial Markov chains",
        "warning.spatial_markov_empty_rows": "spatial_markov: {n} of the {total} rows (lag class, class) have no "
                                             "transition: their probabilities are NaN and flagged 'empty' (never filled)",
        "warning.lisa_markov_no_quadrant": "lisa_markov: {n} region-year(s) have no quadrant (regions without neighbours, "
                                           "years in which every region has the same score); transitions from or to them "
                                           "are left out",
    },
}
