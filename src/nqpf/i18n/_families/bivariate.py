"""Texts of the bivariate Moran family (:mod:`nqpf.analyses.bivariate`)."""

TEXTS = {
    "zh": {
        "caption.moran_bv_global": "全局双变量莫兰指数",
        "table.moran_bv_global": "双变量莫兰指数（全局）",
        "caption.moran_bv_local": "局部双变量莫兰指数与聚类类型",
        "table.moran_bv_local": "双变量莫兰指数（局部）",
        "col.I_bv": "双变量莫兰指数 I",
        "col.Ii_bv": "局部双变量莫兰指数 Ii",
        "col.lag_bv": "滞后变量的空间滞后值",
        "conv.moran_bv": "双变量莫兰指数",
        "convtext.moran_bv": (
            "I_BV = z_x′ W z_y / √(z_x′ z_x · z_y′ z_y)，x 为地区自身的变量，y 为邻接地区的变量（空间滞后），同 esda 的 "
            "Moran_BV（行标准化权重）；z 与 p（随机化假设）由 y 在地区间随机置换时 I_BV 的精确均值 0 与方差得到，伪 p "
            "值为置换 y 的双侧检验；局部 I_BV,i 同 esda 的 Moran_Local_BV，伪 p 值为条件置换双侧检验，经参数所列的逐年"
            "多重检验校正后 ≤ α 时按象限记为显著聚类（HH：x 高、邻接地区 y 高）；无邻接地区不判为聚类"),
        "meta.bivariate_variables": "双变量莫兰指数的变量",
        "meta.bivariate_lagged": "双变量莫兰指数的配对",
        "meta.bivariate_correction": "双变量局部莫兰多重检验校正",
        "value.lag_variable": "地区得分 × 邻接地区的变量",
        "value.lag_score": "地区的变量 × 邻接地区的得分",
        "methods.moran_bv.heading": "双变量莫兰指数",
        "methods.moran_bv.text": (
            "双变量全局莫兰指数按式（{eq1}）、局部指数按式（{eq2}）计算（Anselin、Syabri 与 Smirnov 2002；z_x、z_y "
            "为两个变量逐年标准化后的值，w_ij 为行标准化空间权重），比较{pair}。全局指数给出随机化假设下的 z 与双侧 p "
            "值，以及 {permutations} 次置换（随机种子 {seed}）的双侧伪 p 值；局部指数采用条件置换双侧检验，多重比较"
            "校正：{correction}，校正后 p ≤ {alpha} 的地区按散点图象限记为显著聚类。"),
        "methods.moran_bv.lag_variable": "各地区的得分与其邻接地区的另一变量",
        "methods.moran_bv.lag_score": "各地区的另一变量与其邻接地区的得分",
    },
    "en": {
        "caption.moran_bv_global": "Global bivariate Moran's I",
        "table.moran_bv_global": "Bivariate Moran (global)",
        "caption.moran_bv_local": "Local bivariate Moran's I and cluster types",
        "table.moran_bv_local": "Bivariate Moran (local)",
        "col.I_bv": "Bivariate Moran's I",
        "col.Ii_bv": "Local bivariate Moran's Ii",
        "col.lag_bv": "Spatial lag of the lagged variable",
        "conv.moran_bv": "Bivariate Moran's I",
        "convtext.moran_bv": (
            "I_BV = z_x′ W z_y / √(z_x′ z_x · z_y′ z_y), x the region's own variable and y the neighbours' "
            "(spatial lag), as esda's Moran_BV (row-standardised weights); z and p (randomisation) from the exact "
            "mean 0 and variance of I_BV when y is permuted over the regions; pseudo p from permutations of y, "
            "two-sided; the local I_BV,i as esda's Moran_Local_BV, conditional permutation, two-sided pseudo p; a "
            "region-year is a cluster, labelled by its quadrant (HH: high x among neighbours with high y), when "
            "the pseudo p after the per-year multiple-testing correction of the parameters is ≤ α; regions "
            "without neighbours are never clusters"),
        "meta.bivariate_variables": "Bivariate Moran: variables",
        "meta.bivariate_lagged": "Bivariate Moran: pair",
        "meta.bivariate_correction": "Bivariate local Moran: multiple-testing correction",
        "value.lag_variable": "region's score × neighbours' variable",
        "value.lag_score": "region's variable × neighbours' score",
        "methods.moran_bv.heading": "Bivariate Moran's I",
        "methods.moran_bv.text": (
            "The global bivariate Moran's I, eq. ({eq1}), and its local form, eq. ({eq2}) (Anselin, Syabri and "
            "Smirnov 2002; z_x and z_y are the two variables standardised per year, w_ij row-standardised spatial "
            "weights), relate {pair}. The global statistic is given with z and a two-sided p-value under "
            "randomisation and a two-sided pseudo p-value from {permutations} permutations (seed {seed}); the "
            "local one with a two-sided conditional permutation test, multiple-comparison correction: "
            "{correction}; a region whose corrected p is ≤ {alpha} is a significant cluster, labelled by its "
            "scatterplot quadrant."),
        "methods.moran_bv.lag_variable": "each region's score to its neighbours' other variable",
        "methods.moran_bv.lag_score": "each region's other variable to its neighbours' score",
    },
}
