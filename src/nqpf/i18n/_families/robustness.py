"""Texts of the robustness family (:mod:`nqpf.analyses.robustness`): rank intervals over the analyst's
choices, the variance shares, the draws, the figure, the methods text and the parameters."""

TEXTS = {
    "zh": {
        "section.robustness": "排名稳健性",
        "caption.rank_uncertainty": "各地区各年份排名的蒙特卡洛不确定性：基准排名、各次抽样排名的中位数与 5%–95% 区间",
        "table.rank_uncertainty": "排名不确定性",
        "caption.rank_variance": "各项分析选择对排名方差的解释份额（一阶效应）与交互作用的份额",
        "table.rank_variance": "排名方差份额",
        "caption.robustness_draws": "蒙特卡洛各次抽样的分析选择",
        "table.robustness_draws": "蒙特卡洛抽样",
        "col.median_rank": "排名中位数",
        "col.rank_p05": "排名 5% 分位数",
        "col.rank_p95": "排名 95% 分位数",
        "col.robustness_choice": "分析选择",
        "col.robustness_levels": "抽到的选项数",
        "col.robustness_share": "方差份额",
        "col.robustness_draw": "抽样序号",
        "col.robustness_weighting": "赋权方法",
        "col.robustness_normalization": "标准化范围",
        "col.robustness_aggregation": "合成方法",
        "col.robustness_exclusion": "剔除的指标",
        "cat.robustness_choice.weighting": "赋权方法",
        "cat.robustness_choice.normalization": "标准化范围",
        "cat.robustness_choice.aggregation": "合成方法",
        "cat.robustness_choice.exclusion": "剔除一个指标",
        "cat.robustness_choice.interaction": "选择间的交互作用",
        "cat.robustness_weighting.entropy": "熵值法",
        "cat.robustness_weighting.critic": "CRITIC 法",
        "cat.robustness_weighting.cv": "变异系数法",
        "cat.robustness_weighting.sd": "标准差法",
        "cat.robustness_weighting.equal": "等权",
        "cat.robustness_weighting.combined": "组合赋权",
        "cat.robustness_weighting.given": "用户给定",
        "cat.robustness_scope.pooled": "混合（全部地区-年份）",
        "cat.robustness_scope.per_year": "逐年",
        "cat.robustness_aggregation.additive": "加权和",
        "cat.robustness_aggregation.geometric": "加权几何平均",
        "figure.rank_intervals": "{year}年各地区排名的 5%–95% 区间（蒙特卡洛）",
        "plot.fig_rank_intervals": "排名的不确定性",
        "plot.robustness_interval": "5%–95% 区间",
        "plot.robustness_median": "中位数",
        "plot.robustness_baseline": "基准排名",
        "methods.robustness.heading": "排名稳健性的蒙特卡洛分析",
        "methods.robustness.text": (
            "为检验排名对分析选择的敏感性，对以下四项选择各自等概率、相互独立地随机抽取 {draws} 组组合（随机种子 "
            "{seed}），每组按所抽选择重新构建指数并计算各年排名：赋权方法（参数表所列方法）；标准化范围（全部地区-年份"
            "混合，或逐年）；合成方法（加权和，或加权几何平均，式（{eq1}），各指标标准化值先平移使其最小值为 {offset}）；"
            "剔除一个指标（不剔除或剔除 k 个指标之一，各占 1/(k+1) 的概率），{loo}。未抽取的选择保持本次构建的设定。"
            "每个地区-年份报告基准排名、各次抽样排名的中位数及 5% 与 95% 分位数（线性插值）。"),
        "methods.robustness.loo.renormalize": (
            "其余指标的权重取该次抽样的权重去掉被剔除指标后按比例放大至和为 1（熵值法（混合）、变异系数法、标准差法与"
            "等权下与重新估计相同）"),
        "methods.robustness.loo.recompute": "其余指标的权重在剔除该指标后重新估计",
        "methods.robustness.shares": (
            "各项选择解释的排名方差按一阶效应估计：每个地区-年份上，该选择的组间平方和减去无效应时的期望值，得到 "
            "Var(E[排名 | 选择]) 的估计，式（{eq2}）；仅由选择间交互作用解释的部分取所有选择的加法模型（最小二乘）"
            "的残差方差，式（{eq3}）；各地区-年份汇总后除以排名的总方差。各份额分别估计，其和只在蒙特卡洛误差范围内"
            "等于 1。"),
        "methods.robustness.result": "本次各份额之和为 {sum}。",
        "meta.robustness_source": "排名稳健性分析",
        "meta.robustness_draws": "排名稳健性：抽样次数",
        "meta.robustness_seed": "排名稳健性：随机种子",
        "meta.robustness_choices": "排名稳健性：抽取的选择",
        "meta.robustness_weightings": "排名稳健性：赋权方法",
        "meta.robustness_weightings_dropped": "排名稳健性：无法计算而未抽取的赋权方法",
        "meta.robustness_loo_weights": "排名稳健性：剔除指标后的权重",
        "meta.robustness_offset": "排名稳健性：几何平均前的最小值",
        "value.no_indicators": "未计算（仅有得分，无指标数据）",
        "value.robustness_failed": "未计算（见警告）",
        "value.renormalize": "按比例放大其余权重",
        "value.recompute": "重新估计",
        "value.weighting": "赋权方法",
        "value.normalization": "标准化范围",
        "value.aggregation": "合成方法",
        "value.exclusion": "剔除一个指标",
        "conv.robustness": "排名稳健性",
        "convtext.robustness": (
            "赋权方法、标准化范围、合成方法与剔除的指标各自等概率独立抽取；几何平均前各标准化指标平移至最小值 0.01；"
            "每年排名 1 为最高、并列取最小名次；分位数为线性插值；方差份额为一阶效应与交互作用的分别估计，"
            "汇总全部地区-年份后除以总方差"),
    },
    "en": {
        "section.robustness": "Robustness of the ranking",
        "caption.rank_uncertainty": ("Monte Carlo uncertainty of the ranks by region and year: baseline rank, median "
                                     "rank over the draws and its 5–95 % interval"),
        "table.rank_uncertainty": "Rank uncertainty",
        "caption.rank_variance": "Share of the rank variance explained by each choice (first order) and by their interaction",
        "table.rank_variance": "Rank variance shares",
        "caption.robustness_draws": "The choices of every Monte Carlo draw",
        "table.robustness_draws": "Monte Carlo draws",
        "col.median_rank": "Median rank",
        "col.rank_p05": "Rank, 5th percentile",
        "col.rank_p95": "Rank, 95th percentile",
        "col.robustness_choice": "Choice",
        "col.robustness_levels": "Levels drawn",
        "col.robustness_share": "Variance share",
        "col.robustness_draw": "Draw",
        "col.robustness_weighting": "Weighting",
        "col.robustness_normalization": "Normalisation scope",
        "col.robustness_aggregation": "Aggregation",
        "col.robustness_exclusion": "Indicator left out",
        "cat.robustness_choice.weighting": "Weighting method",
        "cat.robustness_choice.normalization": "Normalisation scope",
        "cat.robustness_choice.aggregation": "Aggregation",
        "cat.robustness_choice.exclusion": "One indicator left out",
        "cat.robustness_choice.interaction": "Interaction of the choices",
        "cat.robustness_weighting.entropy": "Entropy",
        "cat.robustness_weighting.critic": "CRITIC",
        "cat.robustness_weighting.cv": "Coefficient of variation",
        "cat.robustness_weighting.sd": "Standard deviation",
        "cat.robustness_weighting.equal": "Equal",
        "cat.robustness_weighting.combined": "Combined",
        "cat.robustness_weighting.given": "User-given",
        "cat.robustness_scope.pooled": "Pooled (all region-years)",
        "cat.robustness_scope.per_year": "Per year",
        "cat.robustness_aggregation.additive": "Weighted sum",
        "cat.robustness_aggregation.geometric": "Weighted geometric mean",
        "figure.rank_intervals": "5–95 % interval of each region's rank in {year} (Monte Carlo)",
        "plot.fig_rank_intervals": "Uncertainty of the ranks",
        "plot.robustness_interval": "5–95 % interval",
        "plot.robustness_median": "Median",
        "plot.robustness_baseline": "Baseline rank",
        "methods.robustness.heading": "Monte Carlo robustness of the ranking",
        "methods.robustness.text": (
            "To see how far the ranking depends on the analyst's choices, {draws} combinations of four choices were "
            "drawn, each choice uniformly and independently (seed {seed}), and for each the index was rebuilt and the "
            "regions ranked within each year: the weighting method (those listed among the parameters); the scope of "
            "the normalisation (pooled over all region-years, or per year); the aggregation (weighted sum, or the "
            "weighted geometric mean, eq. ({eq1}), after moving every normalised indicator so that its minimum is "
            "{offset}); and leaving one indicator out (none, or one of the k indicators, each with probability "
            "1/(k+1)), {loo}. Choices not drawn stay as in this build. For every region and year the baseline rank, "
            "the median rank over the draws and its 5 % and 95 % quantiles (linear interpolation) are reported."),
        "methods.robustness.loo.renormalize": (
            "the others keeping the draw's weights rescaled to sum to 1 (the same as re-estimating them for the "
            "entropy (pooled), CV, SD and equal weights)"),
        "methods.robustness.loo.recompute": "the weights of the others re-estimated without it",
        "methods.robustness.shares": (
            "The variance of the ranks each choice explains is its first-order effect: per region-year, the "
            "between-level sum of squares of the choice less its expectation under no effect estimates "
            "Var(E[rank | choice]), eq. ({eq2}); the part only the interaction of the choices explains is the "
            "residual variance of the additive model of all choices fitted by least squares, eq. ({eq3}); both are "
            "summed over the region-years and divided by the total variance of the ranks. Each share is estimated on "
            "its own, so they add up to one only within Monte Carlo error."),
        "methods.robustness.result": "Here the shares add up to {sum}.",
        "meta.robustness_source": "Robustness of the ranking",
        "meta.robustness_draws": "Robustness: draws",
        "meta.robustness_seed": "Robustness: seed",
        "meta.robustness_choices": "Robustness: choices drawn",
        "meta.robustness_weightings": "Robustness: weighting methods",
        "meta.robustness_weightings_dropped": "Robustness: weighting methods not computable, not drawn",
        "meta.robustness_loo_weights": "Robustness: weights when an indicator is left out",
        "meta.robustness_offset": "Robustness: minimum before the geometric mean",
        "value.no_indicators": "not computed (scores only, no indicators)",
        "value.robustness_failed": "not computed (see the warning)",
        "value.renormalize": "the others rescaled",
        "value.recompute": "re-estimated",
        "value.weighting": "weighting method",
        "value.normalization": "normalisation scope",
        "value.aggregation": "aggregation",
        "value.exclusion": "one indicator left out",
        "conv.robustness": "Robustness of the ranking",
        "convtext.robustness": (
            "weighting, normalisation scope, aggregation and the indicator left out drawn uniformly and "
            "independently; normalised indicators moved to a minimum of 0.01 before the geometric mean; ranks within "
            "each year, 1 = highest, ties share the smallest rank; quantiles by linear interpolation; variance shares "
            "of the first-order effects and of the interaction estimated separately, summed over the region-years and "
            "divided by the total variance"),
    },
}
