"""Texts of the Markov family (:mod:`nqpf.analyses.markov`): Markov, spatial Markov and LISA Markov
chains, their tests, classes and figures."""

_BASIS_ZH = {
    "pooled_quantiles": "全部地区-年份得分混合计算的分位数",
    "yearly_mean_quantiles": "得分与当年均值之比，按全部地区-年份比值混合计算的分位数",
    "yearly_mean_breaks": "得分与当年均值之比，按给定断点",
    "user_breaks": "按给定的得分断点",
    "lag_quantiles": "空间滞后值自身全部地区-年份混合计算的分位数",
    "score_breaks": "与得分相同的等级断点",
}
_BASIS_EN = {
    "pooled_quantiles": "quantiles of the scores of all region-years pooled",
    "yearly_mean_quantiles": "ratio of the score to its year's mean, quantiles of the ratios of all region-years pooled",
    "yearly_mean_breaks": "ratio of the score to its year's mean, at the given breaks",
    "user_breaks": "the given breaks of the scores",
    "lag_quantiles": "quantiles of the spatial lags themselves, all region-years pooled",
    "score_breaks": "the class breaks of the scores",
}
_TABLES_ZH = {
    "markov_classes": ("马尔可夫链等级划分", "马尔可夫等级划分"),
    "markov": ("马尔可夫转移概率矩阵", "马尔可夫转移概率"),
    "markov_steady_state": ("马尔可夫链初始、期末与稳态分布", "马尔可夫稳态分布"),
    "markov_first_passage": ("马尔可夫链平均首次通过时间（年）", "马尔可夫首次通过时间"),
    "spatial_markov": ("空间马尔可夫转移概率矩阵（按邻域等级）", "空间马尔可夫转移概率"),
    "spatial_markov_steady_state": ("空间马尔可夫链各邻域等级下的稳态分布", "空间马尔可夫稳态分布"),
    "spatial_markov_first_passage": ("空间马尔可夫链平均首次通过时间（年）", "空间马尔可夫首次通过时间"),
    "markov_tests": ("马尔可夫链检验：时间齐性、空间依赖与 LISA 跃迁独立性", "马尔可夫检验"),
    "lisa_markov": ("LISA 象限转移概率矩阵", "LISA马尔可夫转移"),
    "lisa_markov_types": ("LISA 时空跃迁类型、时空凝聚度与流动度", "LISA时空跃迁类型"),
}
_TABLES_EN = {
    "markov_classes": ("Classes of the Markov chains", "Markov classes"),
    "markov": ("Markov transition probability matrix", "Markov transitions"),
    "markov_steady_state": ("Initial, final and steady-state distributions of the Markov chain", "Markov steady state"),
    "markov_first_passage": ("Mean first passage times of the Markov chain (years)", "Markov first passage"),
    "spatial_markov": ("Spatial Markov transition probabilities by the neighbours' class", "Spatial Markov"),
    "spatial_markov_steady_state": ("Steady states of the spatial Markov chains by the neighbours' class",
                                    "Spatial Markov steady state"),
    "spatial_markov_first_passage": ("Mean first passage times of the spatial Markov chains (years)",
                                     "Spatial Markov first passage"),
    "markov_tests": ("Tests of the Markov chains: time homogeneity, spatial dependence, independence of LISA moves",
                     "Markov tests"),
    "lisa_markov": ("Transition probabilities between local Moran quadrants", "LISA Markov"),
    "lisa_markov_types": ("Space-time transition types of LISA, cohesion and flux", "LISA transition types"),
}
_TYPES = ("0", "I", "II", "IIIA", "IIIB")

ZH = {
    "section.dynamics": "分布动态演进",
    # columns
    "col.from_class": "期初等级",
    "col.to_class": "期末等级",
    "col.lag_class": "邻域等级",
    "col.from_quadrant": "期初象限",
    "col.to_quadrant": "期末象限",
    "col.markov_class": "等级",
    "col.markov_p": "转移概率",
    "col.markov_empty": "空行（无转移）",
    "col.markov_steps": "步数",
    "col.markov_years": "年数",
    "col.markov_lower": "下限",
    "col.markov_upper": "上限",
    "col.markov_basis": "划分依据",
    "col.markov_initial": "初始分布（首年）",
    "col.markov_final": "末年分布",
    "col.markov_steady_state": "稳态分布",
    "col.markov_test": "检验",
    "col.markov_statistic": "统计量",
    "col.markov_df": "自由度",
    "col.markov_p_value": "p 值",
    "col.markov_regimes": "组数",
    "col.markov_transitions": "转移次数",
    "col.markov_expected": "独立假设下期望次数",
    "col.markov_year_from": "起始年",
    "col.markov_year_to": "结束年",
    "col.markov_pooled": "全时段合计",
    "col.lisa_cohesion": "时空凝聚度 S_C",
    "col.lisa_flux": "时空流动度 S_F",
    # codes
    "cat.markov_variable.score": "得分",
    "cat.markov_variable.lag": "空间滞后",
    "cat.markov_test.time_Q": "时间齐性 Q 检验（前后两子时期）",
    "cat.markov_test.time_LR": "时间齐性似然比检验（前后两子时期）",
    "cat.markov_test.spatial_Q": "空间依赖 Q 检验（Bickenbach–Bode）",
    "cat.markov_test.spatial_LR": "空间依赖似然比检验（Bickenbach–Bode）",
    "cat.markov_test.lisa_chi2": "LISA 地区与邻域跃迁独立性 χ² 检验",
    "cat.markov_test.lisa_LR": "LISA 地区与邻域跃迁独立性似然比检验",
    "cat.lisa_type.0": "类型 0：地区与邻域均未跃迁",
    "cat.lisa_type.I": "类型 I：仅地区跃迁",
    "cat.lisa_type.II": "类型 II：仅邻域跃迁",
    "cat.lisa_type.IIIA": "类型 IIIA：地区与邻域同向跃迁",
    "cat.lisa_type.IIIB": "类型 IIIB：地区与邻域反向跃迁",
    # figures
    "figure.markov_heatmap": "马尔可夫转移概率矩阵（跨度 {d} 年）",
    "figure.spatial_markov_heatmap": "空间马尔可夫转移概率矩阵（按期初邻域等级，跨度 {d} 年）",
    "figure.lisa_markov_heatmap": "LISA 象限转移概率矩阵（跨度 {d} 年）",
    "figure.lisa_types": "LISA 时空跃迁类型构成（跨度 {d} 年）",
    "plot.markov_from": "期初等级",
    "plot.markov_to": "期末等级",
    "plot.markov_class": "{n} 级",
    "plot.markov_lag_class": "邻域等级 {n}",
    "plot.markov_probability": "转移概率",
    "plot.markov_empty": "无转移",
    "plot.markov_basis": "等级划分：{basis}",
    "plot.markov_lag_basis": "邻域等级划分：{basis}",
    "plot.markov_lag_class_range": "{head}（{range}）",
    "plot.markov_period": "时段",
    "plot.markov_from_quadrant": "期初象限",
    "plot.markov_to_quadrant": "期末象限",
    "plot.markov_share": "占比",
    "plot.markov_title": "马尔可夫转移概率矩阵",
    "plot.spatial_markov_title": "空间马尔可夫转移概率矩阵",
    "plot.lisa_markov_title": "LISA 象限转移概率矩阵",
    "plot.lisa_types_title": "LISA 时空跃迁类型构成",
    # parameters
    "meta.markov_classes": "马尔可夫等级数",
    "meta.markov_classes_basis": "马尔可夫等级划分依据",
    "meta.markov_breaks": "马尔可夫等级断点",
    "meta.markov_lag_years": "马尔可夫转移跨度（年）",
    "meta.markov_lag_classes": "空间马尔可夫邻域等级依据",
    "meta.markov_lag_breaks": "邻域等级断点",
    "meta.markov_split_year": "时间齐性检验分段年份",
    "meta.markov_transitions": "马尔可夫转移次数",
    "meta.markov_empty_rows": "马尔可夫空行数",
    "meta.markov_steady_state": "马尔可夫稳态分布",
    "meta.spatial_markov_transitions": "空间马尔可夫转移次数",
    "meta.spatial_markov_empty_rows": "空间马尔可夫空行数",
    "meta.spatial_markov_islands": "空间马尔可夫中剔除的无邻接地区数",
    "meta.lisa_markov_transitions": "LISA 跃迁次数",
    "value.markov_unique": "唯一",
    "value.markov_entered_empty": "不确定（转入了无转出的等级）",
    "value.markov_several_closed": "不唯一（多个闭类）",
    # conventions
    "conv.markov": "马尔可夫链",
    "conv.spatial_markov": "空间马尔可夫链",
    "conv.markov_empty": "马尔可夫空行",
    "conv.lisa_markov": "LISA 时空跃迁",
    "convtext.markov_empty": "没有转移出发的等级（空行）概率记为缺失并标注，不作填补；稳态分布与首次通过时间在有转移的等级上计算，若空等级被转入则记为缺失",
    "convtext.lisa_markov": "象限取自局部莫兰表（位于均值处记为低；无邻接地区与得分全同年份不计）；类型 0 为地区与邻域均保持象限高低位置，I 仅地区变化，II 仅邻域变化，IIIA 同向、IIIB 反向同时变化；凝聚度 S_C = F_0/m，流动度 S_F = 1 − S_C；独立性 χ² 检验同 giddy 的 LISA_Markov 公式，但两条高/低链按地区随时间构造",
    # methods
    "methods.markov.heading": "马尔可夫链、空间马尔可夫链与 LISA 时空跃迁",
    "methods.markov.text": "将全部地区-年份的得分划分为 {k} 个等级（{basis}；第 1 级最低，区间左开右闭），统计每个地区相隔 {d} 年的等级转移（每一对相隔 {d} 年的年份均计入，时段可重叠），转移概率按式（{eq1}）作极大似然估计，n_{{ij}} 为由等级 i 转入等级 j 的次数，n_{{i}} 为由等级 i 出发的转移总数。没有任何转移出发的等级为空行：其概率不作填补，记为缺失并标注。",
    "methods.markov.ergodic": "稳态分布 π 由式（{eq2}）求得：转移链只有一个闭类时唯一（暂态等级为 0）；有多个闭类或转入了空等级时不唯一或不确定，记为缺失。平均首次通过时间 m_{{ij}} 由式（{eq3}）求得，即从等级 i 出发首次到达等级 j 的期望步数（一步为转移跨度），m_{{jj}} 为平均回返时间 1/π_{{j}}（Kemeny 与 Snell 1976）；不能以概率 1 到达时为无穷大。",
    "methods.markov.time_test": "转移概率的时间齐性以 Bickenbach 与 Bode（2003）的 Q 检验（式 {eq4}）与似然比检验（式 {eq5}）检验：按起始年份将转移分为 {split} 年之前与之后两个子时期 r，p_{{ij}}(r) 为子时期内的转移概率，b_{{i}} 为有等级 i 出发转移的子时期数，a_{{i}} 为合并矩阵第 i 行的正元素个数；原假设为两子时期转移概率相同，统计量渐近服从自由度为 df 的 χ² 分布。",
    "methods.markov.spatial": "空间马尔可夫链（Rey 2001）按期初邻域空间滞后 Σ_{{j}} w_{{ij}} y_{{j}}（行标准化权重）所属等级（{lag_basis}）分别估计条件转移概率矩阵，并以式（{eq4}）与式（{eq5}）检验各邻域等级 r 下的转移概率是否相同（空间依赖的 Q 与似然比检验）。无邻接地区没有空间滞后，不计入空间马尔可夫链。",
    "methods.markov.lisa": "LISA 时空跃迁（Rey 2001）以局部莫兰散点图象限（HH、LH、LL、HL）为状态估计转移概率，并区分跃迁类型：类型 0 为地区与邻域均保持原有高低位置（部分文献称类型 IV），类型 I 仅地区自身跃迁，类型 II 仅邻域跃迁，类型 III 为地区与邻域同时跃迁（IIIA 同向、IIIB 反向）。时空凝聚度 S_{{C}} 与流动度 S_{{F}} 由式（{eq6}）计算，F_{{0}} 为类型 0 跃迁次数，m 为跃迁总数。地区跃迁与邻域跃迁相互独立的原假设以 χ² 检验与似然比检验检验，期望次数为地区与邻域两条高/低二状态链转移矩阵的 Kronecker 积乘以各象限的转移总数。",
}
EN = {
    "section.dynamics": "Distribution dynamics",
    "col.from_class": "Class at start",
    "col.to_class": "Class at end",
    "col.lag_class": "Neighbours' class",
    "col.from_quadrant": "Quadrant at start",
    "col.to_quadrant": "Quadrant at end",
    "col.markov_class": "Class",
    "col.markov_p": "Transition probability",
    "col.markov_empty": "Empty row (no transitions)",
    "col.markov_steps": "Steps",
    "col.markov_years": "Years",
    "col.markov_lower": "Lower bound",
    "col.markov_upper": "Upper bound",
    "col.markov_basis": "Basis",
    "col.markov_initial": "Initial distribution (first year)",
    "col.markov_final": "Last-year distribution",
    "col.markov_steady_state": "Steady state",
    "col.markov_test": "Test",
    "col.markov_statistic": "Statistic",
    "col.markov_df": "Degrees of freedom",
    "col.markov_p_value": "p-value",
    "col.markov_regimes": "Regimes",
    "col.markov_transitions": "Transitions",
    "col.markov_expected": "Expected count under independence",
    "col.markov_year_from": "From year",
    "col.markov_year_to": "To year",
    "col.markov_pooled": "Whole period",
    "col.lisa_cohesion": "Space-time cohesion S_C",
    "col.lisa_flux": "Space-time flux S_F",
    "cat.markov_variable.score": "Score",
    "cat.markov_variable.lag": "Spatial lag",
    "cat.markov_test.time_Q": "Time homogeneity Q test (two sub-periods)",
    "cat.markov_test.time_LR": "Time homogeneity likelihood-ratio test (two sub-periods)",
    "cat.markov_test.spatial_Q": "Spatial dependence Q test (Bickenbach–Bode)",
    "cat.markov_test.spatial_LR": "Spatial dependence likelihood-ratio test (Bickenbach–Bode)",
    "cat.markov_test.lisa_chi2": "LISA: χ² test of independent moves of region and neighbours",
    "cat.markov_test.lisa_LR": "LISA: likelihood-ratio test of independent moves of region and neighbours",
    "cat.lisa_type.0": "Type 0: neither region nor neighbours move",
    "cat.lisa_type.I": "Type I: only the region moves",
    "cat.lisa_type.II": "Type II: only the neighbours move",
    "cat.lisa_type.IIIA": "Type IIIA: both move in the same direction",
    "cat.lisa_type.IIIB": "Type IIIB: both move in opposite directions",
    "figure.markov_heatmap": "Markov transition probability matrix ({d}-year transitions)",
    "figure.spatial_markov_heatmap": "Spatial Markov transition probabilities by the neighbours' class at the start ({d}-year transitions)",
    "figure.lisa_markov_heatmap": "Transition probabilities between local Moran quadrants ({d}-year transitions)",
    "figure.lisa_types": "Space-time transition types of LISA ({d}-year transitions)",
    "plot.markov_from": "Class at start",
    "plot.markov_to": "Class at end",
    "plot.markov_class": "Class {n}",
    "plot.markov_lag_class": "Neighbours' class {n}",
    "plot.markov_probability": "Transition probability",
    "plot.markov_empty": "no transitions",
    "plot.markov_basis": "Classes: {basis}",
    "plot.markov_lag_basis": "Neighbours' classes: {basis}",
    "plot.markov_lag_class_range": "{head} ({range})",
    "plot.markov_period": "Period",
    "plot.markov_from_quadrant": "Quadrant at start",
    "plot.markov_to_quadrant": "Quadrant at end",
    "plot.markov_share": "Share",
    "plot.markov_title": "Markov transition probabilities",
    "plot.spatial_markov_title": "Spatial Markov transition probabilities",
    "plot.lisa_markov_title": "LISA quadrant transition probabilities",
    "plot.lisa_types_title": "Space-time transition types of LISA",
    "meta.markov_classes": "Markov classes",
    "meta.markov_classes_basis": "Markov classes from",
    "meta.markov_breaks": "Markov class breaks",
    "meta.markov_lag_years": "Markov transition span (years)",
    "meta.markov_lag_classes": "Spatial Markov neighbours' classes from",
    "meta.markov_lag_breaks": "Neighbours' class breaks",
    "meta.markov_split_year": "Split year of the time homogeneity test",
    "meta.markov_transitions": "Markov transitions",
    "meta.markov_empty_rows": "Empty Markov rows",
    "meta.markov_steady_state": "Markov steady state",
    "meta.spatial_markov_transitions": "Spatial Markov transitions",
    "meta.spatial_markov_empty_rows": "Empty spatial Markov rows",
    "meta.spatial_markov_islands": "Regions without neighbours left out of the spatial Markov chains",
    "meta.lisa_markov_transitions": "LISA transitions",
    "value.markov_unique": "unique",
    "value.markov_entered_empty": "undetermined (a class without transitions out is entered)",
    "value.markov_several_closed": "not unique (several closed classes)",
    "conv.markov": "Markov chains",
    "conv.spatial_markov": "Spatial Markov chains",
    "conv.markov_empty": "Empty Markov rows",
    "conv.lisa_markov": "LISA space-time transitions",
    "convtext.markov_empty": "a class from which no transition starts (an empty row) has missing probabilities, flagged, never filled; steady state and passage times are computed on the classes with transitions, and missing when an empty class is entered",
    "convtext.lisa_markov": "quadrants from the local Moran table (a value at the mean counts as low; regions without neighbours and years with equal scores left out); type 0 region and neighbours keep their high/low position, I only the region changes, II only the neighbours, IIIA both in the same direction, IIIB in opposite directions; cohesion S_C = F_0/m, flux S_F = 1 − S_C; the χ² test of independence follows giddy's LISA_Markov formula with the two high/low chains built over time for each region",
    "methods.markov.heading": "Markov chains, spatial Markov chains and LISA space-time transitions",
    "methods.markov.text": "The scores of all region-years are divided into {k} classes ({basis}; class 1 is the lowest; intervals closed on the right). Each region's class is compared with its class {d} year(s) later (every pair of years {d} year(s) apart, overlapping), and the transition probabilities are the maximum-likelihood estimates of eq. ({eq1}), n_{{ij}} being the number of moves from class i to class j and n_{{i}} the number of transitions starting in class i. A class from which no transition starts is an empty row: its probabilities are not filled in but left missing and flagged.",
    "methods.markov.ergodic": "The steady state π solves eq. ({eq2}); it is unique when the chain has one closed class (transient classes get 0) and left missing when the chain has several closed classes or enters an empty class. The mean first passage time m_{{ij}} of eq. ({eq3}) is the expected number of steps (one step is the transition span) from class i until class j is first entered; m_{{jj}} is the mean recurrence time 1/π_{{j}} (Kemeny and Snell 1976); it is infinite when j is not reached with probability 1.",
    "methods.markov.time_test": "Time homogeneity of the transition probabilities is tested with the Q test (eq. {eq4}) and the likelihood-ratio test (eq. {eq5}) of Bickenbach and Bode (2003): transitions are split by their start year into the sub-periods r before and from {split}; p_{{ij}}(r) are the probabilities within a sub-period, b_{{i}} the number of sub-periods with transitions from class i, a_{{i}} the number of positive cells of row i of the pooled matrix. Under the null of equal probabilities both statistics are asymptotically χ² with df degrees of freedom.",
    "methods.markov.spatial": "Spatial Markov chains (Rey 2001) estimate one transition matrix for each class of the neighbours' spatial lag Σ_{{j}} w_{{ij}} y_{{j}} (row-standardised weights) in the start year ({lag_basis}); eqs. ({eq4}) and ({eq5}) test that the matrices of the lag classes r are equal (Q and likelihood-ratio tests of spatial dependence). Regions without neighbours have no spatial lag and are left out of the spatial chains.",
    "methods.markov.lisa": "LISA space-time transitions (Rey 2001) take the quadrants of the Moran scatter plot (HH, LH, LL, HL) as states and distinguish types: type 0, region and neighbours keep their high/low position (called type IV in part of the literature); type I, only the region moves; type II, only the neighbours move; type III, both move (IIIA in the same direction, IIIB in opposite directions). Space-time cohesion S_{{C}} and flux S_{{F}} follow eq. ({eq6}), F_{{0}} being the number of type 0 transitions and m the number of transitions. The null that the region's moves are independent of its neighbours' is tested with a χ² and a likelihood-ratio test; expected counts are the Kronecker product of the transition matrices of the two high/low chains of the region and of its neighbours, times each quadrant's number of transitions.",
}

for _code in _BASIS_ZH:
    ZH[f"cat.markov_basis.{_code}"] = _BASIS_ZH[_code]
    EN[f"cat.markov_basis.{_code}"] = _BASIS_EN[_code]
    ZH[f"value.{_code}"] = _BASIS_ZH[_code]
    EN[f"value.{_code}"] = _BASIS_EN[_code]
    ZH[f"methods.markov.basis.{_code}"] = _BASIS_ZH[_code]
    EN[f"methods.markov.basis.{_code}"] = _BASIS_EN[_code]
for _code in ("pooled_quantiles", "yearly_mean_quantiles", "yearly_mean_breaks", "user_breaks"):
    ZH[f"convtext.markov.{_code}"] = (f"等级依据：{_BASIS_ZH[_code]}；等级自低至高编号 1…k，区间左开右闭；"
                                      "每对相隔 d 年的年份均计入（可重叠），首次通过时间的年数 = 步数 × d")
    EN[f"convtext.markov.{_code}"] = (f"classes from {_BASIS_EN[_code]}; numbered 1…k from low to high, intervals "
                                      "closed on the right; every pair of years d apart counts (overlapping); "
                                      "passage times in years = steps × d")
for _code in ("lag_quantiles", "score_breaks"):
    ZH[f"convtext.spatial_markov.{_code}"] = (f"邻域等级依据：{_BASIS_ZH[_code]}；空间滞后以行标准化权重计算，取期初年份；"
                                              "无邻接地区不计入；Q 与似然比检验的自由度按 Bickenbach–Bode 扣除零格")
    EN[f"convtext.spatial_markov.{_code}"] = (f"neighbours' classes from {_BASIS_EN[_code]}; spatial lag with "
                                              "row-standardised weights in the start year; regions without "
                                              "neighbours left out; degrees of freedom of Q and LR corrected for "
                                              "empty cells (Bickenbach–Bode)")
for _key, (_cap, _sheet) in _TABLES_ZH.items():
    ZH[f"caption.{_key}"], ZH[f"table.{_key}"] = _cap, _sheet
for _key, (_cap, _sheet) in _TABLES_EN.items():
    EN[f"caption.{_key}"], EN[f"table.{_key}"] = _cap, _sheet
for _t in _TYPES:
    ZH[f"col.lisa_type_{_t}"] = f"类型 {_t} 次数"
    EN[f"col.lisa_type_{_t}"] = f"Type {_t} transitions"
    ZH[f"col.lisa_share_{_t}"] = f"类型 {_t} 占比"
    EN[f"col.lisa_share_{_t}"] = f"Type {_t} share"

TEXTS = {"zh": ZH, "en": EN}
