"""Texts of the hot-spot family (local Getis–Ord G_i*, :mod:`nqpf.analyses.hotspots`) and of the
multiple-testing correction of local Moran clusters (the spatial family's ``local_correction``).

The G_i* table, map, columns, classes, methods text and parameters keep their keys in the main
catalogues (``caption.getis_ord``, ``col.Gi``, ``cat.spot.*``, ``figure.hotspot_map``,
``methods.getis_ord.*``, ``meta.getis_ord_*``, ``value.fdr`` …); only what is new is here.
"""

TEXTS = {
    "zh": {
        "section.hotspots": "冷热点分析",
        "meta.local_correction": "局部莫兰聚类的多重检验校正",
        "conv.local_correction": "局部莫兰聚类的多重检验校正",
        "convtext.local_correction.fdr": (
            "每一年内对有邻接地区的局部莫兰伪 p 值作 Benjamini–Hochberg 校正（控制错误发现率），校正后 p 值 ≤ α "
            "的地区才判为显著聚类；表中 p_sim 为未校正值"),
        "convtext.local_correction.bonferroni": (
            "每一年内对有邻接地区的局部莫兰伪 p 值作 Bonferroni 校正（p 乘以当年检验的地区数，上限为 1），校正后 "
            "p 值 ≤ α 的地区才判为显著聚类；表中 p_sim 为未校正值"),
    },
    "en": {
        "section.hotspots": "Hot and cold spots",
        "meta.local_correction": "Local Moran clusters: multiple-testing correction",
        "conv.local_correction": "Local Moran clusters, multiple testing",
        "convtext.local_correction.fdr": (
            "the local Moran pseudo p-values of each year are adjusted by Benjamini–Hochberg over that year's "
            "regions with neighbours (false discovery rate); a region is a significant cluster when its adjusted "
            "p-value is ≤ α; p_sim in the table is unadjusted"),
        "convtext.local_correction.bonferroni": (
            "the local Moran pseudo p-values of each year are adjusted by Bonferroni (p times the number of "
            "regions tested that year, at most 1); a region is a significant cluster when its adjusted p-value "
            "is ≤ α; p_sim in the table is unadjusted"),
    },
}
