"""Texts of the drivers family: the geographical detector (tables ``geodetector_*``, its figures, methods,
parameters and the codes of interaction types and discretisation methods)."""

_ZH = {
    "section.drivers": "驱动因素分析",
    # --- tables
    "caption.geodetector_factor": "地理探测器因子探测结果（解释力 q 及其显著性）",
    "caption.geodetector_interaction": "地理探测器交互作用探测结果",
    "caption.geodetector_risk": "地理探测器风险区探测：各层均值差异的 t 检验",
    "caption.geodetector_strata": "地理探测器风险区探测：各层的区间与被解释变量均值",
    "caption.geodetector_ecological": "地理探测器生态探测结果（层内平方和的 F 检验）",
    "table.geodetector_factor": "因子探测",
    "table.geodetector_interaction": "交互作用探测",
    "table.geodetector_risk": "风险区探测",
    "table.geodetector_strata": "风险区探测_分层均值",
    "table.geodetector_ecological": "生态探测",
    "col.gd_factor": "探测因子",
    "col.gd_q": "解释力 q",
    "col.gd_p": "p 值",
    "col.gd_method": "离散化方法",
    "col.gd_classes": "分级数",
    "col.gd_strata": "非空层数",
    "col.gd_n_missing": "缺失而剔除的单元数",
    "col.gd_F": "F 统计量",
    "col.gd_ncp": "非中心参数 λ",
    "col.gd_factor_a": "因子 A",
    "col.gd_factor_b": "因子 B",
    "col.gd_q_a": "q(A)",
    "col.gd_q_b": "q(B)",
    "col.gd_q_ab": "q(A∩B)",
    "col.gd_type": "交互作用类型",
    "col.gd_strata_ab": "叠加后非空层数",
    "col.gd_stratum_a": "层 a",
    "col.gd_stratum_b": "层 b",
    "col.gd_n_a": "层 a 单元数",
    "col.gd_n_b": "层 b 单元数",
    "col.gd_mean_a": "层 a 均值",
    "col.gd_mean_b": "层 b 均值",
    "col.gd_t": "t 统计量",
    "col.gd_df": "自由度",
    "col.gd_significant": "是否显著",
    "col.gd_stratum": "层",
    "col.gd_lower": "下限",
    "col.gd_upper": "上限",
    "cat.interaction.weaken_nonlinear": "非线性减弱",
    "cat.interaction.weaken_uni": "单因子非线性减弱",
    "cat.interaction.enhance_bi": "双因子增强",
    "cat.interaction.independent": "独立",
    "cat.interaction.enhance_nonlinear": "非线性增强",
    "cat.discretization.equal": "等间距法",
    "cat.discretization.natural": "自然断点法",
    "cat.discretization.quantile": "分位数法",
    "cat.discretization.geometric": "几何间隔法",
    "cat.discretization.sd": "标准差法",
    "cat.discretization.categorical": "原有类别",
    # --- figures
    "figure.geodetector_q": "各因子对新质生产力发展潜力空间分异的解释力 q",
    "figure.geodetector_interaction": "{year}年因子交互作用探测",
    "figure.geodetector_interaction_pooled": "因子交互作用探测（全部地区-年份）",
    "plot.fig_geodetector_q": "地理探测器因子探测",
    "plot.fig_geodetector_interaction": "因子交互作用 q(A∩B)",
    "plot.fig_geodetector_interaction_year": "{year}年因子交互作用 q(A∩B)",
    "plot.gd_q_axis": "解释力 q",
    "plot.gd_pooled": "全部年份",
    "plot.gd_not_significant": "斜线浅色：p ≥ {alpha}",
    "plot.gd_itag.weaken_nonlinear": "非减",
    "plot.gd_itag.weaken_uni": "单减",
    "plot.gd_itag.enhance_bi": "双增",
    "plot.gd_itag.independent": "独立",
    "plot.gd_itag.enhance_nonlinear": "非增",
    "plot.gd_itag_legend": "{tag}：{name}",
    "plot.gd_diagonal": "；对角线为单因子 q",
    # --- methods
    "methods.drivers.heading": "地理探测器",
    "methods.drivers.text": "以综合得分为被解释变量 Y，{source}为探测因子 X，用地理探测器（王劲峰等 2010；王劲峰、徐成东 "
                            "2017）{by}识别空间分异的驱动因素。因子探测的解释力 q 按式（{eq1}）计算（N 与 σ² 为单元数与 Y "
                            "的方差，N_h 与 σ_h² 为第 h 层的单元数与方差，L 为非空层数；保留全部分层，只有一个单元的层层内平方和"
                            "为 0，与方法作者的 R 软件包 geodetector 一致），q ∈ [0, 1]，表示 X 解释了 Y 空间分异的 100q%；"
                            "其显著性按式（{eq2}）的非中心 F 分布检验（Wang、Zhang 与 Fu 2016；σ² 取样本方差）。",
    "methods.drivers.source.indicators": "指数的各项标准化指标",
    "methods.drivers.source.covariates": "用户提供的协变量",
    "methods.drivers.by.year": "逐年",
    "methods.drivers.by.pooled": "在全部地区-年份上混合",
    "methods.drivers.discretization": "连续型因子先离散化：{search}；方法为{methods}，分级数 {classes}。各类为左开右闭区间（第一类含最小值），"
                                      "自然断点法为 Fisher（1958）的最优分级（层内离差平方和最小），几何间隔法在最小值不为正时先平移到 1，"
                                      "标准差法各类宽一个样本标准差、以均值为中心。整数且不超过 10 个取值的因子与文本因子按原有类别分层。",
    "methods.drivers.opgd": "按最优参数地理探测器（OPGD；Song 等 2020）的做法，对每个因子（逐年分析时为每一年）遍历各方法与分级数，"
                            "取 q 最大的组合，所选方法与分级数列于因子探测表（取最大值使 p 值偏乐观）",
    "methods.drivers.single": "各因子用同一方法与分级数",
    "methods.drivers.methods.all": "等间距法、自然断点法、分位数法、几何间隔法与标准差法",
    "methods.drivers.methods.subset": "参数表所列的方法",
    "methods.drivers.classes_auto": "分级数按默认规则确定：每次探测的单元数为 N = {n}，分级数取 {k_min} 至 min({k_max}, max({k_min}, ⌊N/{per}⌋))，"
                                    "即 {classes}，使每层平均至少有 {per} 个单元。分层与 Y 无关时 q 的期望为 (L − 1)/(N − 1)，"
                                    "随层数 L 增大（此处 L = {l} 时约为 {bias}），在少数地区上搜索较多层数会选出偶然偏高的 q；"
                                    "可用选项 drivers.classes 指定其他分级数。",
    "methods.drivers.detectors": "交互作用探测计算两因子分层叠加后的 q(A∩B)（在两因子均有值的单元上，与 q(A)、q(B) 比较）："
                                 "q(A∩B) ≤ min 为非线性减弱，介于 min 与 max 之间为单因子非线性减弱，≥ max 为双因子增强，"
                                 "= q(A) + q(B) 为独立（容差 {tol}），> q(A) + q(B) 为非线性增强；叠加细化了两种分层，"
                                 "故按定义 q(A∩B) 不小于较大者。风险区探测给出各层 Y 的均值，以式（{eq3}）的 Welch t 检验"
                                 "（Welch–Satterthwaite 自由度，双侧；任一层只有一个单元时不检验）比较两层均值；生态探测以式（{eq4}）"
                                 "的 F 检验（双侧）比较两因子的层内平方和。显著性水平 α = {alpha}。",
    "methods.drivers.circular": "注意：此处的探测因子是构成综合得分的指数自身指标，综合得分是这些指标的加权和，"
                                "因此 q 衡量的是各指标在多大程度上塑造了由其合成的综合指数的空间分层，而不是外部驱动因素的作用；"
                                "q 偏高、交互作用多为增强，部分源于这种构造关系，不宜解读为因果驱动。检验外部驱动因素（如人均 GDP、"
                                "城镇化率）时，请以协变量提供（{how}），协变量给出时优先于指数指标。",
    "methods.drivers.missing": "协变量缺失不视为错误：某地区-年份缺少某因子的取值时，仅在该因子的探测中剔除该地区-年份"
                               "（因子探测与风险区探测；两因子的交互作用探测与生态探测使用两者均有值的地区-年份），"
                               "不插补；共缺失 {n} 个因子取值（地区-年份 × 因子），各年各因子的剔除数见因子探测表"
                               "（协变量读自文件时逐条记录于审计表，环节：地理探测协变量）。",
    # --- parameters and conventions
    "conv.geodetector": "地理探测器",
    "convtext.geodetector": "q 保留全部分层（单元数为 1 的层不增加层内平方和，同 R geodetector；PyPI 的 geodetector 0.2.0 "
                            "删除这样的层，交互作用 q 因而不同）；p 为非中心 F 检验（λ 以样本方差计）；交互类型判断相等的容差为 "
                            "1e-10；风险区探测为 Welch t 检验（自由度不取整，双侧）；生态探测 F = SSW_a / SSW_b，双侧检验"
                            "（Wang 等 2010 的定义；R geodetector 1.0-5 改以两因子 q 之比与 F(N−1, N−1) 的 90% 分位数比较）",
    "meta.drivers": "驱动因素（地理探测器）",
    "meta.drivers_source": "探测因子",
    "meta.drivers_n_factors": "探测因子数",
    "meta.drivers_excluded": "剔除的因子（只有一个取值）",
    "meta.drivers_discretization": "离散化",
    "meta.drivers_methods": "离散化方法",
    "meta.drivers_classes": "分级数",
    "meta.drivers_classes_rule": "分级数的确定",
    "value.drivers.classes_auto": "默认规则：3 至 min(8, max(3, ⌊N/5⌋))，每层平均至少 5 个单元",
    "value.drivers.classes_given": "用户指定",
    "meta.drivers_by": "分析单元",
    "meta.drivers_interaction_tol": "交互类型判断容差",
    "meta.drivers_covariates_file": "地理探测协变量文件",
    "meta.drivers_missing": "缺失的协变量值",
    "meta.drivers_n_missing": "缺失的因子取值数（地区-年份 × 因子）",
    "value.drivers.missing.per_factor": "仅在该因子的探测中剔除相应地区-年份（不插补）",
    "value.drivers.no_factor_data": "未运行：没有因子数据（未由原始指标构建指数，也未提供协变量）",
    "value.drivers.no_usable_factor": "未运行：所有因子都只有一个取值",
    "value.drivers.source.indicators": "指数的标准化指标",
    "value.drivers.source.covariates": "用户提供的协变量",
    "value.drivers.opgd": "最优参数地理探测器（OPGD）：取 q 最大的方法与分级数",
    "value.drivers.method.equal": "等间距法",
    "value.drivers.method.natural": "自然断点法",
    "value.drivers.method.quantile": "分位数法",
    "value.drivers.method.geometric": "几何间隔法",
    "value.drivers.method.sd": "标准差法",
    "value.drivers.by.year": "逐年",
    "value.drivers.by.pooled": "全部地区-年份混合",
}

_EN = {
    "section.drivers": "Driving factors",
    "caption.geodetector_factor": "Geographical detector: factor detector (explanatory power q and its significance)",
    "caption.geodetector_interaction": "Geographical detector: interaction detector",
    "caption.geodetector_risk": "Geographical detector: risk detector, t-tests of the differences of stratum means",
    "caption.geodetector_strata": "Geographical detector: risk detector, strata with their bounds and means",
    "caption.geodetector_ecological": "Geographical detector: ecological detector (F tests of the within sums of squares)",
    "table.geodetector_factor": "GD factor",
    "table.geodetector_interaction": "GD interaction",
    "table.geodetector_risk": "GD risk",
    "table.geodetector_strata": "GD strata",
    "table.geodetector_ecological": "GD ecological",
    "col.gd_factor": "Factor",
    "col.gd_q": "q",
    "col.gd_p": "p",
    "col.gd_method": "Discretisation",
    "col.gd_classes": "Classes",
    "col.gd_strata": "Non-empty strata",
    "col.gd_n_missing": "Units left out (missing)",
    "col.gd_F": "F",
    "col.gd_ncp": "Non-centrality λ",
    "col.gd_factor_a": "Factor A",
    "col.gd_factor_b": "Factor B",
    "col.gd_q_a": "q(A)",
    "col.gd_q_b": "q(B)",
    "col.gd_q_ab": "q(A∩B)",
    "col.gd_type": "Interaction",
    "col.gd_strata_ab": "Non-empty strata of A∩B",
    "col.gd_stratum_a": "Stratum a",
    "col.gd_stratum_b": "Stratum b",
    "col.gd_n_a": "Units in a",
    "col.gd_n_b": "Units in b",
    "col.gd_mean_a": "Mean in a",
    "col.gd_mean_b": "Mean in b",
    "col.gd_t": "t",
    "col.gd_df": "df",
    "col.gd_significant": "Significant",
    "col.gd_stratum": "Stratum",
    "col.gd_lower": "Lower bound",
    "col.gd_upper": "Upper bound",
    "cat.interaction.weaken_nonlinear": "Weakened, nonlinear",
    "cat.interaction.weaken_uni": "Weakened, univariate",
    "cat.interaction.enhance_bi": "Enhanced, bivariate",
    "cat.interaction.independent": "Independent",
    "cat.interaction.enhance_nonlinear": "Enhanced, nonlinear",
    "cat.discretization.equal": "Equal interval",
    "cat.discretization.natural": "Natural breaks",
    "cat.discretization.quantile": "Quantile",
    "cat.discretization.geometric": "Geometric interval",
    "cat.discretization.sd": "Standard deviation",
    "cat.discretization.categorical": "Categories as given",
    "figure.geodetector_q": "Explanatory power q of each factor for the spatial differentiation of the development potential",
    "figure.geodetector_interaction": "Interaction detector, {year}",
    "figure.geodetector_interaction_pooled": "Interaction detector (all region-years)",
    "plot.fig_geodetector_q": "Geographical detector: factor detector",
    "plot.fig_geodetector_interaction": "Interaction q(A∩B)",
    "plot.fig_geodetector_interaction_year": "Interaction q(A∩B), {year}",
    "plot.gd_q_axis": "Explanatory power q",
    "plot.gd_pooled": "All years",
    "plot.gd_not_significant": "hatched, pale: p ≥ {alpha}",
    "plot.gd_itag.weaken_nonlinear": "NW",
    "plot.gd_itag.weaken_uni": "UW",
    "plot.gd_itag.enhance_bi": "BE",
    "plot.gd_itag.independent": "IN",
    "plot.gd_itag.enhance_nonlinear": "NE",
    "plot.gd_itag_legend": "{tag}: {name}",
    "plot.gd_diagonal": "; diagonal: q of each factor",
    "methods.drivers.heading": "Geographical detector",
    "methods.drivers.text": "With the composite score as the explained variable Y and {source} as the factors X, the "
                            "geographical detector (Wang et al. 2010; Wang and Xu 2017) was run {by} to identify the "
                            "drivers of the spatial differentiation. The factor detector's explanatory power q is "
                            "eq. ({eq1}) (N and σ² the number of units and the variance of Y, N_h and σ_h² those of "
                            "stratum h, L the number of non-empty strata; every stratum is kept and a stratum of one unit "
                            "adds no within sum of squares, as in the method authors' R package geodetector); q ∈ [0, 1] "
                            "means that X explains 100q % of the spatial differentiation of Y. Its significance is the "
                            "non-central F test of eq. ({eq2}) (Wang, Zhang and Fu 2016; σ² the sample variance).",
    "methods.drivers.source.indicators": "the normalised indicators of the index",
    "methods.drivers.source.covariates": "the covariates given",
    "methods.drivers.by.year": "for each year",
    "methods.drivers.by.pooled": "on all region-years pooled",
    "methods.drivers.discretization": "Continuous factors were discretised first: {search}; methods: {methods}; "
                                      "numbers of classes: {classes}. Classes are closed on the right (the first also "
                                      "on the left); natural breaks are Fisher's (1958) optimal classes (least within sum "
                                      "of squares), geometric intervals shift the values to start at 1 when the minimum "
                                      "is not positive, and standard-deviation classes are one sample standard deviation "
                                      "wide, centred on the mean. Whole-number factors with at most 10 values and text "
                                      "factors are stratified by their categories.",
    "methods.drivers.opgd": "following the optimal-parameters geographical detector (OPGD; Song et al. 2020), every "
                            "method and number of classes was tried for each factor (and each year when run by year) "
                            "and the one with the highest q kept; the factor table lists it (taking the maximum makes "
                            "the p-value optimistic)",
    "methods.drivers.single": "every factor with the same method and number of classes",
    "methods.drivers.methods.all": "equal interval, natural breaks, quantile, geometric interval and standard deviation",
    "methods.drivers.methods.subset": "those listed among the parameters",
    "methods.drivers.classes_auto": "The numbers of classes follow the default rule: with N = {n} units in one run "
                                    "of the detector, {k_min} to min({k_max}, max({k_min}, ⌊N/{per}⌋)) classes, here "
                                    "{classes}, so that a stratum holds at least {per} units on average. With strata "
                                    "unrelated to Y, q is (L − 1)/(N − 1) in expectation, growing with the number of "
                                    "strata L (about {bias} here for L = {l}); a search over many strata on few regions "
                                    "picks a q high by chance. The option drivers.classes sets other numbers.",
    "methods.drivers.detectors": "The interaction detector computes q(A∩B) of the intersection of the strata of two "
                                 "factors and compares it with q(A) and q(B) on the units where both are known: "
                                 "q(A∩B) ≤ min is nonlinear weakening, between min and max univariate weakening, ≥ max "
                                 "bivariate enhancement, = q(A) + q(B) independence (tolerance {tol}) and > q(A) + q(B) "
                                 "nonlinear enhancement; as the intersection refines both stratifications, q(A∩B) is by "
                                 "definition at least the larger of the two. The risk detector gives the mean of Y in every "
                                 "stratum and compares two strata with Welch's t test of eq. ({eq3}) (Welch–Satterthwaite "
                                 "degrees of freedom, two-sided; not run when a stratum has one unit); the ecological "
                                 "detector compares the within sums of squares of two factors with the F test of eq. "
                                 "({eq4}) (two-sided). Significance level α = {alpha}.",
    "methods.drivers.circular": "Note: the factors here are the index's own indicators, and the composite score is "
                                "a weighted sum of them, so q measures how much each indicator shapes the spatial "
                                "stratification of the composite built from it, not the effect of an outside driver; "
                                "high q and mostly enhancing interactions follow partly from this construction and are "
                                "not causal drivers. To test outside drivers (e.g. GDP per capita, urbanisation), give "
                                "them as covariates ({how}); covariates given take precedence over the indicators.",
    "methods.drivers.missing": "A missing covariate value is not an error: a region-year without a value of a "
                               "factor is left out of that factor's detectors only (factor and risk detectors; the "
                               "interaction and ecological detectors of two factors use the region-years where both "
                               "are known), without imputation; {n} factor values (region-year × factor) were "
                               "missing, counted per factor and year in the factor detector's table (and, for a "
                               "covariate file, listed in the audit table, stage: covariates of the geographical "
                               "detector).",
    "conv.geodetector": "Geographical detector",
    "convtext.geodetector": "q keeps every stratum (a stratum of one unit adds no within sum of squares, as R "
                            "geodetector; the PyPI geodetector 0.2.0 drops such strata, which changes interaction q); p "
                            "from the non-central F test (λ with the sample variance); interaction types compare with "
                            "a tolerance of 1e-10; risk detector: Welch's t test (df not rounded, two-sided); ecological "
                            "detector: F = SSW_a / SSW_b, two-sided (the definition of Wang et al. 2010; R geodetector "
                            "1.0-5 instead compares the ratio of the two q with the 90 % quantile of F(N−1, N−1))",
    "meta.drivers": "Driving factors (geographical detector)",
    "meta.drivers_source": "Factors",
    "meta.drivers_n_factors": "Number of factors",
    "meta.drivers_excluded": "Factors left out (a single value)",
    "meta.drivers_discretization": "Discretisation",
    "meta.drivers_methods": "Discretisation methods",
    "meta.drivers_classes": "Numbers of classes",
    "meta.drivers_classes_rule": "Numbers of classes from",
    "value.drivers.classes_auto": "the default rule: 3 to min(8, max(3, ⌊N/5⌋)), at least 5 units per stratum on average",
    "value.drivers.classes_given": "the user's choice",
    "meta.drivers_by": "Detector run",
    "meta.drivers_interaction_tol": "Tolerance of the interaction types",
    "meta.drivers_covariates_file": "Covariates of the geographical detector (file)",
    "meta.drivers_missing": "Missing covariate values",
    "meta.drivers_n_missing": "Missing factor values (region-year × factor)",
    "value.drivers.missing.per_factor": "region-year left out of that factor's detectors only (no imputation)",
    "value.drivers.no_factor_data": "not run: no factor data (no index built from raw indicators and no covariates given)",
    "value.drivers.no_usable_factor": "not run: every factor has a single value",
    "value.drivers.source.indicators": "normalised indicators of the index",
    "value.drivers.source.covariates": "covariates given",
    "value.drivers.opgd": "optimal parameters (OPGD): the method and number of classes of highest q",
    "value.drivers.method.equal": "equal interval",
    "value.drivers.method.natural": "natural breaks",
    "value.drivers.method.quantile": "quantile",
    "value.drivers.method.geometric": "geometric interval",
    "value.drivers.method.sd": "standard deviation",
    "value.drivers.by.year": "for each year",
    "value.drivers.by.pooled": "all region-years pooled",
}

TEXTS = {"zh": _ZH, "en": _EN}
